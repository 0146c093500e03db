/** The `lineage_edges` table: which upstream materializations a materialization consumed. */
import type { LineageEdge } from '../types.js'
import type { Sql } from './db.js'
import { setOptional } from '../json.js'

export interface EdgeRow {
  materialization_id: number
  upstream_materialization_id: number
  upstream_asset_key: string
  upstream_partition_key: string
  upstream_data_version: string
  input_name: string | null
}

export const EDGE_COLUMNS =
  'materialization_id, upstream_materialization_id, upstream_asset_key, upstream_partition_key, upstream_data_version, input_name'

export function toEdge(row: EdgeRow): LineageEdge {
  const edge: LineageEdge = {
    upstreamMaterializationId: row.upstream_materialization_id,
    upstreamAssetKey: row.upstream_asset_key,
    upstreamPartitionKey: row.upstream_partition_key,
    upstreamDataVersion: row.upstream_data_version,
  }
  setOptional(edge, 'inputName', row.input_name)
  return edge
}

/** Edges grouped by the materialization that consumed them, each list in insertion order. */
export function groupEdges(rows: readonly EdgeRow[]): Map<number, LineageEdge[]> {
  const out = new Map<number, LineageEdge[]>()
  for (const row of rows) {
    const list = out.get(row.materialization_id)
    if (list) list.push(toEdge(row))
    else out.set(row.materialization_id, [toEdge(row)])
  }
  return out
}

/** Inserts the edges of one materialization in one statement, in the given order. */
export async function insertEdges(tx: Sql, materializationId: number, edges: readonly LineageEdge[]): Promise<void> {
  if (edges.length === 0) return
  await tx.exec(
    `INSERT INTO lineage_edges (${EDGE_COLUMNS})
     SELECT $1, u, a, p, d, i FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS e(u, a, p, d, i, n)
     ORDER BY n`,
    [
      materializationId,
      edges.map((e) => e.upstreamMaterializationId),
      edges.map((e) => e.upstreamAssetKey),
      edges.map((e) => e.upstreamPartitionKey ?? ''),
      edges.map((e) => e.upstreamDataVersion),
      edges.map((e) => e.inputName ?? null),
    ],
  )
}

export async function listEdges(sql: Sql, materializationId: number): Promise<LineageEdge[]> {
  return (await sql.rows<EdgeRow>(`SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE materialization_id = $1 ORDER BY id`, [materializationId])).map(toEdge)
}
