import type { StepLogLine, StepOutcome, StepTask } from '../execution/step-types.js'

/**
 * Runs steps somewhere: worker threads, this thread, or (later) remote
 * workers. The orchestrator decides what runs when; an executor only runs
 * the step it is given and reports its outcome.
 */
export interface Executor {
  readonly name: string
  /** How many steps it can run at once. */
  readonly concurrency: number
  /** Whether `runStep` can stop a running step when its `stop` signal fires (the pool can: it terminates the worker thread). */
  readonly canStopSteps: boolean
  /** Threads started so far (0 for the in-process executor): threads start only as steps need them. */
  readonly threadsStarted: number
  /**
   * Resolves with the outcome; a step that crashes its worker resolves as a
   * failure, it never rejects. When `stop` fires and `canStopSteps`, the step
   * is stopped and resolves as a STRATA_CANCELED failure. A step running past
   * `task.timeoutMs` resolves as a STRATA_TIMEOUT failure (stopped when
   * `canStopSteps`).
   */
  runStep(task: StepTask, onLog: (line: StepLogLine) => void, stop?: AbortSignal): Promise<StepOutcome>
  /**
   * Runs several independent steps of one run as one unit of work (one
   * hand-off to a thread), one after the other: for steps of a millisecond
   * or less, the hand-off costs more than the step. Returns one promise per
   * step, in order, each resolving as `runStep`'s would (never rejecting).
   * A step whose thread dies fails alone: the others are run again. When
   * `stop` fires, the steps not finished resolve as STRATA_CANCELED.
   * The orchestrator batches only steps without a time limit or named pool.
   * @defaultValue absent: each step is handed over on its own
   */
  runBatch?(steps: ReadonlyArray<{ task: StepTask; onLog: (line: StepLogLine) => void }>, stop?: AbortSignal): Array<Promise<StepOutcome>>
  /**
   * Whether steps can run now, and why not: a remote executor reports its
   * workers (none alive, its queue unreachable). Local executors are always
   * healthy. The `stop` signal of `runStep` is how a running step is
   * canceled, wherever it runs.
   * @defaultValue healthy (an executor without it)
   */
  health?(): Promise<ExecutorHealth>
  close(): Promise<void>
}

/** What `Executor.health()` reports. */
export interface ExecutorHealth {
  ok: boolean
  /** One line for a person, e.g. `2 workers on redis://127.0.0.1:6379 (steps: 8 slots)`. */
  message: string
  /** Live workers, for remote executors. */
  workers?: number
}

/** The built-in executors' names; any name given to `registerExecutor` works too. */
export type ExecutorName = 'pool' | 'in-process' | 'queue' | (string & {})

/** Makes an executor from the options a run was given (see `registerExecutor`). */
export type ExecutorFactory = (opts: ExecutorOptions) => Executor

export interface ExecutorOptions {
  /** Capped at 4 × the number of CPUs (see chooseConcurrency). @defaultValue the number of CPUs */
  concurrency?: number
  /**
   * Pool only: an executor shared by many runs (pass it as
   * `materialize({ executor })`; close it when done). One thread stays up
   * between runs with the definitions it imported, so a run's first step
   * starts at once; threads are replaced only when the definitions' files
   * change (`StepTask.defsVersion`). Extra threads retire after a minute idle.
   * @defaultValue false: threads start as the run needs them
   */
  keepAlive?: boolean
  /**
   * Queue only: the Redis URL of the work queue, `redis://HOST:PORT[/DB][?prefix=NAME]`
   * (`prefix` separates independent queues on one server).
   * @defaultValue $STRATA_QUEUE_URL
   */
  queue?: string
  /**
   * Queue only: how long a step may wait while no live worker serves its
   * queue before it fails with STRATA_NO_WORKERS.
   * @defaultValue $STRATA_WORKER_TIMEOUT seconds, else 30,000
   */
  workerTimeoutMs?: number
}
