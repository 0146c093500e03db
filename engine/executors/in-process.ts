import { runStep } from '../execution/step-runner.js'
import type { Executor, ExecutorOptions } from './types.js'

/** Runs steps on the main thread: easy to debug with breakpoints, no isolation. */
export function createInProcessExecutor(opts: ExecutorOptions = {}): Executor {
  return {
    name: 'in-process',
    concurrency: opts.concurrency ?? 1,
    runStep: (task, onLog) => runStep(task, onLog),
    close: async () => {},
  }
}
