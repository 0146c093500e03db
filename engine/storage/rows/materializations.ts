/** A `materializations` row as both backends select it, and its record. */
import type { DataFormat, MaterializationRecord } from '../types.js'
import { fromJson } from '../json.js'

export interface MaterializationRow {
  id: number
  asset_key: string
  partition_key: string
  run_id: string
  code_version: string
  data_version: string
  location: string
  format: DataFormat
  bytes: number
  metadata: string
  started_at: number
  ended_at: number
}

export function toMaterialization(row: MaterializationRow): MaterializationRecord {
  return {
    id: row.id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    runId: row.run_id,
    codeVersion: row.code_version,
    dataVersion: row.data_version,
    location: row.location,
    format: row.format,
    bytes: row.bytes,
    metadata: fromJson<Record<string, unknown>>(row.metadata, {}),
    startedAt: row.started_at,
    endedAt: row.ended_at,
  }
}
