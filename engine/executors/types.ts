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
  close(): Promise<void>
}

export type ExecutorName = 'pool' | 'in-process'

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
}
