import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import type { Job, Worker } from 'bullmq'
import type { Definitions } from '../../../assets/types.js'
import { loadDefinitions } from '../../definitions/load.js'
import type { StepLogLine, StepOutcome } from '../../execution/step-types.js'
import { definitionsVersion } from '../defs-version.js'
import { createPoolExecutor } from '../pool.js'
import { connect, loadBullMQ, parseQueueUrl, waitReachable } from './connection.js'
import { HEARTBEAT_MS, LOCK_MS, MAX_STALLED, STALLED_CHECK_MS, keys, queuesFor, type StepJobData, type StepJobResult, type WorkerInfo } from './protocol.js'
import { beat, forget } from './workers-registry.js'

export interface QueueWorkerOptions {
  /** The definitions file (absolute or relative to the current directory). */
  defsPath: string
  /** The queue's Redis URL (see ExecutorOptions.queue). @defaultValue the definitions' `executor.queue` */
  queue?: string
  /**
   * The object store shared with the orchestrator and the other workers, as
   * this host opens it: a directory (a shared volume) or a `postgres://` URL.
   * @defaultValue the store the orchestrator names in each step
   */
  objects?: string
  /** The storage `ctx.registry` reads, as this host reaches it. @defaultValue the orchestrator's, as each step names it */
  storage?: string
  /** Steps this process runs at once, each on its own thread. @defaultValue the number of CPUs */
  concurrency?: number
  onEvent?: (event: QueueWorkerEvent) => void
}

export type QueueWorkerEvent =
  | { type: 'step-start'; jobId: string; runId: string; assetKey: string; partitionKeys: string[]; attempt: number }
  | { type: 'step-end'; jobId: string; runId: string; assetKey: string; partitionKeys: string[]; outcome: StepOutcome }
  /** A job whose orchestrator is gone: dropped without running. */
  | { type: 'orphaned'; jobId: string; assetKey: string }
  /** The connection to the queue's Redis was lost (`up: false`) or is back. */
  | { type: 'connection'; up: boolean; where: string }

export interface QueueWorker {
  readonly info: WorkerInfo
  /** The queue URL it serves. */
  readonly queue: string
  /**
   * Stops taking steps; with `force` false, running steps finish first (their
   * results reach the orchestrator), else they are stopped and BullMQ hands
   * them to another worker.
   */
  close(force?: boolean): Promise<void>
}

