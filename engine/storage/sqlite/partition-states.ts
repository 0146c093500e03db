/**
 * The `partition_states` table: execution state per (asset, partition).
 * IN_PROGRESS and FAILED updates keep `materialization_id`/`data_version`, so
 * a failed or running attempt never hides the last good materialization.
 *
 * `list` reads the code version kept beside the state (migration 005, no
 * join) and, like `LatestTable.many`, returns all rows as ONE JSON array text
 * built by SQLite: for 100,000 partitions that is several times faster than
 * having better-sqlite3 hand over 100,000 row objects. Rows come in primary
 * key order (asset, partition) — no ORDER BY, which would sort again.
 */
import type Database from 'better-sqlite3'
import type { PartitionRunState, PartitionStateRecord } from '../types.js'
import { setOptional } from './json.js'

/** partition_key, state, run_id, updated_at, materialization_id, data_version, code_version. */
type StateTuple = [string, PartitionRunState, string, number, number | null, string | null, string | null]

function toRecord(assetKey: string, t: StateTuple): PartitionStateRecord {
  const [partitionKey, state, runId, updatedAt, materializationId, dataVersion, codeVersion] = t
  const rec: PartitionStateRecord = { assetKey, partitionKey, state, runId, updatedAt }
  setOptional(rec, 'materializationId', materializationId)
  setOptional(rec, 'dataVersion', dataVersion)
  setOptional(rec, 'codeVersion', codeVersion)
  return rec
}

export class PartitionStatesTable {
  private readonly setAttemptStmt: Database.Statement
  private readonly setMaterializedStmt: Database.Statement
  private readonly failInProgressStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly countStmt: Database.Statement
  private readonly summaryStmt: Database.Statement

  constructor(db: Database.Database) {
    this.setAttemptStmt = db.prepare(`
      INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (asset_key, partition_key) DO UPDATE SET
        state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at`)
    this.setMaterializedStmt = db.prepare(`
      INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version, code_version)
      VALUES (?, ?, 'MATERIALIZED', ?, ?, ?, ?, ?)
      ON CONFLICT (asset_key, partition_key) DO UPDATE SET
        state = 'MATERIALIZED', run_id = excluded.run_id, updated_at = excluded.updated_at,
        materialization_id = excluded.materialization_id, data_version = excluded.data_version, code_version = excluded.code_version`)
    this.failInProgressStmt = db.prepare(`
      UPDATE partition_states SET state = 'FAILED', updated_at = ? WHERE run_id = ? AND state = 'IN_PROGRESS'`)
    this.listStmt = db.prepare(`
      SELECT '[' || coalesce(group_concat(
        json_array(partition_key, state, run_id, updated_at, materialization_id, data_version, code_version), ','), '') || ']'
      FROM partition_states WHERE asset_key = ?`).pluck()
    this.countStmt = db.prepare('SELECT state, count(*) AS n FROM partition_states WHERE asset_key = ? GROUP BY state')
    this.summaryStmt = db.prepare(`
      SELECT coalesce(sum(state = 'MATERIALIZED' AND code_version IS ?), 0) AS fresh,
             coalesce(sum(state = 'MATERIALIZED' AND code_version IS NOT ?), 0) AS codeChanged,
             coalesce(sum(state = 'FAILED'), 0) AS failed,
             coalesce(sum(state = 'IN_PROGRESS'), 0) AS inProgress
      FROM partition_states WHERE asset_key = ?`)
  }

  /** Records an attempt (IN_PROGRESS or FAILED); call inside a write transaction. */
  setAttempt(assetKey: string, partitionKey: string, state: 'IN_PROGRESS' | 'FAILED', runId: string, now: number): void {
    this.setAttemptStmt.run(assetKey, partitionKey, state, runId, now)
  }

  /** Records a success; call inside a write transaction. */
  setMaterialized(assetKey: string, partitionKey: string, runId: string, now: number, materializationId: number, dataVersion: string, codeVersion: string): void {
    this.setMaterializedStmt.run(assetKey, partitionKey, runId, now, materializationId, dataVersion, codeVersion)
  }

  /** IN_PROGRESS states owned by `runId` → FAILED; returns how many changed. */
  failInProgress(runId: string, now: number): number {
    return this.failInProgressStmt.run(now, runId).changes
  }

  list(assetKey: string): PartitionStateRecord[] {
    const tuples = JSON.parse(this.listStmt.get(assetKey) as string) as StateTuple[]
    return tuples.map((t) => toRecord(assetKey, t))
  }

  summarize(assetKey: string, codeVersion: string): { fresh: number; codeChanged: number; failed: number; inProgress: number } {
    return this.summaryStmt.get(codeVersion, codeVersion, assetKey) as { fresh: number; codeChanged: number; failed: number; inProgress: number }
  }

  count(assetKey: string): Record<PartitionRunState, number> {
    const counts: Record<PartitionRunState, number> = { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 0 }
    for (const row of this.countStmt.all(assetKey) as Array<{ state: PartitionRunState; n: number }>) counts[row.state] = row.n
    return counts
  }
}
