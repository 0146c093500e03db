/** Dynamic partition keys as they stood at an instant: what existed when an automation condition was first evaluated. */
import type Database from 'better-sqlite3'

export class DynamicPartitionsAtQuery {
  private readonly stmt: Database.Statement

  constructor(db: Database.Database) {
    this.stmt = db.prepare('SELECT name, partition_key FROM dynamic_partitions WHERE added_at <= ? ORDER BY name, id').raw()
  }

  at(t: number): Record<string, string[]> {
    const byName = new Map<string, string[]>()
    for (const [name, key] of this.stmt.all(t) as Array<[string, string]>) {
      const keys = byName.get(name)
      if (keys) keys.push(key)
      else byName.set(name, [key])
    }
    return Object.fromEntries(byName)
  }
}
