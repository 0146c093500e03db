/** The `lineage_edges` table: which upstream materializations a materialization consumed. */
import type Database from 'better-sqlite3'
import type { LineageEdge } from '../types.js'
import { setOptional } from '../json.js'

export interface EdgeRow {
  materialization_id: number
  upstream_materialization_id: number
  upstream_asset_key: string
  upstream_partition_key: string
  upstream_data_version: string
  input_name: string | null
}

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

export const EDGE_COLUMNS =
  'materialization_id, upstream_materialization_id, upstream_asset_key, upstream_partition_key, upstream_data_version, input_name'

export class LineageTable {
  private readonly insertStmt: Database.Statement
  private readonly listStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO lineage_edges (${EDGE_COLUMNS})
      VALUES (@materializationId, @upstreamMaterializationId, @upstreamAssetKey, @upstreamPartitionKey, @upstreamDataVersion, @inputName)`)
    this.listStmt = db.prepare(`SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE materialization_id = ? ORDER BY id`)
  }

  /** Inserts the edges of one materialization; call inside a write transaction. */
  insert(materializationId: number, edges: readonly LineageEdge[]): void {
    for (const e of edges) {
      this.insertStmt.run({
        materializationId,
        upstreamMaterializationId: e.upstreamMaterializationId,
        upstreamAssetKey: e.upstreamAssetKey,
        upstreamPartitionKey: e.upstreamPartitionKey ?? '',
        upstreamDataVersion: e.upstreamDataVersion,
        inputName: e.inputName ?? null,
      })
    }
  }

  list(materializationId: number): LineageEdge[] {
    return (this.listStmt.all(materializationId) as EdgeRow[]).map(toEdge)
  }
}
