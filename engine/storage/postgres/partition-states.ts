/**
 * The `partition_states` table: execution state per (asset, partition).
 * IN_PROGRESS and FAILED updates keep `materialization_id`/`data_version`, so
 * a failed or running attempt never hides the last good materialization.
 * Writers of one slot's state hold its slot lock (locks.ts), so claimSlots
 * decides and writes without another writer in between.
 */
import type { AttemptStateRow, PartitionRunState, PartitionStateRecord, SlotClaim, SlotConflict, SlotHolder, SlotKey } from '../types.js'
import type { Sql } from './db.js'
import { setOptional } from '../json.js'
import { slotArrays } from './locks.js'
import { slotId } from '../slot-id.js'

interface StateRow {
  partition_key: string
  state: PartitionRunState
  run_id: string
  updated_at: number
  materialization_id: number | null
  data_version: string | null
  code_version: string | null
}

function toRecord(assetKey: string, row: StateRow): PartitionStateRecord {
  const rec: PartitionStateRecord = { assetKey, partitionKey: row.partition_key, state: row.state, runId: row.run_id, updatedAt: row.updated_at }
  setOptional(rec, 'materializationId', row.materialization_id)
  setOptional(rec, 'dataVersion', row.data_version)
  setOptional(rec, 'codeVersion', row.code_version)
  return rec
}

const SET_ATTEMPT = `
  INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (asset_key, partition_key) DO UPDATE SET
    state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at`

// Compare-and-set: not over a newer materialization, nor over another live run's attempt.
const SET_ATTEMPT_IF = `${SET_ATTEMPT}
  WHERE coalesce(partition_states.materialization_id, 0) <= $6
    AND NOT (partition_states.state = 'IN_PROGRESS' AND partition_states.run_id <> excluded.run_id
             AND EXISTS (SELECT 1 FROM runs r WHERE r.run_id = partition_states.run_id AND r.status = 'RUNNING'))`

/** Records an attempt, compare-and-set when the row has a `basis` (see AttemptStateRow); call holding the slot's lock. */
export async function setAttemptRow(tx: Sql, row: AttemptStateRow, runId: string, now: number): Promise<void> {
  if (row.basis === undefined) await tx.exec(SET_ATTEMPT, [row.assetKey, row.partitionKey, row.state, runId, now])
  else await tx.exec(SET_ATTEMPT_IF, [row.assetKey, row.partitionKey, row.state, runId, now, row.basis])
}

/**
 * setAttemptRow for each row, in order, with one statement for the rows
 * that always write (no `basis`) to a slot no other row names: a call can
 * set 100,000 states, and a round trip each took ~30 s for those. Rows
 * with a basis, or to a slot written twice, keep their own statement in
 * their order, as a later one must see what an earlier one wrote. Call
 * holding the slots' locks.
 */
export async function setAttemptRows(tx: Sql, rows: readonly AttemptStateRow[], runId: string, now: number): Promise<void> {
  const uses = new Map<string, number>()
  for (const r of rows) {
    const id = slotId(r.assetKey, r.partitionKey)
    uses.set(id, (uses.get(id) ?? 0) + 1)
  }
  const assets: string[] = []
  const partitions: string[] = []
  const states: string[] = []
  for (const r of rows) {
    if (r.basis === undefined && uses.get(slotId(r.assetKey, r.partitionKey)) === 1) {
      assets.push(r.assetKey)
      partitions.push(r.partitionKey)
      states.push(r.state)
    } else {
      await setAttemptRow(tx, r, runId, now)
    }
  }
  if (assets.length === 0) return
  await tx.exec(
    `INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at)
     SELECT a, p, s, $4, $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(a, p, s)
     ON CONFLICT (asset_key, partition_key) DO UPDATE SET
       state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at`,
    [assets, partitions, states, runId, now],
  )
}

