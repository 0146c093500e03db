/**
 * The `partition_states` table: execution state per (asset, partition).
 * IN_PROGRESS and FAILED updates keep `materialization_id`/`data_version`, so
 * a failed or running attempt never hides the last good materialization.
 */
import type Database from 'better-sqlite3'
import type { PartitionRunState, PartitionStateRecord } from '../types.js'
import { setOptional } from './json.js'

interface StateRow {
  asset_key: string
  partition_key: string
  state: PartitionRunState
  run_id: string
  updated_at: number
  materialization_id: number | null
  data_version: string | null
}

function toRecord(row: StateRow): PartitionStateRecord {
  const rec: PartitionStateRecord = {
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    state: row.state,
    runId: row.run_id,
    updatedAt: row.updated_at,
  }
  setOptional(rec, 'materializationId', row.materialization_id)
  setOptional(rec, 'dataVersion', row.data_version)
  return rec
}

export class PartitionStatesTable {
  private readonly setAttemptStmt: Database.Statement
  private readonly setMaterializedStmt: Database.Statement
  private readonly failInProgressStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly countStmt: Database.Statement

  constructor(db: Database.Database) {
    this.setAttemptStmt = db.prepare(`
      INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (asset_key, partition_key) DO UPDATE SET
        state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at`)
    this.setMaterializedStmt = db.prepare(`
      INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version)
      VALUES (?, ?, 'MATERIALIZED', ?, ?, ?, ?)
      ON CONFLICT (asset_key, partition_key) DO UPDATE SET
        state = 'MATERIALIZED', run_id = excluded.run_id, updated_at = excluded.updated_at,
        materialization_id = excluded.materialization_id, data_version = excluded.data_version`)
    this.failInProgressStmt = db.prepare(`
      UPDATE partition_states SET state = 'FAILED', updated_at = ? WHERE run_id = ? AND state = 'IN_PROGRESS'`)
    this.listStmt = db.prepare('SELECT * FROM partition_states WHERE asset_key = ? ORDER BY partition_key')
    this.countStmt = db.prepare('SELECT state, count(*) AS n FROM partition_states WHERE asset_key = ? GROUP BY state')
  }

  /** Records an attempt (IN_PROGRESS or FAILED); call inside a write transaction. */
  setAttempt(assetKey: string, partitionKey: string, state: 'IN_PROGRESS' | 'FAILED', runId: string, now: number): void {
    this.setAttemptStmt.run(assetKey, partitionKey, state, runId, now)
  }

  /** Records a success; call inside a write transaction. */
  setMaterialized(assetKey: string, partitionKey: string, runId: string, now: number, materializationId: number, dataVersion: string): void {
    this.setMaterializedStmt.run(assetKey, partitionKey, runId, now, materializationId, dataVersion)
  }

  /** IN_PROGRESS states owned by `runId` → FAILED; returns how many changed. */
  failInProgress(runId: string, now: number): number {
    return this.failInProgressStmt.run(now, runId).changes
  }

  list(assetKey: string): PartitionStateRecord[] {
    return (this.listStmt.all(assetKey) as StateRow[]).map(toRecord)
  }

  count(assetKey: string): Record<PartitionRunState, number> {
    const counts: Record<PartitionRunState, number> = { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 0 }
    for (const row of this.countStmt.all(assetKey) as Array<{ state: PartitionRunState; n: number }>) counts[row.state] = row.n
    return counts
  }
}
