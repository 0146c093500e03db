// An orchestrator killed mid-backfill: `strata backfill resume` finishes it
// on the workers, each partition materialized once.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { openStorage } from '../../engine/storage/index.js'
import type { Project } from '../integration/helpers.js'
import { createTestQueue, orchestrator, pendingJobs, sharedDir, startWorker, until, type TestQueue, type TestWorker } from './helpers.js'

const marks = join(sharedDir(), 'marks.txt')
writeFileSync(marks, '')
const DEFS = `import { appendFileSync } from 'node:fs'
import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const day = asset({
  key: 'day',
  partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-07' }),
  compute: async (ctx) => { appendFileSync(${JSON.stringify(marks)}, ctx.partitionKey + '\\n'); await new Promise((r) => setTimeout(r, 1500)); return ctx.partitionKey },
})
export default defineDefinitions({ assets: [day] })
`
const started = () => readFileSync(marks, 'utf8').trim().split('\n').filter(Boolean)

let q: TestQueue
let p: Project
const workers: TestWorker[] = []

before(async () => {
  q = await createTestQueue()
  p = orchestrator(DEFS)
  workers.push(...(await Promise.all([startWorker(q, DEFS, { concurrency: 1 }), startWorker(q, DEFS, { concurrency: 1 })])))
})
after(async () => {
  await Promise.all(workers.map((w) => w.kill()))
  p.cleanup()
  await q.cleanup()
})

it('a backfill whose orchestrator was killed resumes on the workers and completes', { timeout: 180_000 }, async () => {
  const queue = ['--executor', 'queue', '--queue', q.url]
  const first = p.start(['backfill', 'day', '--from', '2024-01-01', '--to', '2024-01-06', ...queue, '--json'], { timeoutMs: 120_000 })
  await until(() => started().length >= 2, 'two partitions started')
  first.child.kill('SIGKILL')
  await first.result
  const [backfill] = (await p.ok(['backfill', 'list', '--json'])).json.backfills
  // The killed orchestrator's steps are dropped by the workers once its liveness expires; resume meanwhile is safe.
  const resumed = await p.ok(['backfill', 'resume', backfill.id, ...queue, '--json'], 0, { timeoutMs: 120_000 })
  assert.equal(resumed.json.status, 'COMPLETED_SUCCESS', resumed.stdout)
  const storage = await openStorage(p.home)
  try {
    const latest = await Promise.all(['01', '02', '03', '04', '05', '06'].map((d) => storage.getLatest('day', `2024-01-${d}`)))
    assert.ok(latest.every(Boolean), 'every partition has a materialization')
    const all = await storage.listMaterializations('day', { limit: 100 })
    assert.equal(all.length, 6, `each partition materialized once: ${all.map((m) => m.partitionKey).join(', ')}`)
  } finally {
    await storage.close()
  }
  await until(async () => (await pendingJobs(q)) === 0, 'the queue is empty', 30_000)
})
