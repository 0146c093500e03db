import { BroadcastChannel } from 'node:worker_threads'
import { runStep } from '../execution/step-runner.js'
import { LOG_CHANNEL, type StepBroadcast, type StepOutcome, type StepTask } from '../execution/step-types.js'

// One channel per worker thread rather than a MessageChannel per step: creating
// and transferring a port for every step costs more than a trivial step itself.
const logs = new BroadcastChannel(LOG_CHANNEL)
;(logs as unknown as { unref(): void }).unref()

export interface PoolTaskResult {
  outcome: StepOutcome
  /** How many log lines were broadcast, so the main thread knows when it has them all. */
  logLines: number
}

/** Runs inside a pool worker. */
export async function runPoolTask({ task, token }: { task: StepTask; token: string }): Promise<PoolTaskResult> {
  let logLines = 0
  const outcome = await runStep(
    task,
    (line) => {
      logLines++
      logs.postMessage({ token, line } satisfies StepBroadcast)
    },
    // Only a step with a time limit needs to say when its clock starts.
    task.timeoutMs !== undefined ? () => logs.postMessage({ token, started: Date.now() } satisfies StepBroadcast) : undefined,
  )
  return { outcome, logLines }
}
