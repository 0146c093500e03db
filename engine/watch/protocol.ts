/**
 * Messages between a dev session (main thread) and its disposable isolate
 * worker. Requests carry an id; the worker answers each with one reply and,
 * for a run, streams run events with the same id before the reply.
 */
import type { RunEvent, RunStatus } from '../execution/run.js'
import type { StepLogLine, StepOutcome, StepTask } from '../execution/step-types.js'
import type { DefinitionsSnapshot } from './diff.js'
import type { DevAsset, RunCounts, StaleAsset } from './types.js'

export interface IsolateData {
  defsPath: string
  home?: string
  /** Import the run machinery while warming (auto mode), not on the first run. */
  prepareRun?: boolean
  /**
   * Runs send their steps to the session, which runs them on its warm pool
   * (see remote-executor.ts): the pool outlives the isolate, so its threads
   * keep the definitions they imported until the files change.
   */
  sessionPool?: { concurrency: number }
}

export interface StaleReport {
  assets: StaleAsset[]
  total: number
}

export interface RunReport {
  runId: string | null
  status: RunStatus
  counts: RunCounts
  durationMs: number
  /** Status after the run. */
  stale: StaleReport
}

export interface LoadError {
  message: string
  code?: string
  stack?: string
}

export type Request =
  | { id: number; op: 'load' }
  | { id: number; op: 'status' }
  | { id: number; op: 'run'; concurrency?: number }
  | { id: number; op: 'cancel' }
  | { id: number; op: 'close' }

export interface Replies {
  load: DefinitionsSnapshot & { home: string; assets: DevAsset[] }
  status: StaleReport
  run: RunReport
  cancel: void
  close: void
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: LoadError }
  | { id: number; event: RunEvent }

/** From the isolate: run this step on the session's pool, or stop the one running. */
export type StepRequest = { step: number; task: StepTask } | { stepStop: number }

/** From the session: a log line of a step it runs, then its outcome. */
export type StepReply = { step: number; log: StepLogLine } | { step: number; outcome: StepOutcome }