/** Slots of `slots` that a RUNNING run has IN_PROGRESS. */
export async function holders(sql: Sql, slots: readonly SlotKey[]): Promise<SlotHolder[]> {
  if (slots.length === 0) return []
  const [assets, partitions] = slotArrays(slots)
  return sql.rows<SlotHolder>(
    `SELECT p.asset_key AS "assetKey", p.partition_key AS "partitionKey", p.run_id AS "runId", r.pid, r.host
     FROM unnest($1::text[], $2::text[]) AS s(asset_key, partition_key)
       JOIN partition_states p ON p.asset_key = s.asset_key AND p.partition_key = s.partition_key
       JOIN runs r ON r.run_id = p.run_id
     WHERE p.state = 'IN_PROGRESS' AND r.status = 'RUNNING'`,
    [assets, partitions],
  )
}

interface SlotRow {
  asset_key: string
  partition_key: string
  state: PartitionRunState
  run_id: string
  materialization_id: number | null
  run_status: string | null
  pid: number | null
  host: string | null
}

/**
 * Each claim sets all its slots IN_PROGRESS for `runId`, or none when one
 * conflicts; one read and one write for all claims. Call holding the locks
 * of every slot of every claim. Deciding every claim on the rows as read
 * gives what claiming one after the other would: a claim only ever writes
 * `runId`'s IN_PROGRESS, which never conflicts with a later claim of the same
 * run (the materialization it keeps is the one read).
 */
export async function claimMany(tx: Sql, runId: string, claims: ReadonlyArray<SlotClaim>, now: number): Promise<SlotConflict[][]> {
  const [assets, partitions] = slotArrays(claims.flatMap((c) => c.slots))
  const rows = await tx.rows<SlotRow>(
    `SELECT p.asset_key, p.partition_key, p.state, p.run_id, p.materialization_id, r.status AS run_status, r.pid, r.host
     FROM unnest($1::text[], $2::text[]) AS s(asset_key, partition_key)
       JOIN partition_states p ON p.asset_key = s.asset_key AND p.partition_key = s.partition_key
       LEFT JOIN runs r ON r.run_id = p.run_id`,
    [assets, partitions],
  )
  const bySlot = new Map(rows.map((r) => [slotId(r.asset_key, r.partition_key), r]))
  const claimed: SlotKey[] = []
  const out = claims.map(({ slots }) => {
    const conflicts: SlotConflict[] = []
    for (const { assetKey, partitionKey, basis } of slots) {
      const row = bySlot.get(slotId(assetKey, partitionKey))
      if (!row) continue
      if (row.state === 'IN_PROGRESS' && row.run_id !== runId && row.run_status === 'RUNNING') {
        conflicts.push({ assetKey, partitionKey, reason: 'IN_PROGRESS', holder: { assetKey, partitionKey, runId: row.run_id, pid: row.pid!, host: row.host! } })
      } else if ((row.materialization_id ?? 0) > basis) {
        conflicts.push({ assetKey, partitionKey, reason: 'NEWER', materializationId: row.materialization_id! })
      }
    }
    if (conflicts.length === 0) claimed.push(...slots)
    return conflicts
  })
  if (claimed.length > 0) {
    // Without duplicates: one INSERT … ON CONFLICT cannot update the same row twice.
    const [a, p] = slotArrays(claimed)
    await tx.exec(
      `INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at)
       SELECT a, p, 'IN_PROGRESS', $3, $4 FROM unnest($1::text[], $2::text[]) AS s(a, p)
       ON CONFLICT (asset_key, partition_key) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at`,
      [a, p, runId, now],
    )
  }
  return out
}

/** IN_PROGRESS slots of `runId` back to their last materialization (as its own run left it), or removed; returns how many changed. */
export async function release(tx: Sql, runId: string): Promise<number> {
  const restored = await tx.exec(
    `UPDATE partition_states p SET state = 'MATERIALIZED', run_id = m.run_id, updated_at = m.ended_at
     FROM materializations m
     WHERE m.id = p.materialization_id AND p.run_id = $1 AND p.state = 'IN_PROGRESS'`,
    [runId],
  )
  const forgotten = await tx.exec(`DELETE FROM partition_states WHERE run_id = $1 AND state = 'IN_PROGRESS' AND materialization_id IS NULL`, [runId])
  return restored + forgotten
}

