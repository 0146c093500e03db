/** A `backfill_targets` row as both backends select it, and its target. */
import type { BackfillTarget, BackfillTargetStatus } from '../types.js'
import { setOptional } from '../json.js'

export interface TargetRow {
  asset_key: string
  partition_key: string
  status: BackfillTargetStatus
  run_id: string | null
  updated_at: number
  error: string | null
}

export function toTarget(row: TargetRow): BackfillTarget {
  const t: BackfillTarget = { assetKey: row.asset_key, partitionKey: row.partition_key, status: row.status, updatedAt: row.updated_at }
  setOptional(t, 'runId', row.run_id)
  setOptional(t, 'error', row.error)
  return t
}
