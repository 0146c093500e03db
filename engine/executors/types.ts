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
  /** Resolves with the outcome; a step that crashes its worker resolves as a failure, it never rejects. */
  runStep(task: StepTask, onLog: (line: StepLogLine) => void): Promise<StepOutcome>
  close(): Promise<void>
}

export type ExecutorName = 'pool' | 'in-process'

export interface ExecutorOptions {
  /** @defaultValue the number of CPUs */
  concurrency?: number
}