/** Records a success; call holding the slot's lock. */
export async function setMaterialized(
  tx: Sql,
  assetKey: string,
  partitionKey: string,
  runId: string,
  now: number,
  materializationId: number,
  dataVersion: string,
  codeVersion: string,
): Promise<void> {
  await tx.exec(
    `INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version, code_version)
     VALUES ($1, $2, 'MATERIALIZED', $3, $4, $5, $6, $7)
     ON CONFLICT (asset_key, partition_key) DO UPDATE SET
       state = 'MATERIALIZED', run_id = excluded.run_id, updated_at = excluded.updated_at,
       materialization_id = excluded.materialization_id, data_version = excluded.data_version, code_version = excluded.code_version`,
    [assetKey, partitionKey, runId, now, materializationId, dataVersion, codeVersion],
  )
}

/** setMaterialized for several slots in one statement; each slot at most once (a statement cannot update a row twice). */
export async function setMaterializedMany(
  tx: Sql,
  rows: ReadonlyArray<{ assetKey: string; partitionKey: string; runId: string; now: number; materializationId: number; dataVersion: string; codeVersion: string }>,
): Promise<void> {
  if (rows.length === 0) return
  await tx.exec(
    `INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version, code_version)
     SELECT a, p, 'MATERIALIZED', r, t, m, d, c FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[]) AS x(a, p, r, t, m, d, c)
     ON CONFLICT (asset_key, partition_key) DO UPDATE SET
       state = 'MATERIALIZED', run_id = excluded.run_id, updated_at = excluded.updated_at,
       materialization_id = excluded.materialization_id, data_version = excluded.data_version, code_version = excluded.code_version`,
    [
      rows.map((r) => r.assetKey),
      rows.map((r) => r.partitionKey),
      rows.map((r) => r.runId),
      rows.map((r) => r.now),
      rows.map((r) => r.materializationId),
      rows.map((r) => r.dataVersion),
      rows.map((r) => r.codeVersion),
    ],
  )
}

/** IN_PROGRESS states owned by `runId` → FAILED; returns how many changed. */
export async function failInProgress(tx: Sql, runId: string, now: number): Promise<number> {
  return tx.exec(`UPDATE partition_states SET state = 'FAILED', updated_at = $1 WHERE run_id = $2 AND state = 'IN_PROGRESS'`, [now, runId])
}

/** In primary-key order (partition key, byte-wise), as SQLite returns them. */
export async function listStates(sql: Sql, assetKey: string): Promise<PartitionStateRecord[]> {
  const rows = await sql.rows<StateRow>(
    `SELECT partition_key, state, run_id, updated_at, materialization_id, data_version, code_version
     FROM partition_states WHERE asset_key = $1 ORDER BY partition_key`,
    [assetKey],
  )
  return rows.map((r) => toRecord(assetKey, r))
}

export async function summarizeStates(sql: Sql, assetKey: string, codeVersion: string): Promise<{ fresh: number; codeChanged: number; failed: number; inProgress: number }> {
  const row = await sql.one<{ fresh: number; codeChanged: number; failed: number; inProgress: number }>(
    `SELECT count(*) FILTER (WHERE state = 'MATERIALIZED' AND code_version IS NOT DISTINCT FROM $2)::int AS fresh,
            count(*) FILTER (WHERE state = 'MATERIALIZED' AND code_version IS DISTINCT FROM $2)::int AS "codeChanged",
            count(*) FILTER (WHERE state = 'FAILED')::int AS failed,
            count(*) FILTER (WHERE state = 'IN_PROGRESS')::int AS "inProgress"
     FROM partition_states WHERE asset_key = $1`,
    [assetKey, codeVersion],
  )
  return row!
}

export async function countStates(sql: Sql, assetKey: string): Promise<Record<PartitionRunState, number>> {
  const counts: Record<PartitionRunState, number> = { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 0 }
  for (const row of await sql.rows<{ state: PartitionRunState; n: number }>('SELECT state, count(*)::int AS n FROM partition_states WHERE asset_key = $1 GROUP BY state', [assetKey])) {
    counts[row.state] = row.n
  }
  return counts
}
