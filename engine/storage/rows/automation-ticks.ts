/** An `automation_ticks` row as both backends select it, and its record. */
import type { AutomationSourceKind, AutomationTickRecord } from '../automation-types.js'
import { setOptional } from '../json.js'

export interface TickRow {
  tick_id: number
  source_kind: AutomationSourceKind
  source_name: string
  tick_key: string | null
  scheduled_for: number | null
  evaluated_at: number
  status: AutomationTickRecord['status']
  message: string | null
  requested: number
  duration_ms: number | null
}

export function toTick(r: TickRow): AutomationTickRecord {
  const t: AutomationTickRecord = { tickId: r.tick_id, sourceKind: r.source_kind, sourceName: r.source_name, evaluatedAt: r.evaluated_at, status: r.status, requested: r.requested }
  setOptional(t, 'tickKey', r.tick_key)
  setOptional(t, 'scheduledFor', r.scheduled_for)
  setOptional(t, 'message', r.message)
  setOptional(t, 'durationMs', r.duration_ms)
  return t
}
