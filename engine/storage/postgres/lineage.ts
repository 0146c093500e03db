/** The `lineage_edges` table: which upstream materializations a materialization consumed. */
import type { LineageEdge } from '../types.js'
import type { Sql } from './db.js'
import { EDGE_COLUMNS, type EdgeRow, toEdge } from '../rows/lineage.js'

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

/** The edges of several new materializations in one statement. */
export async function insertEdgesOfMany(tx: Sql, items: ReadonlyArray<{ materializationId: number; edges: readonly LineageEdge[] }>): Promise<void> {
  const flat = items.flatMap((it) => it.edges.map((e) => ({ id: it.materializationId, e })))
  if (flat.length === 0) return
  await tx.exec(
    `INSERT INTO lineage_edges (${EDGE_COLUMNS})
     SELECT m, u, a, p, d, i FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(m, u, a, p, d, i, n)
     ORDER BY n`,
    [
      flat.map((f) => f.id),
      flat.map((f) => f.e.upstreamMaterializationId),
      flat.map((f) => f.e.upstreamAssetKey),
      flat.map((f) => f.e.upstreamPartitionKey ?? ''),
      flat.map((f) => f.e.upstreamDataVersion),
      flat.map((f) => f.e.inputName ?? null),
    ],
  )
}

export async function listEdges(sql: Sql, materializationId: number): Promise<LineageEdge[]> {
  return (await sql.rows<EdgeRow>(`SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE materialization_id = $1 ORDER BY id`, [materializationId])).map(toEdge)
}
