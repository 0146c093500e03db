/** An `automation_cursors` row as both backends select it. */
import type { AutomationCursor } from '../automation-types.js'

export interface CursorRow {
  source_kind: AutomationCursor['sourceKind']
  source_name: string
  cursor: string | null
  last_run_key: string | null
  last_tick_at: number | null
  failures: number
  next_at: number | null
  updated_at: number
}
