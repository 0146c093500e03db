/** An `events` row as both backends select it, and its record. */
import type { EventRecord, EventType, NewEvent } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface EventRow {
  id: number
  run_id: string
  ts: number
  type: EventType
  asset_key: string | null
  partition_key: string | null
  level: NewEvent['level'] | null
  message: string | null
  data: string | null
}

export function toEventRecord(row: EventRow): EventRecord {
  const event: EventRecord = { id: row.id, runId: row.run_id, ts: row.ts, type: row.type }
  setOptional(event, 'assetKey', row.asset_key)
  setOptional(event, 'partitionKey', row.partition_key)
  setOptional(event, 'level', row.level)
  setOptional(event, 'message', row.message)
  setOptional(event, 'data', fromJson<Record<string, unknown> | undefined>(row.data, undefined))
  return event
}
