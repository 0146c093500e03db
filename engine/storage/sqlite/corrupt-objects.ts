/** The `corrupt_objects` table (migration 009): materializations whose stored object was found damaged. */
import type Database from 'better-sqlite3'
import type { CorruptObjectRecord } from '../types.js'

type Row = [number, string, string, string, string, number]

export class CorruptObjectsTable {
  private readonly insertStmt: Database.Statement
  private readonly deleteStmt: Database.Statement
  private readonly latestStmt: Database.Statement

  constructor(db: Database.Database) {
    // Through materializations: an id that names none is ignored rather than failing the caller's report.
    this.insertStmt = db.prepare(`
      INSERT INTO corrupt_objects (materialization_id, problem, detected_at)
      SELECT id, ?, ? FROM materializations WHERE id = ?
      ON CONFLICT (materialization_id) DO UPDATE SET problem = excluded.problem, detected_at = excluded.detected_at`)
    this.deleteStmt = db.prepare('DELETE FROM corrupt_objects WHERE materialization_id = ?')
    this.latestStmt = db
      .prepare(
        `SELECT c.materialization_id, m.asset_key, m.partition_key, m.location, c.problem, c.detected_at
         FROM corrupt_objects c
         JOIN materializations m ON m.id = c.materialization_id
         JOIN latest_materializations l ON l.asset_key = m.asset_key AND l.partition_key = m.partition_key AND l.materialization_id = m.id
         ORDER BY m.asset_key, m.partition_key`,
      )
      .raw()
  }

  /** Call inside a write transaction. */
  mark(rows: ReadonlyArray<{ materializationId: number; problem: string }>, now: number): void {
    for (const r of rows) this.insertStmt.run(r.problem, now, r.materializationId)
  }

  /** Call inside a write transaction; returns how many records were removed. */
  unmark(materializationIds: readonly number[]): number {
    let n = 0
    for (const id of materializationIds) n += this.deleteStmt.run(id).changes
    return n
  }

  /** Records of materializations that are still the latest of their slot. */
  latest(): CorruptObjectRecord[] {
    return (this.latestStmt.all() as Row[]).map(([materializationId, assetKey, partitionKey, location, problem, detectedAt]) => ({
      materializationId,
      assetKey,
      partitionKey,
      location,
      problem,
      detectedAt,
    }))
  }
}
