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
import type { AttemptStateRow, PartitionRunState, PartitionStateRecord, SlotConflict, SlotHolder, SlotKey } from '../types.js'
import { setOptional, toJson } from '../json.js'
import { slotId } from '../slot-id.js'

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

/** A slot's state row with the status and owner of the run that wrote it. */
interface SlotRow {
  state: PartitionRunState
  runId: string
  materializationId: number | null
  runStatus: string | null
  pid: number | null
  host: string | null
}

/** `[[asset, partition], ...]` as a JSON parameter for `json_each`, without duplicates. */
export function slotsJson(slots: readonly SlotKey[]): string {
  const seen = new Set<string>()
  const pairs: Array<[string, string]> = []
  for (const { assetKey, partitionKey } of slots) {
    const id = slotId(assetKey, partitionKey)
    if (seen.has(id)) continue
    seen.add(id)
    pairs.push([assetKey, partitionKey])
  }
  return toJson(pairs)
}

/** Joins the slots given as a `slotsJson` parameter to `table` (as `alias`): primary-key lookups, one per slot. */
export const JOIN_SLOTS = (table: string, alias: string) =>
  `json_each(?) s CROSS JOIN ${table} ${alias} ON ${alias}.asset_key = json_extract(s.value, '$[0]') AND ${alias}.partition_key = json_extract(s.value, '$[1]')`

export class PartitionStatesTable {
  private readonly setAttemptStmt: Database.Statement
  private readonly setAttemptIfStmt: Database.Statement
  private readonly slotStmt: Database.Statement
  private readonly holdersStmt: Database.Statement
  private readonly restoreStmt: Database.Statement
  private readonly forgetStmt: Database.Statement
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
    // Compare-and-set: not over a newer materialization, nor over another live run's attempt.
    this.setAttemptIfStmt = db.prepare(`
      INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at) VALUES (@assetKey, @partitionKey, @state, @runId, @now)
      ON CONFLICT (asset_key, partition_key) DO UPDATE SET
        state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at
      WHERE coalesce(partition_states.materialization_id, 0) <= @basis
        AND NOT (partition_states.state = 'IN_PROGRESS' AND partition_states.run_id <> excluded.run_id
                 AND EXISTS (SELECT 1 FROM runs r WHERE r.run_id = partition_states.run_id AND r.status = 'RUNNING'))`)
    this.slotStmt = db.prepare(`
      SELECT p.state, p.run_id AS runId, p.materialization_id AS materializationId, r.status AS runStatus, r.pid, r.host
      FROM partition_states p LEFT JOIN runs r ON r.run_id = p.run_id
      WHERE p.asset_key = ? AND p.partition_key = ?`)
    this.holdersStmt = db.prepare(`
      SELECT p.asset_key AS assetKey, p.partition_key AS partitionKey, p.run_id AS runId, r.pid, r.host
      FROM ${JOIN_SLOTS('partition_states', 'p')} JOIN runs r ON r.run_id = p.run_id
      WHERE p.state = 'IN_PROGRESS' AND r.status = 'RUNNING'`)
    // Back to the last good materialization, as its own run left it.
    this.restoreStmt = db.prepare(`
      UPDATE partition_states SET state = 'MATERIALIZED',
        run_id = (SELECT m.run_id FROM materializations m WHERE m.id = partition_states.materialization_id),
        updated_at = (SELECT m.ended_at FROM materializations m WHERE m.id = partition_states.materialization_id)
      WHERE run_id = ? AND state = 'IN_PROGRESS' AND materialization_id IS NOT NULL`)
    this.forgetStmt = db.prepare(`DELETE FROM partition_states WHERE run_id = ? AND state = 'IN_PROGRESS' AND materialization_id IS NULL`)
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

  /** Records an attempt, compare-and-set when the row has a `basis` (see AttemptStateRow); call inside a write transaction. */
  setAttemptRow(row: AttemptStateRow, runId: string, now: number): void {
    if (row.basis === undefined) this.setAttemptStmt.run(row.assetKey, row.partitionKey, row.state, runId, now)
    else this.setAttemptIfStmt.run({ assetKey: row.assetKey, partitionKey: row.partitionKey, state: row.state, runId, now, basis: row.basis })
  }

  /** Slots of `slots` that a RUNNING run has IN_PROGRESS. */
  holders(slots: readonly SlotKey[]): SlotHolder[] {
    if (slots.length === 0) return []
    return this.holdersStmt.all(slotsJson(slots)) as SlotHolder[]
  }

  /** Sets every slot IN_PROGRESS for `runId`, or none when one conflicts; call inside a write transaction. */
  claim(runId: string, slots: ReadonlyArray<SlotKey & { basis: number }>, now: number): SlotConflict[] {
    const conflicts: SlotConflict[] = []
    for (const { assetKey, partitionKey, basis } of slots) {
      const row = this.slotStmt.get(assetKey, partitionKey) as SlotRow | undefined
      if (!row) continue
      if (row.state === 'IN_PROGRESS' && row.runId !== runId && row.runStatus === 'RUNNING') {
        conflicts.push({ assetKey, partitionKey, reason: 'IN_PROGRESS', holder: { assetKey, partitionKey, runId: row.runId, pid: row.pid!, host: row.host! } })
      } else if ((row.materializationId ?? 0) > basis) {
        conflicts.push({ assetKey, partitionKey, reason: 'NEWER', materializationId: row.materializationId! })
      }
    }
    if (conflicts.length === 0) for (const s of slots) this.setAttemptStmt.run(s.assetKey, s.partitionKey, 'IN_PROGRESS', runId, now)
    return conflicts
  }

  /** IN_PROGRESS slots of `runId` back to their last materialization, or removed; returns how many changed. Call inside a write transaction. */
  release(runId: string): number {
    return this.restoreStmt.run(runId).changes + this.forgetStmt.run(runId).changes
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
