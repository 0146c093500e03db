import { BroadcastChannel } from 'node:worker_threads'
import { runStep } from '../execution/step-runner.js'
import { LOG_CHANNEL, serializeError, type StepBroadcast, type StepOutcome, type StepTask } from '../execution/step-types.js'
import { withSyncBatch } from '../io/object-stores/sync-batch.js'
import { markRunning, markStarted, type TaskProbe } from './task-probe.js'

// One channel per worker thread rather than a MessageChannel per step: creating
// and transferring a port for every step costs more than a trivial step itself.
const logs = new BroadcastChannel(LOG_CHANNEL)
;(logs as unknown as { unref(): void }).unref()

export interface PoolTaskResult {
  outcome: StepOutcome
  /** How many log lines were broadcast, so the main thread knows when it has them all. */
  logLines: number
}

/** The fields every step of a batch shares: sent once per batch, not once per step. */
export type BatchCommon = Pick<StepTask, 'runId' | 'defsPath' | 'defsVersion' | 'objects' | 'storage' | 'servingLogs'>

/** Several independent steps handed to one thread as one task (see `Executor.runBatch`). */
export interface PoolBatch {
  common: BatchCommon
  steps: Array<{ task: Omit<StepTask, keyof BatchCommon>; token: string }>
  /** Which step is running, and since when the batch computes (task-probe.ts). */
  probe: TaskProbe
}

/** Runs inside a pool worker. */
export async function runPoolTask({ task, token, probe }: { task: StepTask; token: string; probe: TaskProbe }): Promise<PoolTaskResult> {
  let logLines = 0
  const outcome = await runStep(
    task,
    (line) => {
      logLines++
      logs.postMessage({ token, line } satisfies StepBroadcast)
    },
    {
      onStart: () => {
        markStarted(probe)
        // Only a step with a time limit needs a message when its clock starts.
        if (task.timeoutMs !== undefined) logs.postMessage({ token, started: Date.now() } satisfies StepBroadcast)
      },
    },
  )
  return { outcome, logLines }
}

/**
 * Runs a batch inside a pool worker, one step after the other. Their stored
 * values are made durable together when the last step is done (one round of
 * flushes instead of one per step), before any outcome is reported: a step is
 * reported done only once its value is durable.
 */
export async function runPoolBatch({ common, steps, probe }: PoolBatch): Promise<PoolTaskResult[]> {
  const results: PoolTaskResult[] = []
  try {
    await withSyncBatch(async () => {
      for (let i = 0; i < steps.length; i++) {
        markRunning(probe, i)
        const { task, token } = steps[i]!
        results.push(await runPoolTask({ task: { ...common, ...task }, token, probe }))
      }
    })
  } catch (err) {
    // The batch's values could not be made durable: none of its steps may be recorded as done.
    const error = serializeError(err)
    return results.map((r) =>
      r.outcome.ok ? { ...r, outcome: { ok: false, durationMs: r.outcome.durationMs, error: { ...error, message: `Its stored value could not be made durable: ${error.message}` } } } : r,
    )
  }
  return results
}
