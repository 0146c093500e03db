/**
 * Messages between `strata daemon` (main thread: lease, timing, file
 * watching) and the worker holding one version of the definitions, which
 * evaluates and launches. Every request carries the daemon's `now`, so a
 * worker has no clock of its own.
 */
import type { DaemonEvent } from './events.js'
import type { TickSummary } from './tick.js'

export interface DaemonIsolateData {
  defsPath: string
  home: string
  /** The storage URL the daemon's lease is on, so runs are recorded there too; undefined: SQLite in the home. */
  storage?: string
  /** `--objects`, when given (else the environment, the definitions or the home name the store). */
  objects?: string
  intervalMs: number
}

export interface LoadInfo {
  conditions: number
  schedules: number
  sensors: number
  maxConcurrentRuns: number
  /** Each sensor's interval: the daemon wakes at least this often. */
  sensorIntervalsMs: number[]
}

export type DaemonRequest =
  | { id: number; op: 'load'; now: number; recover: boolean }
  | { id: number; op: 'tick'; now: number; conditions: boolean }
  | { id: number; op: 'settle'; now: number }
  | { id: number; op: 'drain' }
  | { id: number; op: 'close' }

export interface DaemonReplies {
  load: LoadInfo
  tick: TickSummary
  settle: void
  drain: void
  close: void
}

export type DaemonReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; code?: string; stack?: string } }
  | { event: DaemonEvent }
