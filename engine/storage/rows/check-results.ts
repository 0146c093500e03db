/**
 * A `check_results` row as both backends select it, and its record. The
 * `passed`/`blocking` columns are 0/1 integers in SQLite and booleans in
 * PostgreSQL, so the row is generic in that column type and each backend
 * passes its own reader.
 */
import type { CheckResultRecord } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface CheckResultRow<Flag> {
  id: number
  asset_key: string
  partition_key: string
  check_name: string
  passed: Flag
  blocking: Flag
  message: string | null
  metadata: string
  run_id: string
  materialization_id: number | null
  ts: number
}

export function toCheckResult<Flag>(row: CheckResultRow<Flag>, flag: (value: Flag) => boolean): CheckResultRecord {
  const r: CheckResultRecord = {
    id: row.id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    checkName: row.check_name,
    passed: flag(row.passed),
    blocking: flag(row.blocking),
    metadata: fromJson<Record<string, unknown>>(row.metadata, {}),
    runId: row.run_id,
    ts: row.ts,
  }
  setOptional(r, 'message', row.message)
  setOptional(r, 'materializationId', row.materialization_id)
  return r
}
