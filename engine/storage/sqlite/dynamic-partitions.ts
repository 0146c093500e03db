/** The `dynamic_partitions` table: keys of each dynamic partitions definition, in insertion order (rowid). */
import type Database from 'better-sqlite3'

export class DynamicPartitionsTable {
  private readonly insertStmt: Database.Statement
  private readonly deleteStmt: Database.Statement
  private readonly allStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO dynamic_partitions (name, partition_key, added_at) VALUES (?, ?, ?) ON CONFLICT (name, partition_key) DO NOTHING`)
    this.deleteStmt = db.prepare('DELETE FROM dynamic_partitions WHERE name = ? AND partition_key = ?')
    this.allStmt = db.prepare('SELECT name, partition_key FROM dynamic_partitions ORDER BY name, id').raw()
  }

  /** Inserts keys not stored yet; returns those added, in the given order. Call inside a write transaction. */
  add(name: string, keys: readonly string[], now: number): string[] {
    const added: string[] = []
    for (const key of keys) if (this.insertStmt.run(name, key, now).changes > 0) added.push(key)
    return added
  }

  /** Deletes keys; returns those that were stored. Call inside a write transaction. */
  delete(name: string, keys: readonly string[]): string[] {
    const removed: string[] = []
    for (const key of keys) if (this.deleteStmt.run(name, key).changes > 0) removed.push(key)
    return removed
  }

  /** Every definition's keys in insertion order, definitions sorted by name. */
  all(): Record<string, string[]> {
    const byName = new Map<string, string[]>()
    for (const [name, key] of this.allStmt.all() as Array<[string, string]>) {
      const keys = byName.get(name)
      if (keys) keys.push(key)
      else byName.set(name, [key])
    }
    // fromEntries defines own properties, so a definition named "__proto__" is just a key.
    return Object.fromEntries(byName)
  }
}
