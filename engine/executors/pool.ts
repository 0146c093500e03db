import { randomUUID } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { BroadcastChannel } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { LOG_CHANNEL, type StepLogLine, type StepOutcome, type TokenedLogLine } from '../execution/step-types.js'
import { chooseConcurrency } from './concurrency.js'
import type { PoolTaskResult } from './pool-task.js'
import type { Executor, ExecutorOptions } from './types.js'
import type { StrataErrorCode } from '../../assets/errors.js'

interface LogSink {
  onLog: (line: StepLogLine) => void
  received: number
  expected: number
  done?: () => void
}

/**
 * Worker-thread pool (piscina). Each worker imports the definitions module
 * itself and reads/writes values through the IO managers, so values never
 * pass through the main thread: only locations and outcomes do.
 *
 * Threads start only when a step needs one (minThreads 0): each costs tens of
 * milliseconds and megabytes to import the definitions, so a run of one step
 * starts one thread whatever the concurrency.
 */
export function createPoolExecutor(opts: ExecutorOptions = {}): Executor {
  const { concurrency } = chooseConcurrency(opts.concurrency, availableParallelism())
  // Required on first use: commands that never run steps (list, why, status) do not load it.
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina')
  const pool = new Piscina({
    filename: new URL('./pool-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: concurrency,
    // Queue in the orchestrator, not here: it knows dependencies and pool limits.
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  })
  let threadsStarted = 0
  pool.on('workerCreate', () => threadsStarted++)
  const sinks = new Map<string, LogSink>()
  const logs = new BroadcastChannel(LOG_CHANNEL)
  logs.onmessage = (event) => {
    const { token, line } = (event as { data: TokenedLogLine }).data
    const sink = sinks.get(token)
    if (!sink) return
    sink.received++
    sink.onLog(line)
    if (sink.received >= sink.expected) sink.done?.()
  }
  return {
    name: 'pool',
    concurrency,
    canStopSteps: true,
    get threadsStarted() {
      return threadsStarted
    },
    async runStep(task, onLog, stop) {
      const token = randomUUID()
      const sink: LogSink = { onLog, received: 0, expected: Infinity }
      sinks.set(token, sink)
      const started = performance.now()
      try {
        // Aborting `stop` makes piscina terminate the thread running the step (a loop that never yields included).
        const { outcome, logLines } = (await pool.run({ task, token }, stop ? { signal: stop } : {})) as PoolTaskResult
        // Log lines and the result travel on different channels: wait for the stragglers.
        if (sink.received < logLines) {
          sink.expected = logLines
          await new Promise<void>((resolve) => {
            sink.done = resolve
            setTimeout(resolve, 2000).unref()
          })
        }
        return outcome
      } catch (err) {
        const durationMs = performance.now() - started
        if (stop?.aborted) return stoppedOutcome(durationMs)
        // The worker died (process.exit in the thread, out of memory, a crash outside the step's try).
        const e = err as Error
        return {
          ok: false,
          durationMs,
          error: {
            name: 'WorkerDied',
            code: 'STRATA_WORKER_DIED',
            message: `The worker running this step died: ${e.message}`,
            stack: e.stack,
          },
        }
      } finally {
        sinks.delete(token)
      }
    },
    async close() {
      logs.close()
      await pool.destroy()
    },
  }
}

function stoppedOutcome(durationMs: number): StepOutcome {
  return { ok: false, durationMs, error: { name: 'Canceled', code: 'STRATA_CANCELED' satisfies StrataErrorCode, message: 'Canceled: the run was canceled and its worker thread was terminated.' } }
}
