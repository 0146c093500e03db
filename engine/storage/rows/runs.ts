/** A `runs` row as both backends select it, and its record. */
import type { RunRecord, RunStatus } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface RunRow {
  run_id: string
  status: RunStatus
  selection: string
  step_keys: string
  defs_path: string
  pid: number
  host: string
  started_at: number
  ended_at: number | null
  backfill_id: string | null
  tags: string
  lease_owner: string | null
  lease_expires_at: number | null
}

export function toRunRecord(row: RunRow): RunRecord {
  const run: RunRecord = {
    runId: row.run_id,
    status: row.status,
    selection: row.selection,
    stepKeys: fromJson<string[]>(row.step_keys, []),
    defsPath: row.defs_path,
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    tags: fromJson<Record<string, string>>(row.tags, {}),
  }
  setOptional(run, 'endedAt', row.ended_at)
  setOptional(run, 'backfillId', row.backfill_id)
  if (row.lease_owner !== null && row.lease_expires_at !== null) run.lease = { owner: row.lease_owner, expiresAt: row.lease_expires_at }
  return run
}
