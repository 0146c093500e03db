/**
 * A `backfills` row as both backends select it, and its record. The
 * `cancel_requested`/`interrupted` columns are 0/1 integers in SQLite and
 * booleans in PostgreSQL, so the row is generic in that column type and each
 * backend passes its own reader.
 */
import type { BackfillRecord, BackfillStatus } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface BackfillRow<Flag> {
  backfill_id: string
  status: BackfillStatus
  selection: string
  asset_keys: string
  from_key: string | null
  to_key: string | null
  partition_keys: string | null
  options: string
  defs_path: string
  pid: number
  host: string
  created_at: number
  updated_at: number
  ended_at: number | null
  cancel_requested: Flag
  interrupted: Flag
  run_ids: string
  lease_owner: string | null
  lease_expires_at: number | null
}

export function toBackfillRecord<Flag>(row: BackfillRow<Flag>, flag: (value: Flag) => boolean): BackfillRecord {
  const rec: BackfillRecord = {
    backfillId: row.backfill_id,
    status: row.status,
    selection: row.selection,
    assetKeys: fromJson<string[]>(row.asset_keys, []),
    options: fromJson<Record<string, unknown>>(row.options, {}),
    defsPath: row.defs_path,
    createdAt: row.created_at,
    pid: row.pid,
    host: row.host,
    updatedAt: row.updated_at,
    cancelRequested: flag(row.cancel_requested),
    interrupted: flag(row.interrupted),
    runIds: fromJson<string[]>(row.run_ids, []),
  }
  setOptional(rec, 'fromKey', row.from_key)
  setOptional(rec, 'toKey', row.to_key)
  setOptional(rec, 'partitionKeys', fromJson<string[] | undefined>(row.partition_keys, undefined))
  setOptional(rec, 'endedAt', row.ended_at)
  if (row.lease_owner !== null && row.lease_expires_at !== null) rec.lease = { owner: row.lease_owner, expiresAt: row.lease_expires_at }
  return rec
}
