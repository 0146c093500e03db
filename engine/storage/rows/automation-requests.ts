/** An `automation_requests` row as both backends select it, and its record (with the slots read beside it). */
import type { AutomationRequestRecord, AutomationRequestStatus, AutomationSourceKind } from '../automation-types.js'
import type { SlotKey } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface RequestRow {
  request_id: number
  request_key: string
  run_id: string
  tick_id: number | null
  source_kind: AutomationSourceKind
  source_name: string
  selection: string
  asset_keys: string
  partition_keys: string | null
  reason: string
  tags: string
  run_key: string | null
  status: AutomationRequestStatus
  created_at: number
  launched_at: number | null
  ended_at: number | null
  run_status: string | null
}

export function toRequest(r: RequestRow, slots: SlotKey[]): AutomationRequestRecord {
  const rec: AutomationRequestRecord = {
    requestId: r.request_id,
    requestKey: r.request_key,
    runId: r.run_id,
    sourceKind: r.source_kind,
    sourceName: r.source_name,
    selection: r.selection,
    assetKeys: fromJson<string[]>(r.asset_keys, []),
    slots,
    reason: r.reason,
    tags: fromJson<Record<string, string>>(r.tags, {}),
    status: r.status,
    createdAt: r.created_at,
  }
  setOptional(rec, 'partitionKeys', r.partition_keys === null ? null : fromJson<string[]>(r.partition_keys, []))
  setOptional(rec, 'tickId', r.tick_id)
  setOptional(rec, 'runKey', r.run_key)
  setOptional(rec, 'launchedAt', r.launched_at)
  setOptional(rec, 'endedAt', r.ended_at)
  setOptional(rec, 'runStatus', r.run_status)
  return rec
}