/**
 * A `strata worker`: takes steps from the queue (and from the queue of each
 * pool its definitions declare) and runs each on a thread of its own piscina
 * pool, with its own definitions checked against the code version the run
 * planned with. Results go back through BullMQ; log lines are published as
 * they are written. A heartbeat key with a TTL says it is alive.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const defsPath = resolve(opts.defsPath)
  // A directory is made absolute: the pool's threads may not share this process's idea of the current directory.
  const objects = opts.objects === undefined ? undefined : /^[a-z][a-z0-9+.-]*:\/\//i.test(opts.objects) ? opts.objects : resolve(opts.objects)
  if (objects && !objects.includes('://')) mkdirSync(objects, { recursive: true })
  let version = definitionsVersion(defsPath)
  let defs: Definitions = await loadDefinitions(defsPath)
  const address = parseQueueUrl(opts.queue ?? defs.executor?.queue)
  const { prefix } = address
  const pool = createPoolExecutor({ concurrency: opts.concurrency, keepAlive: true })
  const redis = connect(address)
  await waitReachable(redis, address).catch(async (err) => {
    redis.disconnect()
    await pool.close()
    throw err
  })
  const sub = redis.duplicate()
  sub.on('error', () => {})
  let up = true
  redis.on('close', () => {
    if (up) opts.onEvent?.({ type: 'connection', up: (up = false), where: address.where })
  })
  redis.on('ready', () => {
    if (!up) opts.onEvent?.({ type: 'connection', up: (up = true), where: address.where })
  })
  const host = hostname()
  const info: WorkerInfo = {
    id: randomUUID(),
    host,
    pid: process.pid,
    concurrency: pool.concurrency,
    queues: queuesFor(defs.pools).map((q) => q.name),
    definitions: defsPath,
    startedAt: Date.now(),
    lastHeartbeat: Date.now(),
    steps: [],
  }
  const running = new Map<string, WorkerInfo['steps'][number] & { orchestrator: string }>()

  let versionCheckedAt = Date.now()
  /**
   * The definitions as they are now: a changed file is imported again (the
   * pool starts new threads for it too). Looked at once a second at most:
   * stat'ing the import graph for every trivial step would cost more than the step.
   */
  const current = async () => {
    if (Date.now() - versionCheckedAt < 1000) return defs
    versionCheckedAt = Date.now()
    const now = definitionsVersion(defsPath)
    if (now !== version) {
      defs = await loadDefinitions(defsPath, now)
      version = now
    }
    return defs
  }

  /** Orchestrators seen alive in the last second: one round trip per step saved. */
  const aliveAt = new Map<string, number>()
  const orchestratorAlive = async (id: string) => {
    const seen = aliveAt.get(id)
    if (seen !== undefined && Date.now() - seen < 1000) return true
    const alive = (await redis.exists(keys.orchestrator(prefix, id))) === 1
    if (alive) aliveAt.set(id, Date.now())
    else aliveAt.delete(id)
    if (aliveAt.size > 1000) aliveAt.clear()
    return alive
  }

  const process_ = async (job: Job<StepJobData>, _token?: string, signal?: AbortSignal): Promise<StepJobResult> => {
    const { task, codeVersion, orchestrator } = job.data
    const jobId = job.id!
    if (!(await orchestratorAlive(orchestrator))) {
      opts.onEvent?.({ type: 'orphaned', jobId, assetKey: task.assetKey })
      return { orphaned: true }
    }
    let logLines = 0
    const channel = keys.logs(prefix, orchestrator)
    const publish = (line: StepLogLine) => {
      logLines++
      void redis.publish(channel, JSON.stringify({ jobId, line })).catch(() => {})
    }
    const base = { jobId, runId: task.runId, assetKey: task.assetKey, partitionKeys: task.partitionKeys }
    opts.onEvent?.({ type: 'step-start', ...base, attempt: task.attempt })
    publish({ ts: Date.now(), level: 'info', message: `Running on ${host} (strata worker pid ${process.pid})` })
    running.set(jobId, { ...base, startedAt: Date.now(), orchestrator })
    let outcome: StepOutcome
    try {
      const mine = (await current()).byKey.get(task.assetKey)
      if (!mine || mine.codeVersion !== codeVersion) {
        const has = mine ? `code version ${mine.codeVersion}` : 'no such asset'
        outcome = {
          ok: false,
          durationMs: 0,
          error: {
            name: 'CodeMismatch',
            code: 'STRATA_CODE_MISMATCH',
            message: `Code version mismatch for "${task.assetKey}": the run planned code version ${codeVersion} (definitions ${job.data.definitions}), but the worker on ${host} (pid ${process.pid}) has ${has} in ${defsPath}. Deploy the same definitions to every worker and restart them, then run it again.`,
          },
        }
      } else {
        outcome = await pool.runStep(
          { ...task, defsPath, defsVersion: version, ...(objects ? { objects } : {}), ...(opts.storage ? { storage: opts.storage } : {}) },
          publish,
          signal,
        )
      }
    } finally {
      running.delete(jobId)
    }
    opts.onEvent?.({ type: 'step-end', ...base, outcome })
    return { outcome, logLines, host, pid: process.pid }
  }

  const { Worker } = loadBullMQ()
  const workers: Worker[] = queuesFor(defs.pools).map(({ name, limit }) => {
    const w = new Worker<StepJobData, StepJobResult>(name, process_, {
      connection: redis,
      prefix,
      concurrency: Math.min(pool.concurrency, limit ?? Infinity),
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: MAX_STALLED,
    })
    w.on('error', () => {})
    return w
  })

  sub.on('message', (_channel: string, jobId: string) => {
    for (const w of workers) w.cancelJob(jobId, 'canceled by its run')
  })
  await sub.subscribe(keys.cancel(prefix))

  const heartbeat = async () => {
    info.lastHeartbeat = Date.now()
    info.steps = [...running.values()].map(({ orchestrator: _o, ...s }) => s)
    await beat(redis, prefix, info)
    // A step whose orchestrator died is stopped: nobody would record its result.
    for (const [jobId, step] of running) {
      if (!(await redis.exists(keys.orchestrator(prefix, step.orchestrator)))) for (const w of workers) w.cancelJob(jobId, 'its orchestrator is gone')
    }
  }
  await heartbeat()
  const timer = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS)
  await Promise.all(workers.map((w) => w.waitUntilReady()))

  return {
    info,
    queue: opts.queue ?? defs.executor!.queue!,
    async close(force = false) {
      // Still beating while running steps finish: an orchestrator would otherwise take the worker for gone.
      await Promise.all(workers.map((w) => w.close(force).catch(() => {})))
      clearInterval(timer)
      await forget(redis, prefix, info.id).catch(() => {})
      await pool.close()
      sub.disconnect()
      redis.disconnect()
    },
  }
}
