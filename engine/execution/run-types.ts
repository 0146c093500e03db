/** What a run takes and reports: options, progress events, step and run results (the orchestrator is run.ts). */
import type { LeaseTiming } from '../leases.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { Definitions } from '../../assets/types.js'
import type { Executor } from '../executors/types.js'
import type { Storage } from '../storage/types.js'
import type { ExecutionPlan, PlannedStep } from './plan.js'
import type { SerializedError, StepLogLine } from './step-types.js'

export type StepStatus = 'SUCCESS' | 'FAILURE' | 'SKIPPED'
export type SkipReason = 'UPSTREAM_FAILED' | 'UP_TO_DATE' | 'CANCELED'

export interface StepResult {
  id: string
  key: string
  partitionKeys: string[]
  status: StepStatus
  attempts: number
  durationMs: number
  dataVersion?: string
  materializationId?: number
  /** Also set (code STRATA_CANCELED) on a CANCELED step that was running when the run was stopped. */
  error?: SerializedError
  /** CANCELED: the run was canceled before the step finished (never started, or stopped while running: see `error`). */
  skipReason?: SkipReason
  /** For UPSTREAM_FAILED: the failed step that blocked this one. */
  blockedBy?: string
  /** Results of the asset's checks on this step's value (last attempt). */
  checks?: Array<{ name: string; passed: boolean; blocking: boolean; message?: string }>
  /** Model versions registered or promoted through ctx.registry; `existing` (with `unchanged: true`): an identical retrain of that version, nothing registered. */
  models?: Array<{ name: string; version: number; stage: string; kind: 'register' | 'promote' | 'existing'; unchanged?: true }>
}

export type RunStatus = 'SUCCESS' | 'FAILURE' | 'CANCELED'

export interface RunResult {
  runId: string
  status: RunStatus
  steps: StepResult[]
  durationMs: number
  /** Set when the run was CANCELED because it passed `runTimeoutMs`. */
  timedOut?: true
}

export type RunEvent =
  | { type: 'run-start'; runId: string; total: number }
  | { type: 'step-start'; step: PlannedStep; attempt: number }
  | { type: 'step-log'; step: PlannedStep; line: StepLogLine }
  | { type: 'step-retry'; step: PlannedStep; attempt: number; delayMs: number; error: SerializedError }
  | { type: 'step-end'; step: PlannedStep; result: StepResult }
  | { type: 'run-end'; result: RunResult }

export interface RunOptions {
  defs: Definitions
  defsPath: string
  defsVersion?: string
  storage: Storage
  home: string
  /** Steps read and write values here: an object store's spec (a directory or a `postgres://` URL). @defaultValue the home */
  objects?: string
  /** Where steps read the model registry: the storage URL. @defaultValue the home (its embedded SQLite storage) */
  storageUrl?: string
  executor: Executor
  plan: ExecutionPlan
  /** Text recorded as the run's selection. */
  selection: string
  /** Skip steps that are already up to date when their turn comes (early cut-off). */
  skipUpToDate?: boolean
  /** `nodeLabel`s never skipped as up to date: their inputs are unchanged but their last attempt failed. */
  rebuild?: ReadonlySet<string>
  onEvent?: (event: RunEvent) => void
  /**
   * Cancels the run: no step starts any more, and running steps get
   * `graceMs` to finish; then, if the executor can stop steps (the pool),
   * they are stopped and recorded CANCELED.
   */
  signal?: AbortSignal
  /** @defaultValue 10,000 */
  graceMs?: number
  /**
   * Stops running steps now (and cancels the run): the pool terminates their
   * threads; with an executor that cannot stop them (in-process) the run
   * stops waiting for them, records them CANCELED and ends.
   */
  stop?: AbortSignal
  /**
   * The run's time limit: past it the run is canceled as by `signal` (nothing
   * new starts, running steps get `graceMs`, then are stopped), recorded
   * CANCELED with the limit named, and `RunResult.timedOut` is set. Running
   * steps are given up on after the grace period even when the executor
   * cannot stop them (in-process): no second Ctrl-C comes for an unattended run.
   */
  runTimeoutMs?: number
  runId?: string
  /** Recorded on the run (e.g. the schedule, sensor or condition that launched it). */
  tags?: Record<string, string>
  backfillId?: string
  /** `now` and dynamic partition keys, for partition mappings. */
  keysOptions?: KeysOptions
  /** How long the run's lease lasts and how often it is renewed (engine/leases.ts). @defaultValue 30 s, renewed every 5 s */
  lease?: LeaseTiming
}
