/**
 * The `backfill_targets` table: each (asset, partition) a backfill covers and
 * its status. `seq` (the position in the list given to createBackfill) keeps
 * insertion order as primary-key order.
 */
import type Database from 'better-sqlite3'
import type { BackfillTarget, BackfillTargetStatus } from '../types.js'
import { toJson } from '../json.js'
import { type TargetRow, toTarget } from '../rows/backfill-targets.js'

export const BACKFILL_TARGET_STATUSES: readonly BackfillTargetStatus[] = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED']

export class BackfillTargetsTable {
  private readonly insertStmt: Database.Statement
  private readonly updateStmt: Database.Statement
  private readonly resetInProgressStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly listByStatusStmt: Database.Statement
  private readonly countStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO backfill_targets (backfill_id, seq, asset_key, partition_key, status, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?)`)
    // runId, when omitted, keeps the run that last handled the target; error always describes the current status.
    this.updateStmt = db.prepare(`
      UPDATE backfill_targets SET status = ?, run_id = coalesce(?, run_id), error = ?, updated_at = ?
      WHERE backfill_id = ? AND asset_key = ? AND partition_key = ?`)
    this.resetInProgressStmt = db.prepare(`
      UPDATE backfill_targets SET status = 'PENDING', updated_at = ? WHERE backfill_id = ? AND status = 'IN_PROGRESS'`)
    this.listStmt = db.prepare(`
      SELECT asset_key, partition_key, status, run_id, updated_at, error FROM backfill_targets WHERE backfill_id = ? ORDER BY seq`)
    // `statuses` is a JSON array, so one statement serves every filter.
    this.listByStatusStmt = db.prepare(`
      SELECT asset_key, partition_key, status, run_id, updated_at, error FROM backfill_targets
      WHERE backfill_id = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY seq`)
    this.countStmt = db.prepare('SELECT status, count(*) AS n FROM backfill_targets WHERE backfill_id = ? GROUP BY status')
  }

  /** Inserts PENDING targets with one prepared statement; call inside a write transaction. */
  insertAll(backfillId: string, targets: ReadonlyArray<{ assetKey: string; partitionKey: string }>, now: number): void {
    const stmt = this.insertStmt
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!
      stmt.run(backfillId, i, t.assetKey, t.partitionKey, now)
    }
  }

  /** Returns false when the backfill has no such target; call inside a write transaction. */
  update(backfillId: string, assetKey: string, partitionKey: string, status: BackfillTargetStatus, runId: string | undefined, error: string | undefined, now: number): boolean {
    return this.updateStmt.run(status, runId ?? null, error ?? null, now, backfillId, assetKey, partitionKey).changes > 0
  }

  /** IN_PROGRESS targets → PENDING; returns how many changed. */
  resetInProgress(backfillId: string, now: number): number {
    return this.resetInProgressStmt.run(now, backfillId).changes
  }

  list(backfillId: string, statuses?: readonly BackfillTargetStatus[]): BackfillTarget[] {
    const rows = (statuses === undefined ? this.listStmt.all(backfillId) : this.listByStatusStmt.all(backfillId, toJson(statuses))) as TargetRow[]
    return rows.map(toTarget)
  }

  count(backfillId: string): Record<BackfillTargetStatus, number> {
    const counts = Object.fromEntries(BACKFILL_TARGET_STATUSES.map((s) => [s, 0])) as Record<BackfillTargetStatus, number>
    for (const row of this.countStmt.all(backfillId) as Array<{ status: BackfillTargetStatus; n: number }>) counts[row.status] = row.n
    return counts
  }
}
