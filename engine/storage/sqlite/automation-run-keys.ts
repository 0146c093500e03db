/** The `automation_run_keys` table: run keys each sensor has used; one is never launched twice. */
import type Database from 'better-sqlite3'

export class AutomationRunKeysTable {
  private readonly getStmt: Database.Statement
  private readonly insertStmt: Database.Statement

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT request_id FROM automation_run_keys WHERE sensor_name = ? AND run_key = ?').pluck()
    this.insertStmt = db.prepare('INSERT INTO automation_run_keys (sensor_name, run_key, request_id, used_at) VALUES (?, ?, ?, ?)')
  }

  /** The request that used the key, if any. */
  requestOf(sensor: string, runKey: string): number | undefined {
    return this.getStmt.get(sensor, runKey) as number | undefined
  }

  /** Call inside a write transaction. */
  use(sensor: string, runKey: string, requestId: number, now: number): void {
    this.insertStmt.run(sensor, runKey, requestId, now)
  }
}
