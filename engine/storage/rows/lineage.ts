/** A `lineage_edges` row, its edge, and the columns both backends read and write. */
import type { LineageEdge } from '../types.js'
import { setOptional } from '../json.js'

export const EDGE_COLUMNS =
  'materialization_id, upstream_materialization_id, upstream_asset_key, upstream_partition_key, upstream_data_version, input_name'

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
