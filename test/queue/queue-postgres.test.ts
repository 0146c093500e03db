// --executor queue with nothing shared but servers: storage and objects in
// PostgreSQL (a random schema each), the queue in Redis, two workers in
// folders of their own. The values are read back from the PostgreSQL store.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { openObjectStore } from '../../engine/io/object-stores/open.js'
import { openStorageSpec } from '../../engine/storage/index.js'
import { freshSchemaUrl } from '../storage/backends.js'
import { stepsByKey, type Project } from '../integration/helpers.js'
import { createTestQueue, orchestrator, startWorker, type TestQueue, type TestWorker } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const src = asset({ key: 'src', compute: () => [1, 2, 3] })
export const doubled = asset({ key: 'doubled', ins: { src }, compute: (_c, { src }) => src.map((x) => x * 2) })
export const total = asset({ key: 'total', ins: { doubled }, compute: (_c, { doubled }) => doubled.reduce((a, b) => a + b, 0) })
export default defineDefinitions({ assets: [src, doubled, total] })
`

const storage = freshSchemaUrl('strata_queue_storage')
const objects = freshSchemaUrl('strata_queue_objects')
let q: TestQueue
let p: Project
const workers: TestWorker[] = []

before(async () => {
  q = await createTestQueue()
  p = orchestrator(DEFS)
})
after(async () => {
  await Promise.all(workers.map((w) => w.kill()))
  p.cleanup()
  await q.cleanup()
  await storage.drop()
  await objects.drop()
})

it('storage and objects in PostgreSQL: two workers without any shared folder run a run', { timeout: 180_000 }, async () => {
  workers.push(...(await Promise.all([1, 2].map(() => startWorker(q, DEFS, { concurrency: 1, objects: objects.url })))))
  const r = await p.ok(['materialize', '--executor', 'queue', '--queue', q.url, '--storage', storage.url, '--objects', objects.url, '--json'])
  for (const s of stepsByKey(r).values()) assert.equal(s.status, 'SUCCESS', `${s.key}: ${s.error}`)
  const db = await openStorageSpec(storage.url)
  const store = await openObjectStore(objects.url)
  try {
    const latest = await db.getLatest('total')
    assert.equal(latest!.runId, r.json.runId)
    assert.equal(JSON.parse(Buffer.from(await store.get(latest!.location)).toString('utf8')), 12)
  } finally {
    await db.close()
    await store.close()
  }
})
