import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import type { Redis } from 'ioredis'
import type { Queue, QueueEvents } from 'bullmq'
import type { StrataErrorCode } from '../../../assets/errors.js'
import { serializeError, type StepLogLine, type StepOutcome } from '../../execution/step-types.js'
import type { Executor, ExecutorHealth, ExecutorOptions } from '../types.js'
import { connect, loadBullMQ, parseQueueUrl, queueUrlFrom, waitReachable } from './connection.js'
import { ORCHESTRATOR_BEAT_MS, ORCHESTRATOR_TTL_MS, STEPS_QUEUE, keys, poolQueue, type LogMessage, type QueuedTask, type StepJobData, type StepJobResult } from './protocol.js'
import { listWorkers } from './workers-registry.js'

/** Steps in flight at once (queued or running on workers) unless `concurrency` says otherwise: the workers' own concurrency decides how many run. */
export const DEFAULT_QUEUE_CONCURRENCY = 64
export const DEFAULT_WORKER_TIMEOUT_MS = 30_000
/** How often pending jobs are looked at directly, in case an event was missed (a reconnect, a trimmed stream). */
const WATCH_MS = 1000

function objectsArg(spec: string | undefined): string {
  if (!spec) return 'DIR|URL'
  const shown = spec.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
  return /[\s'"$?&*]/.test(shown) ? `'${shown}'` : shown
}

interface Pending {
  jobId: string
  queue: string
  task: QueuedTask
  onLog: (line: StepLogLine) => void
  resolve: (outcome: StepOutcome) => void
  started: number
  received: number
  expected: number
  done?: () => void
  /** Since when no live worker serves this job's queue (undefined while one does). */
  unserved?: number
  warned: boolean
  /** Consecutive looks that found no such job. */
  missing: number
  /** The job is in the queue (until then, not finding it means nothing). */
  added: boolean
  settled: boolean
}

const failure = (code: StrataErrorCode, name: string, message: string, durationMs: number): StepOutcome => ({ ok: false, durationMs, error: { name, code, message } })

/** The worker timeout from options, else $STRATA_WORKER_TIMEOUT (seconds). */
function workerTimeout(opts: ExecutorOptions): number {
  if (opts.workerTimeoutMs !== undefined) return opts.workerTimeoutMs
  const env = Number(process.env.STRATA_WORKER_TIMEOUT)
  return process.env.STRATA_WORKER_TIMEOUT && Number.isFinite(env) && env > 0 ? env * 1000 : DEFAULT_WORKER_TIMEOUT_MS
}

/**
 * Runs steps on `strata worker` processes through a BullMQ queue in Redis.
 * The orchestrator (this process) still decides readiness, retries and
 * skips, and records every result: a worker only runs the step it is given.
 * Steps of a limited pool go to that pool's queue, whose BullMQ global
 * concurrency is the limit, so it holds across workers and runs. Log lines
 * come back on a pub/sub channel as they are written; results through
 * QueueEvents, with a direct look at pending jobs every second so that a
 * missed event, a vanished job, an unreachable Redis or a queue no worker
 * serves ends the step with a clear error instead of a silent wait.
 */
export function createQueueExecutor(opts: ExecutorOptions = {}): Executor {
  const url = queueUrlFrom(opts.queue)
  const address = parseQueueUrl(url)
  const { prefix } = address
  const concurrency = opts.concurrency ?? DEFAULT_QUEUE_CONCURRENCY
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Concurrency must be a whole number ≥ 1 (got ${concurrency}).`)
  const timeoutMs = workerTimeout(opts)
  const id = randomUUID()
  const pending = new Map<string, Pending>()
  const queues = new Map<string, { queue: Queue; events: QueueEvents; connection: Redis; ready: Promise<unknown> }>()
  let redis: Redis | undefined
  let sub: Redis | undefined
  let started: Promise<void> | undefined
  let timers: NodeJS.Timeout[] = []
  let unreachableSince: number | undefined
  let nextJob = 0
  let closed = false

  const settle = (p: Pending, outcome: StepOutcome) => {
    if (p.settled) return
    p.settled = true
    pending.delete(p.jobId)
    p.resolve(outcome)
  }

  /** A finished job's result: waits (briefly) for log lines still in flight, then settles. */
  const finish = async (p: Pending, result: StepJobResult | undefined) => {
    if (p.settled) return
    if (!result || 'orphaned' in result) return settle(p, failure('STRATA_WORKER_DIED', 'WorkerDied', 'The worker dropped this step: it found no live orchestrator for it.', Date.now() - p.started))
    if (p.received < result.logLines) {
      p.expected = result.logLines
      await new Promise<void>((resolve) => {
        const giveUp = setTimeout(resolve, 2000)
        p.done = () => {
          clearTimeout(giveUp)
          resolve()
        }
      })
    }
    settle(p, result.outcome)
    void queues.get(p.queue)?.queue.remove(p.jobId).catch(() => {})
  }

  const failJob = (p: Pending, reason: string) =>
    settle(
      p,
      /stalled/i.test(reason)
        ? failure('STRATA_WORKER_DIED', 'WorkerDied', `The workers running this step stopped mid-step (killed or lost) more than once: ${reason}. Check the workers' logs and memory.`, Date.now() - p.started)
        : failure('STRATA_WORKER_DIED', 'WorkerDied', `The worker failed this step outside its compute: ${reason}`, Date.now() - p.started),
    )

  const start = async () => {
    redis = connect(address)
    try {
      await waitReachable(redis, address)
    } catch (err) {
      redis.disconnect()
      redis = undefined
      throw err
    }
    await redis.set(keys.orchestrator(prefix, id), String(process.pid), 'PX', ORCHESTRATOR_TTL_MS)
    sub = redis.duplicate()
    sub.on('error', () => {})
    sub.on('message', (_channel: string, text: string) => {
      let message: LogMessage
      try {
        message = JSON.parse(text) as LogMessage
      } catch {
        return
      }
      const p = pending.get(message.jobId)
      if (!p) return
      p.received++
      p.onLog(message.line)
      if (p.received >= p.expected) p.done?.()
    })
    await sub.subscribe(keys.logs(prefix, id))
    timers = [
      setInterval(() => void redis?.set(keys.orchestrator(prefix, id), String(process.pid), 'PX', ORCHESTRATOR_TTL_MS).catch(() => {}), ORCHESTRATOR_BEAT_MS),
      setInterval(() => void watch().catch(() => {}), WATCH_MS),
    ]
  }

  const queueFor = (name: string, limit?: number) => {
    let q = queues.get(name)
    if (!q) {
      const { Queue, QueueEvents } = loadBullMQ()
      const queue = new Queue(name, { connection: redis!, prefix })
      queue.on('error', () => {})
      const eventsConnection = redis!.duplicate()
      eventsConnection.on('error', () => {})
      // From a moment ago rather than '$': a job finishing before the first read is not missed.
      const events = new QueueEvents(name, { connection: eventsConnection, prefix, lastEventId: `${Date.now() - 1000}-0` })
      events.on('error', () => {})
      events.on('completed', ({ jobId, returnvalue }) => {
        const p = pending.get(jobId)
        if (!p) return
        let result: StepJobResult | undefined
        try {
          result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as StepJobResult
        } catch {
          // Unreadable here: the next look at the job reads it from the job itself.
          return
        }
        void finish(p, result)
      })
      events.on('failed', ({ jobId, failedReason }) => {
        const p = pending.get(jobId)
        if (p) failJob(p, failedReason)
      })
      const ready = Promise.all([events.waitUntilReady(), limit !== undefined ? queue.setGlobalConcurrency(limit) : undefined])
      q = { queue, events, connection: eventsConnection, ready }
      queues.set(name, q)
      // A failed start is not kept: the next step tries again.
      ready.catch(() => {
        if (queues.get(name) !== q) return
        queues.delete(name)
        void events.close().catch(() => {})
        void queue.close().catch(() => {})
        eventsConnection.disconnect()
      })
    }
    return q
  }

  /** Looks at every pending job: catches missed results, vanished jobs, a queue nobody serves, an unreachable Redis. */
  const watch = async () => {
    if (pending.size === 0 || !redis) return
    const now = Date.now()
    if (redis.status !== 'ready') {
      unreachableSince ??= now
      if (now - unreachableSince > timeoutMs) {
        for (const p of [...pending.values()]) {
          settle(p, failure('STRATA_QUEUE_UNREACHABLE', 'QueueUnreachable', `Lost the queue's Redis at ${address.where} for over ${Math.round(timeoutMs / 1000)} s while this step was queued or running: the step failed rather than wait forever. Check that Redis is up, then run it again.`, now - p.started))
        }
      }
      return
    }
    unreachableSince = undefined
    const served = new Set((await listWorkers(redis, prefix)).flatMap((w) => w.queues))
    for (const p of [...pending.values()]) {
      if (p.settled || !p.added || now - p.started < WATCH_MS) continue
      const q = queues.get(p.queue)!
      const state = await q.queue.getJobState(p.jobId)
      if (p.settled) continue
      if (state === 'completed') {
        const job = await q.queue.getJob(p.jobId)
        void finish(p, job?.returnvalue as StepJobResult | undefined)
        continue
      }
      if (state === 'failed') {
        const job = await q.queue.getJob(p.jobId)
        failJob(p, job?.failedReason ?? 'unknown reason')
        continue
      }
      if (state === 'unknown') {
        // Twice in a row: a job removed between two looks is not lost if its result is on its way.
        if (++p.missing >= 2) {
          settle(p, failure('STRATA_QUEUE_LOST', 'QueueLost', `This step's job vanished from the queue at ${address.where} (Redis restarted without persistence, or the queue was emptied): the step failed rather than wait forever. Run it again.`, now - p.started))
        }
        continue
      }
      p.missing = 0
      if (served.has(p.queue)) {
        p.unserved = undefined
        continue
      }
      p.unserved ??= now
      if (!p.warned) {
        p.warned = true
        p.onLog({ ts: now, level: 'warn', message: `No strata worker is serving queue "${p.queue}" at ${address.where}${prefixText()}: waiting up to ${Math.round(timeoutMs / 1000)} s for one. ${startHint(p)}` })
      }
      if (now - p.unserved >= timeoutMs) {
        // Removed so that a worker starting later does not run it for nobody.
        await q.queue.remove(p.jobId).catch(() => 0)
        settle(
          p,
          failure(
            'STRATA_NO_WORKERS',
            'NoWorkers',
            `No strata worker served queue "${p.queue}" at ${address.where} for ${Math.round(timeoutMs / 1000)} s${state === 'active' ? ' (the worker that took the step is gone)' : ''}. ${startHint(p)} Check running workers with strata workers --queue ${url}.`,
            now - p.started,
          ),
        )
      }
    }
  }

  const prefixText = () => (prefix === 'strata' ? '' : ` (prefix ${prefix})`)
  // Names the object store this run writes to: a worker must share it.
  const startHint = (p?: Pending) => `Start one with: strata worker -f DEFINITIONS --queue ${url} --objects ${objectsArg(p?.task.objects)}${queuesHint()}.`
  const queuesHint = () => ([...pending.values()].some((p) => p.queue !== STEPS_QUEUE) ? ' (a worker serves the pools its definitions declare)' : '')

  const ensureStarted = () => {
    started ??= start()
    started.catch(() => (started = undefined))
    return started
  }

  return {
    name: 'queue',
    concurrency,
    canStopSteps: true,
    threadsStarted: 0,
    async runStep(task, onLog, stop) {
      if (closed) throw new Error('This queue executor was closed; create another to run steps.')
      const t0 = Date.now()
      const jobId = `${id}.${++nextJob}`
      const queueName = task.pool ? poolQueue(task.pool.name) : STEPS_QUEUE
      const { defsPath, defsVersion: _version, ...queued } = task
      const data: StepJobData = { task: queued, codeVersion: task.codeVersion ?? '', definitions: basename(defsPath), orchestrator: id }
      let q: ReturnType<typeof queueFor>
      try {
        await ensureStarted()
        q = queueFor(queueName, task.pool?.limit)
        await q.ready
      } catch (err) {
        const e = serializeError(err)
        return { ok: false, durationMs: Date.now() - t0, error: { ...e, code: e.code ?? 'STRATA_QUEUE_UNREACHABLE' } }
      }
      return new Promise<StepOutcome>((resolve) => {
        const p: Pending = { jobId, queue: queueName, task: queued, onLog, resolve, started: t0, received: 0, expected: Infinity, warned: false, missing: 0, added: false, settled: false }
        const onStop = () => {
          // Still queued: removed, it never runs. Running: its worker stops it (the pool terminates its thread) and reports it CANCELED.
          void q.queue
            .remove(jobId)
            .then((removed) => {
              if (removed) settle(p, failure('STRATA_CANCELED', 'Canceled', 'Canceled before a worker took it.', Date.now() - t0))
              else return redis!.publish(keys.cancel(prefix), jobId)
            })
            .catch(() => {})
        }
        const resolveOnce = p.resolve
        p.resolve = (outcome) => {
          stop?.removeEventListener('abort', onStop)
          resolveOnce(outcome)
        }
        pending.set(jobId, p)
        q.queue
          .add('step', data, { jobId, removeOnComplete: { age: 600 }, removeOnFail: { age: 3600 } })
          .then(() => {
            p.added = true
            stop?.addEventListener('abort', onStop, { once: true })
            if (stop?.aborted) onStop()
          })
          .catch((err: unknown) => settle(p, failure('STRATA_QUEUE_UNREACHABLE', 'QueueUnreachable', `Could not queue this step at ${address.where}: ${(err as Error).message}`, Date.now() - t0)))
      })
    },
    async health(): Promise<ExecutorHealth> {
      try {
        await ensureStarted()
        const workers = await listWorkers(redis!, prefix)
        const slots = workers.reduce((n, w) => n + w.concurrency, 0)
        return workers.length > 0
          ? { ok: true, workers: workers.length, message: `${workers.length} worker(s) on ${address.where} (${slots} step slots)` }
          : { ok: false, workers: 0, message: `No strata worker is running on ${address.where}${prefixText()} yet: steps wait up to ${Math.round(timeoutMs / 1000)} s for one. ${startHint()}` }
      } catch (err) {
        return { ok: false, workers: 0, message: (err as Error).message }
      }
    },
    async close() {
      closed = true
      for (const t of timers) clearInterval(t)
      for (const p of [...pending.values()]) {
        // Queued: removed. Running: stopped on its worker, nobody would record its result.
        const removed = await queues.get(p.queue)?.queue.remove(p.jobId).catch(() => 0)
        if (!removed) await redis?.publish(keys.cancel(prefix), p.jobId).catch(() => {})
        settle(p, failure('STRATA_CANCELED', 'Canceled', 'The queue executor was closed while this step was pending.', Date.now() - p.started))
      }
      await started?.catch(() => {})
      await Promise.all([...queues.values()].map(async ({ queue, events }) => Promise.all([events.close().catch(() => {}), queue.close().catch(() => {})])))
      for (const { connection } of queues.values()) connection.disconnect()
      if (redis) await redis.del(keys.orchestrator(prefix, id)).catch(() => {})
      sub?.disconnect()
      redis?.disconnect()
    },
  }
}
