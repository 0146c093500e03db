// --executor queue end to end: three `strata worker` processes, each in a
// folder of its own, run a run's steps; logs come back with the worker's
// host; values land in the shared object store, never in the orchestrator's
// home; strata workers lists them. Then a worker with other definitions
// (STRATA_CODE_MISMATCH), and a queue no worker serves (STRATA_NO_WORKERS).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openStorage } from '../../engine/storage/index.js'
import { expectSchema } from '../cli/schemas.js'
import { get, stepsByKey, type Project } from '../integration/helpers.js'
import { createTestQueue, orchestrator, pendingJobs, sharedDir, startWorker, type TestQueue, type TestWorker } from './helpers.js'

const marks = join(sharedDir(), 'marks.txt')
writeFileSync(marks, '')

/** Six parts fan out from a source and fan into a total; each part takes a moment, so the workers share them. */
const defs = (variant = '') => `import { appendFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const mark = (key) => appendFileSync(${JSON.stringify(marks)}, key + ' ' + process.pid + '\\n')
const slowly = (ms) => new Promise((r) => setTimeout(r, ms))
export const src = asset({ key: 'src', compute: async (ctx) => { ctx.log.info('making src${variant}'); mark('src'); return [1, 2, 3] } })
const parts = [0, 1, 2, 3, 4, 5].map((i) => asset({ key: 'part' + i, ins: { src }, compute: async (_c, { src }) => { mark('part' + i); await slowly(400); return src.map((x) => x * i) } }))
export const total = asset({ key: 'total', ins: Object.fromEntries(parts.map((p, i) => ['p' + i, p])), compute: (_c, ins) => Object.values(ins).flat().reduce((a, b) => a + b, 0) })
export default defineDefinitions({ assets: [src, ...parts, total] })
`

let q: TestQueue
let p: Project
const workers: TestWorker[] = []

before(async () => {
  q = await createTestQueue()
  p = orchestrator(defs())
})
after(async () => {
  await Promise.all(workers.map((w) => w.kill()))
  p.cleanup()
  await q.cleanup()
})

const queueArgs = () => ['--executor', 'queue', '--queue', q.url, '--objects', q.objects]

describe('--executor queue', () => {
  it('three workers in their own folders run a run; logs name the worker; values land in the shared store', { timeout: 120_000 }, async () => {
    workers.push(...(await Promise.all([1, 2, 3].map(() => startWorker(q, defs(), { concurrency: 1 })))))
    const listed = await p.ok(['workers', '--queue', q.url, '--json'])
    expectSchema('workers', listed.json, 'strata workers --json')
    assert.deepEqual(listed.json.workers.map((w: any) => w.pid).sort(), workers.map((w) => w.pid).sort())
    assert.equal(listed.json.prefix, q.prefix)
    for (const w of listed.json.workers) assert.deepEqual([w.host, w.concurrency, w.queues, w.steps], [hostname(), 1, ['steps'], []])

    const r = await p.ok(['materialize', ...queueArgs(), '--json'])
    const steps = stepsByKey(r)
    assert.equal(steps.size, 8)
    for (const s of steps.values()) assert.equal(s.status, 'SUCCESS', `${s.key}: ${s.error}`)

    // Each part ran on some worker: with one step at a time each, six 400 ms parts need more than one.
    const pids = new Set(readFileSync(marks, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1])))
    assert.ok(pids.size >= 2, `the steps ran on ${pids.size} worker(s)`)
    for (const pid of pids) assert.ok(workers.some((w) => w.pid === pid), `pid ${pid} is one of the workers`)

    // The log: each step says where it ran, and the compute's own lines come back.
    const logs = await p.ok(['logs', r.json.runId, '--json'])
    const lines = (logs.json.events as Array<{ type: string; assetKey: string | null; message: string }>).filter((e) => e.type === 'LOG')
    for (const key of steps.keys()) {
      assert.ok(
        lines.some((e) => e.assetKey === key && new RegExp(`^Running on ${hostname()} \\(strata worker pid \\d+\\)$`).test(e.message)),
        `${key} names its worker`,
      )
    }
    assert.ok(lines.some((e) => e.assetKey === 'src' && e.message === 'making src'))

    // The value is in the shared store, written by a worker; nothing was written in the orchestrator's home or the workers' folders.
    const storage = await openStorage(p.home)
    const latest = await storage.getLatest('total')
    await storage.close()
    assert.equal(JSON.parse(readFileSync(join(q.objects, latest!.location), 'utf8')), 90)
    assert.equal(existsSync(join(p.home, latest!.location)), false, 'the orchestrator did not write the value')
    for (const w of workers) assert.equal(existsSync(join(w.project.dir, '.strata')), false, 'a worker has no home of its own')
  })

  it('a worker whose definitions differ fails the step with STRATA_CODE_MISMATCH naming both versions', { timeout: 60_000 }, async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()))
    workers.push(await startWorker(q, defs(' (changed)')))
    const r = await p.ok(['materialize', 'src', ...queueArgs(), '--json'], 1)
    const src = get(stepsByKey(r), 'src')
    assert.equal(src.errorCode, 'STRATA_CODE_MISMATCH')
    const m = /planned code version (\S+) .* has code version (\S+) in /.exec(src.error!)
    assert.ok(m, src.error!)
    assert.notEqual(m[1], m[2])
    assert.match(src.error!, /Deploy the same definitions to every worker/)
    await Promise.all(workers.splice(0).map((w) => w.kill()))
  })

  it('no worker serving the queue: the step fails with STRATA_NO_WORKERS after the worker timeout', { timeout: 60_000 }, async () => {
    const t0 = Date.now()
    const r = await p.ok(['materialize', 'src', ...queueArgs(), '--json'], 1, { env: { STRATA_WORKER_TIMEOUT: '2' } })
    const src = get(stepsByKey(r), 'src')
    assert.equal(src.errorCode, 'STRATA_NO_WORKERS')
    assert.match(src.error!, /No strata worker served queue "steps" .* for 2 s\. Start one with: strata worker -f DEFINITIONS --queue /)
    assert.ok(Date.now() - t0 < 30_000, 'it did not wait long')
    assert.deepEqual(await pendingJobs(q), 0, 'the job was removed from the queue')
  })

  it('an unreachable Redis fails the step with STRATA_QUEUE_UNREACHABLE naming it', { timeout: 60_000 }, async () => {
    const r = await p.ok(['materialize', 'src', '--executor', 'queue', '--queue', 'redis://127.0.0.1:1', '--json'], 1)
    const src = get(stepsByKey(r), 'src')
    assert.equal(src.errorCode, 'STRATA_QUEUE_UNREACHABLE')
    assert.match(src.error!, /127\.0\.0\.1:1/)
  })

  it('usage errors: an unknown executor, a queue URL that is not redis://', async () => {
    const bad = await p.ok(['materialize', '--executor', 'kube', '--json'], 2)
    assert.match(JSON.parse(bad.stderr).error.message, /Unknown executor "kube"\. Use --executor pool, in-process or queue\./)
    const url = await p.ok(['materialize', '--executor', 'queue', '--queue', 'http://x', '--json'], 2)
    assert.equal(JSON.parse(url.stderr).error.code, 'STRATA_INVALID_QUEUE_URL')
  })
})
