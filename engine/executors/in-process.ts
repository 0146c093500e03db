import { runStep } from '../execution/step-runner.js'
import type { StepLogLine, StepOutcome, StepTask } from '../execution/step-types.js'
import { chooseConcurrency } from './concurrency.js'
import { timeoutOutcome } from './timeout.js'
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
    // Once running steps must stop, the run gives up on one here (it cannot be stopped): its late value is not stored.
    runStep: (task, onLog, stop) => (task.timeoutMs === undefined ? runStep(task, onLog, { givenUp: () => stop?.aborted === true }) : runWithLimit(task, onLog, stop)),
    close: async () => {},
  }
}

/**
 * Past its limit the step fails with STRATA_TIMEOUT and the run goes on
 * without it; its compute keeps running on this thread until it returns (its
 * logs and result are dropped). A compute that never yields blocks the thread,
 * so the limit can only fire for one that awaits. A value it returns late is
 * not stored.
 */
function runWithLimit(task: StepTask, onLog: (line: StepLogLine) => void, stop: AbortSignal | undefined): Promise<StepOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let timedOut = false
    let started = 0
    const onStart = () => {
      started = performance.now()
      timer = setTimeout(() => {
        timedOut = true
        resolve(timeoutOutcome(task, performance.now() - started, 'the run stopped waiting for it (a step running in-process cannot be stopped; its result is discarded)'))
      }, task.timeoutMs)
    }
    runStep(task, (line) => timedOut || onLog(line), { onStart, givenUp: () => timedOut || stop?.aborted === true }).then((outcome) => {
      clearTimeout(timer)
      if (!timedOut) resolve(outcome)
    })
  })
}
