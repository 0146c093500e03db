/**
 * Queue tests: Redis with a random key prefix per test file (concurrent runs
 * never share a queue), and `strata worker` processes each in a temporary
 * project of its own, away from the orchestrator's home, so nothing can work
 * by accident through a shared local folder.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createProject, processTempDir, startCli, type Project, type Started } from '../integration/helpers.js'

export const REDIS_URL = process.env.STRATA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface TestQueue {
  /** `redis://…?prefix=…`: what --queue takes. */
  url: string
  prefix: string
  redis: Redis
  /** A directory every worker writes values to (the shared object store). */
  objects: string
  /** Deletes every key of the prefix and the objects directory. */
  cleanup(): Promise<void>
}

/** A fresh queue (on the test Redis unless `redisUrl` names another); fails loudly when Redis does not answer. */
export async function createTestQueue(redisUrl = REDIS_URL): Promise<TestQueue> {
  const prefix = `strata-test-${randomBytes(6).toString('hex')}`
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: true })
  // Reconnects are expected where a test restarts its Redis; failures surface through the calls.
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    throw new Error(`Redis is unreachable at ${redisUrl} (${(err as Error).message}): the queue tests need it. Start Redis or set STRATA_TEST_REDIS_URL.`)
  }
  const sep = redisUrl.includes('?') ? '&' : '?'
  const objects = mkdtempSync(join(tmpdir(), 'strata-objects-'))
  return {
    url: `${redisUrl}${sep}prefix=${prefix}`,
    prefix,
    redis,
    objects,
    async cleanup() {
      if (redis.status !== 'ready') {
        redis.disconnect()
        rmSync(objects, { recursive: true, force: true })
        return
      }
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
        cursor = next
        if (keys.length) await redis.del(...keys)
      } while (cursor !== '0')
      redis.disconnect()
      rmSync(objects, { recursive: true, force: true })
    },
  }
}

export interface TestWorker {
  project: Project
  started: Started
  pid: number
  /** What the worker printed so far (its step lines). */
  output(): string
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `strata worker` in a project of its own with `defs`, and waits until it serves the queue. */
export async function startWorker(q: TestQueue, defs: string, opts: { concurrency?: number; env?: Record<string, string>; objects?: string } = {}): Promise<TestWorker> {
  const project = createProject(defs)
  const args = ['worker', '-f', join(project.dir, 'definitions.ts'), '--queue', q.url, '--objects', opts.objects ?? q.objects]
  if (opts.concurrency) args.push('--concurrency', String(opts.concurrency))
  const started = startCli(args, { cwd: project.dir, timeoutMs: 15 * 60_000, env: opts.env })
  let stderr = ''
  started.child.stderr!.on('data', (c: Buffer | string) => (stderr += String(c)))
  // Generous: on a loaded machine several workers importing their definitions at once take a while.
  const deadline = Date.now() + 120_000
  while (!/Worker pid \d+/.test(stderr)) {
    if (started.child.exitCode !== null || Date.now() > deadline) {
      started.child.kill('SIGKILL')
      throw new Error(`strata worker did not start within ${Math.round((Date.now() - deadline + 120_000) / 1000)} s (exit ${started.child.exitCode}):\n${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  started.result.catch(() => {})
  return {
    project,
    started,
    pid: started.child.pid!,
    output: () => stderr,
    async kill(signal = 'SIGTERM') {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        started.child.kill(signal)
        // A worker asked to stop lets its running steps finish: not forever in a test.
        const force = setTimeout(() => started.child.kill('SIGKILL'), 10_000)
        await started.result.catch(() => {})
        clearTimeout(force)
      }
      project.cleanup()
    },
  }
}

/** The orchestrator's project: its own home, which no worker can see. */
export function orchestrator(defs: string): Project {
  return createProject(defs)
}

/** Waits until `cond` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A directory the test file and its worker processes share; removed when the test file's process exits. */
export const sharedDir = (prefix = 'strata-queue-') => processTempDir(prefix)

/** Jobs waiting, delayed or running in the queue `name` (steps, or pool-NAME). */
export async function pendingJobs(q: TestQueue, name = 'steps'): Promise<number> {
  const { Queue } = await import('bullmq')
  const queue = new Queue(name, { connection: q.redis, prefix: q.prefix })
  try {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized')
    return Object.values(counts).reduce((a, b) => a + b, 0)
  } finally {
    await queue.close()
  }
}
