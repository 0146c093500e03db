/** What a daemon reports as it goes: plain data, printed by `strata daemon` (one line each, or JSON lines). */
import type { AutomationSourceKind, AutomationTickStatus } from '../storage/types.js'

export type DaemonEvent =
  | { type: 'started'; pid: number; home: string; defsPath: string; schedules: number; sensors: number; conditions: number; replaced?: { pid: number; host: string } }
  | { type: 'tick'; sourceKind: AutomationSourceKind; sourceName: string; status: AutomationTickStatus; message?: string; requested: number; at: string }
  | { type: 'launch'; requestId: number; runId: string; selection: string; partitionKeys?: string[]; reason: string }
  | { type: 'run-end'; requestId: number; runId: string; selection: string; status: string }
  | { type: 'recovered'; relaunched: number }
  | { type: 'sensor-log'; sensor: string; level: string; message: string }
  | { type: 'reload'; ok: true; schedules: number; sensors: number; conditions: number }
  | { type: 'reload'; ok: false; error: string; code?: string }
  | { type: 'error'; message: string }
  | { type: 'stopped'; reason: string }
