import { runStep } from '../execution/step-runner.js'
import { chooseConcurrency } from './concurrency.js'
import type { Executor, ExecutorOptions } from './types.js'

/**
 * Runs steps on the main thread: easy to debug with breakpoints, no
 * isolation. A running step cannot be stopped from outside: it ends when its
 * compute returns.
 */
export function createInProcessExecutor(opts: ExecutorOptions = {}): Executor {
  return {
    name: 'in-process',
    concurrency: chooseConcurrency(opts.concurrency, 1).concurrency,
    canStopSteps: false,
    threadsStarted: 0,
    runStep: (task, onLog) => runStep(task, onLog),
    close: async () => {},
  }
}
