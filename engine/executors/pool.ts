import { availableParallelism } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { StepLogLine, StepOutcome } from '../execution/step-types.js'
import { END_OF_LOGS } from '../execution/step-types.js'
import type { Executor, ExecutorOptions } from './types.js'

/**
 * Worker-thread pool (piscina). Each worker imports the definitions module
 * itself and reads/writes values through the IO managers, so values never
 * pass through the main thread: only locations and outcomes do.
 */
export function createPoolExecutor(opts: ExecutorOptions = {}): Executor {
  const concurrency = Math.max(1, opts.concurrency ?? availableParallelism())
  const pool = new Piscina({
    filename: new URL('./pool-worker.mjs', import.meta.url).href,
    minThreads: concurrency,
    maxThreads: concurrency,
    // Queue in the orchestrator, not here: it knows dependencies and pool limits.
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  })
  return {
    name: 'pool',
    concurrency,
    async runStep(task, onLog) {
      const { port1, port2 } = new MessageChannel()
      const logsDone = new Promise<void>((resolve) => {
        port1.on('message', (line: StepLogLine | typeof END_OF_LOGS) => {
          if (line === END_OF_LOGS) resolve()
          else onLog(line)
        })
        port1.on('close', () => resolve())
      })
      const started = performance.now()
      try {
        const outcome = (await pool.run({ task, port: port2 }, { transferList: [port2] })) as StepOutcome
        await logsDone
        return outcome
      } catch (err) {
        // The worker died (process.exit in the thread, out of memory, a crash outside the step's try).
        const e = err as Error
        return {
          ok: false,
          durationMs: performance.now() - started,
          error: {
            name: 'WorkerDied',
            code: 'STRATA_WORKER_DIED',
            message: `The worker running this step died: ${e.message}`,
            stack: e.stack,
          },
        }
      } finally {
        port1.close()
      }
    },
    async close() {
      await pool.destroy()
    },
  }
}
