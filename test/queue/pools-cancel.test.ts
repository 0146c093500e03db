// Named pools hold across workers and runs (the pool's queue has the limit as
// its global concurrency); a canceled run stops its step on the worker; an
// orchestrator killed mid-step leaves its run failed and the queue empty.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { get, stepsByKey, type Project } from '../integration/helpers.js'
import { createTestQueue, orchestrator, pendingJobs, sharedDir, startWorker, until, type TestQueue, type TestWorker } from './helpers.js'

const marks = join(sharedDir(), 'marks.txt')
writeFileSync(marks, '')

const DEFS = `import { appendFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const mark = (what, key) => appendFileSync(${JSON.stringify(marks)}, what + ' ' + key + ' ' + process.pid + ' ' + Date.now() + '\\n')
const inPool = [0, 1, 2, 3].map((i) => asset({
  key: 'db' + i,
  pool: 'db',
  compute: async (ctx) => { mark('start', ctx.assetKey); await new Promise((r) => setTimeout(r, 600)); mark('end', ctx.assetKey); return i },
}))
export const sleepy = asset({ key: 'sleepy', compute: async (ctx) => { mark('start', ctx.assetKey); await new Promise((r) => setTimeout(r, 60_000)); return 1 } })
export default defineDefinitions({ assets: [...inPool, sleepy], pools: { db: 2 } })
`

const lines = () =>
  readFileSync(marks, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [what, key, pid, ms] = l.split(' ')
      return { what: what!, key: key!, pid: Number(pid), ms: Number(ms) }
    })

/** The most steps of the pool running at one time, from their start and end marks. */
function maxConcurrent(events: ReturnType<typeof lines>): number {
  const sorted = events.filter((e) => e.key.startsWith('db')).sort((a, b) => a.ms - b.ms || (a.what === 'end' ? -1 : 1))
  let now = 0
  let max = 0
  for (const e of sorted) max = Math.max(max, (now += e.what === 'start' ? 1 : -1))
  return max
}

let q: TestQueue
let a: Project
let b: Project
const workers: TestWorker[] = []

before(async () => {
  q = await createTestQueue()
  a = orchestrator(DEFS)
  b = orchestrator(DEFS)
  // One step at a time each: three workers could run three pool steps at once, were it not for the pool's limit.
  workers.push(...(await Promise.all([1, 2, 3].map(() => startWorker(q, DEFS, { concurrency: 1 })))))
})
after(async () => {
  await Promise.all(workers.map((w) => w.kill()))
  a.cleanup()
  b.cleanup()
  await q.cleanup()
})

const queueArgs = () => ['--executor', 'queue', '--queue', q.url, '--json']
const POOLED = ['db0', 'db1', 'db2', 'db3']

describe('queue executor: pools, cancel, orchestrator kill', () => {
  it('a pool limit of 2 holds across three workers and two concurrent runs', { timeout: 120_000 }, async () => {
    // Each run alone keeps at most 2 of its steps in the pool; together they would run 4 at once without the queue's limit.
    const [ra, rb] = await Promise.all([a.ok(['materialize', ...POOLED, ...queueArgs()]), b.ok(['materialize', ...POOLED, ...queueArgs()])])
    for (const r of [ra, rb]) for (const s of stepsByKey(r).values()) assert.equal(s.status, 'SUCCESS')
    const events = lines()
    assert.equal(events.filter((e) => e.what === 'start').length, 8)
    assert.equal(maxConcurrent(events), 2, `at most 2 at once, and 2 did run together: ${JSON.stringify(events)}`)
    assert.ok(new Set(events.map((e) => e.pid)).size >= 2, 'the pool steps ran on several workers')
  })

  it('canceling a run stops its step on the worker, which goes on serving', { timeout: 120_000 }, async () => {
    const before = lines().length
    const run = a.start(['materialize', 'sleepy', '--grace', '0.5', ...queueArgs()], { timeoutMs: 90_000 })
    await until(() => lines().slice(before).some((e) => e.key === 'sleepy'), 'sleepy started')
    const ranOn = workers.find((w) => w.pid === lines().slice(before).find((e) => e.key === 'sleepy')!.pid)!
    const t0 = Date.now()
    run.child.kill('SIGINT')
    const r = await run.result
    assert.equal(r.code, 130, r.stderr)
    const step = get(stepsByKey(r), 'sleepy')
    assert.equal(step.skipReason, 'CANCELED')
    assert.ok(Date.now() - t0 < 20_000, 'canceled within the grace period, not after the 60 s compute')
    await until(() => /stop +sleepy/.test(ranOn.output()), 'the worker stopped the step', 15_000)
    assert.equal(await pendingJobs(q), 0)
    const again = await a.ok(['materialize', 'db0', ...queueArgs()])
    assert.equal(get(stepsByKey(again), 'db0').status, 'SUCCESS')
  })

  it('an orchestrator killed mid-step: its step is stopped, the queue is left empty, the next command marks the run failed', { timeout: 120_000 }, async () => {
    const before = lines().length
    const run = b.start(['materialize', 'sleepy', ...queueArgs()], { timeoutMs: 90_000 })
    await until(() => lines().slice(before).some((e) => e.key === 'sleepy'), 'sleepy started')
    const ranOn = workers.find((w) => w.pid === lines().slice(before).find((e) => e.key === 'sleepy')!.pid)!
    const stops = (ranOn.output().match(/stop +sleepy/g) ?? []).length
    run.child.kill('SIGKILL')
    await run.result
    // Its liveness key expires (15 s), then the worker's next heartbeat stops the step.
    await until(() => (ranOn.output().match(/stop +sleepy/g) ?? []).length > stops, 'the worker stopped the orphaned step', 40_000)
    await until(async () => (await pendingJobs(q)) === 0, 'the queue is empty', 10_000)
    const runs = await b.ok(['runs', '--json'])
    assert.equal(runs.json.runs[0].status, 'FAILURE')
  })
})
