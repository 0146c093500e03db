/**
 * What the daemon reads from the rest of a PostgreSQL home: what changed
 * since its last look, slots in progress, slot states, dynamic partitions at
 * an instant (the SQLite versions are ../sqlite/automation-changes.ts,
 * automation-in-progress.ts and dynamic-partitions-at.ts).
 */
import type { AutomationWatermark, SlotState } from '../automation-types.js'
import type { SlotHolder, SlotKey } from '../types.js'
import type { Sql } from './db.js'

/**
 * Assets with materializations newer than the watermark, and assets whose
 * partition states runs may have changed (runs created since, or RUNNING
 * then and not now). Call in one REPEATABLE READ snapshot, so the watermark
 * and the changes agree. Materialization ids become visible in id order (they
 * are taken under the events lock, see locks.ts), so none is skipped. Run
 * `seq` numbers are not: a run whose insert commits just after a later-
 * numbered one was seen is not counted as created since. It is still seen
 * when it ends if it was RUNNING at the next look, and its materializations
 * are seen by id; only a run that also failed before that next look would
 * have its FAILED states noticed late (at the next change of those assets).
 */
export async function changesSince(tx: Sql, previous: AutomationWatermark | undefined): Promise<{ assets: string[]; watermark: AutomationWatermark }> {
  const top = await tx.one<{ m: number; r: number }>('SELECT (SELECT coalesce(max(id), 0) FROM materializations) AS m, (SELECT coalesce(max(seq), 0) FROM runs) AS r')
  const running = (await tx.rows<{ run_id: string }>(`SELECT run_id FROM runs WHERE status = 'RUNNING'`)).map((r) => r.run_id)
  const watermark: AutomationWatermark = { materializationId: top!.m, runRowid: top!.r, running }
  if (!previous) return { assets: [], watermark }
  const assets = new Set((await tx.rows<{ asset_key: string }>('SELECT DISTINCT asset_key FROM materializations WHERE id > $1', [previous.materializationId])).map((r) => r.asset_key))
  const now = new Set(running)
  const created = (await tx.rows<{ run_id: string }>('SELECT run_id FROM runs WHERE seq > $1', [previous.runRowid])).map((r) => r.run_id)
  const runs = [...created, ...previous.running.filter((r) => !now.has(r))]
  if (runs.length) {
    for (const r of await tx.rows<{ asset_key: string }>('SELECT DISTINCT asset_key FROM partition_states WHERE run_id = ANY($1::text[])', [runs])) assets.add(r.asset_key)
  }
  return { assets: [...assets], watermark }
}

/** The state rows of these slots, in the order given (slots never attempted are left out). */
export async function slotStates(sql: Sql, slots: readonly SlotKey[]): Promise<SlotState[]> {
  if (slots.length === 0) return []
  const rows = await sql.rows<{ asset_key: string; partition_key: string; state: SlotState['state']; run_id: string; updated_at: number }>(
    `SELECT ps.asset_key, ps.partition_key, ps.state, ps.run_id, ps.updated_at
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS s(asset_key, partition_key, n)
     JOIN partition_states ps ON ps.asset_key = s.asset_key AND ps.partition_key = s.partition_key
     ORDER BY s.n`,
    [slots.map((s) => s.assetKey), slots.map((s) => s.partitionKey)],
  )
  return rows.map((r) => ({ assetKey: r.asset_key, partitionKey: r.partition_key, state: r.state, runId: r.run_id, updatedAt: r.updated_at }))
}

/** Slots IN_PROGRESS for RUNNING runs, with the process owning each run. */
export async function inProgressSlots(sql: Sql): Promise<SlotHolder[]> {
  const rows = await sql.rows<{ asset_key: string; partition_key: string; run_id: string; pid: number; host: string }>(
    `SELECT ps.asset_key, ps.partition_key, r.run_id, r.pid, r.host
     FROM runs r JOIN partition_states ps ON ps.run_id = r.run_id AND ps.state = 'IN_PROGRESS'
     WHERE r.status = 'RUNNING'`,
  )
  return rows.map((r) => ({ assetKey: r.asset_key, partitionKey: r.partition_key, runId: r.run_id, pid: r.pid, host: r.host }))
}

/** Dynamic partition keys added at or before `at`, in insertion order, definitions by name. */
export async function dynamicPartitionsAt(sql: Sql, at: number): Promise<Record<string, string[]>> {
  const byName = new Map<string, string[]>()
  for (const { name, partition_key } of await sql.rows<{ name: string; partition_key: string }>('SELECT name, partition_key FROM dynamic_partitions WHERE added_at <= $1 ORDER BY name, id', [at])) {
    const keys = byName.get(name)
    if (keys) keys.push(partition_key)
    else byName.set(name, [partition_key])
  }
  return Object.fromEntries(byName)
}
