import { randomUUID } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { BroadcastChannel } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { LOG_CHANNEL, type StepBroadcast, type StepLogLine, type StepOutcome } from '../execution/step-types.js'
import { chooseConcurrency } from './concurrency.js'
import { Generations } from './pool-generations.js'
import { newTaskProbe, runningIndex } from './task-probe.js'
import type { BatchCommon, PoolBatch, PoolTaskResult } from './pool-task.js'
import { timeoutOutcome } from './timeout.js'
import type { Executor, ExecutorOptions } from './types.js'
import type { StrataErrorCode } from '../../assets/errors.js'

interface StepSink {
  onLog: (line: StepLogLine) => void
  received: number
  expected: number
  done?: () => void
  /** The worker says the compute is about to start (at `startedAt`, its clock): the step's time limit counts from then. */
  onStart?: (startedAt: number) => void
}

/** Idle threads retire after this long (a warm pool keeps one). */
const IDLE_MS = 60_000

/** A pool executor, with what its threads are doing (for tests and benchmarks). */
export interface PoolExecutor extends Executor {
  /** Threads alive now (those of superseded definitions included until their steps end). */
  readonly threadsAlive: number
}

/**
 * Worker-thread pool (piscina). Each worker imports the definitions module
 * itself and reads/writes values through the IO managers, so values never
 * pass through the main thread: only locations and outcomes do.
 *
 * Threads start only when a step needs one (minThreads 0): each costs tens of
 * milliseconds and megabytes to import the definitions, so a run of one step
 * starts one thread whatever the concurrency. With `keepAlive` one thread is
 * kept (and replaced if a step's limit or a cancel terminates it), so runs
 * after the first start their steps on a thread that has the definitions.
 * Threads are grouped by the version of the definitions' files (see
 * pool-generations.ts): a change gets new threads, never a second import.
 */
