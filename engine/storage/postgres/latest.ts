/**
 * The `latest_materializations` table: (asset, partition) → newest
 * materialization id. Set reads are two set queries (latest ⋈
 * materializations, latest ⋈ lineage_edges) grouped in JS; callers run them
 * in one REPEATABLE READ snapshot so edges match the materializations.
 */
import type { LatestMaterialization, SlotKey } from '../types.js'
import type { Sql } from './db.js'
import { groupEdges } from './lineage.js'
import { EDGE_COLUMNS, type EdgeRow } from '../rows/lineage.js'
import { toMaterialization, type MaterializationRow } from '../rows/materializations.js'
import { slotArrays } from './locks.js'

const M_COLUMNS = 'm.id, m.asset_key, m.partition_key, m.run_id, m.code_version, m.data_version, m.location, m.format, m.bytes, m.metadata, m.started_at, m.ended_at'
const E_COLUMNS = EDGE_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')

/**
 * Makes `materializationId` the latest of (asset, partition). Never moves it
 * back to an older id: with the events lock ids are taken in commit order
 * anyway, but the latest must not depend on that.
 */
export async function setLatest(tx: Sql, assetKey: string, partitionKey: string, materializationId: number): Promise<void> {
  await tx.exec(
    `INSERT INTO latest_materializations (asset_key, partition_key, materialization_id) VALUES ($1, $2, $3)
     ON CONFLICT (asset_key, partition_key) DO UPDATE SET materialization_id = excluded.materialization_id
     WHERE excluded.materialization_id > latest_materializations.materialization_id`,
    [assetKey, partitionKey, materializationId],
  )
}

/** setLatest for several slots in one statement; each slot at most once. */
export async function setLatestMany(tx: Sql, rows: ReadonlyArray<{ assetKey: string; partitionKey: string; materializationId: number }>): Promise<void> {
  if (rows.length === 0) return
  await tx.exec(
    `INSERT INTO latest_materializations (asset_key, partition_key, materialization_id)
     SELECT a, p, m FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x(a, p, m)
     ON CONFLICT (asset_key, partition_key) DO UPDATE SET materialization_id = excluded.materialization_id
     WHERE excluded.materialization_id > latest_materializations.materialization_id`,
    [rows.map((r) => r.assetKey), rows.map((r) => r.partitionKey), rows.map((r) => r.materializationId)],
  )
}

function join(rows: readonly MaterializationRow[], edges: readonly EdgeRow[]): LatestMaterialization[] {
  const grouped = groupEdges(edges)
  return rows.map((r) => ({ ...toMaterialization(r), consumed: grouped.get(r.id) ?? [] }))
}

export async function getLatest(sql: Sql, assetKey: string, partitionKey: string): Promise<LatestMaterialization | undefined> {
  const row = await sql.one<MaterializationRow>(
    `SELECT ${M_COLUMNS} FROM latest_materializations l JOIN materializations m ON m.id = l.materialization_id
     WHERE l.asset_key = $1 AND l.partition_key = $2`,
    [assetKey, partitionKey],
  )
  if (!row) return undefined
  const edges = await sql.rows<EdgeRow>(`SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE materialization_id = $1 ORDER BY id`, [row.id])
  return join([row], edges)[0]
}

/** Latest of every (asset, partition), or only of the given assets; sorted by asset key then partition key. */
export async function getLatestMany(sql: Sql, assetKeys?: readonly string[]): Promise<LatestMaterialization[]> {
  if (assetKeys && assetKeys.length === 0) return []
  const where = assetKeys ? 'WHERE l.asset_key = ANY($1::text[])' : ''
  const params = assetKeys ? [[...new Set(assetKeys)]] : []
  const rows = await sql.rows<MaterializationRow>(
    `SELECT ${M_COLUMNS} FROM latest_materializations l JOIN materializations m ON m.id = l.materialization_id ${where}
     ORDER BY l.asset_key, l.partition_key`,
    params,
  )
  const edges = await sql.rows<EdgeRow>(
    `SELECT ${E_COLUMNS} FROM latest_materializations l JOIN lineage_edges e ON e.materialization_id = l.materialization_id ${where}
     ORDER BY e.materialization_id, e.id`,
    params,
  )
  return join(rows, edges)
}

/** Latest of exactly these slots, those that have one, in no particular order; `consumed` empty unless `withEdges`. */
export async function latestOfSlots(sql: Sql, slots: readonly SlotKey[], withEdges: boolean): Promise<LatestMaterialization[]> {
  if (slots.length === 0) return []
  const [assets, partitions] = slotArrays(slots)
  const from = `unnest($1::text[], $2::text[]) AS s(asset_key, partition_key)
    JOIN latest_materializations l ON l.asset_key = s.asset_key AND l.partition_key = s.partition_key`
  const rows = await sql.rows<MaterializationRow>(`SELECT ${M_COLUMNS} FROM ${from} JOIN materializations m ON m.id = l.materialization_id`, [assets, partitions])
  const edges = withEdges
    ? await sql.rows<EdgeRow>(`SELECT ${E_COLUMNS} FROM ${from} JOIN lineage_edges e ON e.materialization_id = l.materialization_id ORDER BY e.materialization_id, e.id`, [
        assets,
        partitions,
      ])
    : []
  return join(rows, edges)
}