export function createPoolExecutor(opts: ExecutorOptions = {}): PoolExecutor {
  const { concurrency } = chooseConcurrency(opts.concurrency, availableParallelism())
  // Required on first use: commands that never run steps (list, why, status) do not load it.
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina')
  const generations = new Generations(() => {
    const pool = new Piscina({
      filename: new URL('./pool-worker.mjs', import.meta.url).href,
      minThreads: opts.keepAlive ? 1 : 0,
      maxThreads: concurrency,
      // Queue in the orchestrator, not here: it knows dependencies and pool limits.
      concurrentTasksPerWorker: 1,
      idleTimeout: IDLE_MS,
    })
    // A thread that fails with no step on it (one kept warm that could not start, say) has no step to fail:
    // piscina emits the error here, and unheard it would end the process. The next step starts a new thread.
    pool.on('error', (err: Error) => {
      process.stderr.write(`strata: a worker thread failed between steps: ${err?.message ?? String(err)} (the next step starts on a new thread)\n`)
    })
    return pool
  }, concurrency)
  const sinks = new Map<string, StepSink>()
  const logs = new BroadcastChannel(LOG_CHANNEL)
  logs.onmessage = (event) => {
    const message = (event as { data: StepBroadcast }).data
    const sink = sinks.get(message.token)
    if (!sink) return
    if ('started' in message) return sink.onStart?.(message.started)
    sink.received++
    sink.onLog(message.line)
    if (sink.received >= sink.expected) sink.done?.()
  }
  // The channel must not keep a process alive on its own (a warm pool left open by a script).
  ;(logs as unknown as { unref(): void }).unref()
  let closed = false
  /** Where a step's log lines, broadcast by its worker under `token`, are delivered. */
  const openSink = (onLog: (line: StepLogLine) => void) => {
    const token = randomUUID()
    const sink: StepSink = { onLog, received: 0, expected: Infinity }
    sinks.set(token, sink)
    return { token, sink }
  }
  return {
    name: 'pool',
    concurrency,
    canStopSteps: true,
    get threadsStarted() {
      return generations.threadsStarted
    },
    get threadsAlive() {
      return generations.threads
    },
    async runStep(task, onLog, stop) {
      if (closed) throw new Error('This pool executor was closed; create another to run steps.')
      const { token, sink } = openSink(onLog)
      const started = performance.now()
      const abort = followStop(stop)
      let limit: NodeJS.Timeout | undefined
      let timedOut = false
      let computeStarted = started
      let finished = false
      if (task.timeoutMs !== undefined) {
        sink.onStart = (startedAt) => {
          if (finished || limit) return
          // The message may have waited for this thread: count from when the worker sent it.
          const late = Math.max(0, Date.now() - startedAt)
          computeStarted = performance.now() - late
          limit = setTimeout(() => {
            timedOut = true
            abort.controller.abort()
          }, Math.max(0, task.timeoutMs! - late))
        }
      }
      const probe = newTaskProbe()
      const generation = generations.acquire(task.defsVersion)
      try {
        await generation.growth.enter(probe, 1, abort.controller.signal)
        const { outcome, logLines } = (await generation.pool.run({ task, token, probe }, { signal: abort.controller.signal })) as PoolTaskResult
        generation.growth.observe(outcome.durationMs)
        finished = true
        clearTimeout(limit)
        await allLogs(sink, logLines)
        return outcome
      } catch (err) {
        finished = true
        clearTimeout(limit)
        const durationMs = performance.now() - started
        if (timedOut) return timeoutOutcome(task, performance.now() - computeStarted, 'its worker thread was terminated')
        if (stop?.aborted) return stoppedOutcome(durationMs)
        return diedOutcome(err, durationMs)
      } finally {
        abort.dispose()
        generation.growth.leave(probe)
        generations.release(generation)
        sinks.delete(token)
      }
    },
    runBatch(steps, stop) {
      if (steps.length === 1) return [this.runStep(steps[0]!.task, steps[0]!.onLog, stop)]
      if (closed) throw new Error('This pool executor was closed; create another to run steps.')
      const run = async (): Promise<StepOutcome[]> => {
        const first = steps[0]!.task
        const common: BatchCommon = { runId: first.runId, defsPath: first.defsPath, defsVersion: first.defsVersion, objects: first.objects, storage: first.storage, servingLogs: first.servingLogs }
        const opened = steps.map((s) => openSink(s.onLog))
        const batch: PoolBatch = {
          common,
          steps: steps.map(({ task }, i) => {
            const { runId, defsPath, defsVersion, objects, storage, servingLogs, ...own } = task
            return { task: own, token: opened[i]!.token }
          }),
          probe: newTaskProbe(),
        }
        const started = performance.now()
        const abort = followStop(stop)
        const generation = generations.acquire(first.defsVersion)
        try {
          await generation.growth.enter(batch.probe, steps.length, abort.controller.signal)
          const results = (await generation.pool.run(batch, { name: 'runPoolBatch', signal: abort.controller.signal })) as PoolTaskResult[]
          for (const r of results) generation.growth.observe(r.outcome.durationMs)
          await Promise.all(results.map((r, i) => allLogs(opened[i]!.sink, r.logLines)))
          return results.map((r) => r.outcome)
        } catch (err) {
          const durationMs = performance.now() - started
          if (stop?.aborted) return steps.map(() => stoppedOutcome(durationMs))
          // The thread died: the step it was running fails, as it would alone; the others (done but not
          // reported, or not started) run again, each on its own, so a crash never fails a bystander.
          const crashed = runningIndex(batch.probe)
          // Left now, not only in `finally`: the steps run again below must not wait behind a dead task.
          generation.growth.leave(batch.probe)
          const outcomes: StepOutcome[] = []
          for (let i = 0; i < steps.length; i++) {
            outcomes.push(i === crashed ? diedOutcome(err, durationMs) : await this.runStep(steps[i]!.task, steps[i]!.onLog, stop))
          }
          return outcomes
        } finally {
          abort.dispose()
          generation.growth.leave(batch.probe)
          generations.release(generation)
          for (const { token } of opened) sinks.delete(token)
        }
      }
      const all = run()
      return steps.map((_, i) => all.then((outcomes) => outcomes[i]!))
    },
    async close() {
      closed = true
      logs.close()
      await generations.close()
    },
  }
}

/**
 * An abort controller that follows the run's `stop` signal until disposed:
 * aborting makes piscina terminate the thread running the task (a loop that
 * never yields included) and start another if one must stay.
 */
function followStop(stop?: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController()
  const onStop = () => controller.abort()
  stop?.addEventListener('abort', onStop, { once: true })
  if (stop?.aborted) controller.abort()
  return { controller, dispose: () => stop?.removeEventListener('abort', onStop) }
}

/** Log lines and the result travel on different channels: waits for the stragglers. */
async function allLogs(sink: StepSink, logLines: number): Promise<void> {
  if (sink.received >= logLines) return
  sink.expected = logLines
  // A referenced timer: with the channel unreferenced and the thread idle, nothing else may keep
  // the event loop alive while the last lines are in flight (the process would exit mid-run).
  await new Promise<void>((resolve) => {
    const giveUp = setTimeout(resolve, 2000)
    sink.done = () => {
      clearTimeout(giveUp)
      resolve()
    }
  })
}

/** The worker died (process.exit in the thread, out of memory, a crash outside the step's try). */
function diedOutcome(err: unknown, durationMs: number): StepOutcome {
  const e = err as Error
  return { ok: false, durationMs, error: { name: 'WorkerDied', code: 'STRATA_WORKER_DIED', message: `The worker running this step died: ${e.message}`, stack: e.stack } }
}

function stoppedOutcome(durationMs: number): StepOutcome {
  return { ok: false, durationMs, error: { name: 'Canceled', code: 'STRATA_CANCELED' satisfies StrataErrorCode, message: 'Canceled: the run was canceled and its worker thread was terminated.' } }
}
