// Redis restarted mid-run (a private redis-server without persistence, so
// the queue is lost with it): the run ends with a clear error instead of
// waiting forever, and the worker, reconnected, serves the next run.
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { get, stepsByKey, type Project } from '../integration/helpers.js'
import { createTestQueue, orchestrator, sharedDir, startWorker, until, type TestQueue, type TestWorker } from './helpers.js'

const marks = join(sharedDir(), 'marks.txt')
writeFileSync(marks, '')
const DEFS = `import { appendFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
export const slow = asset({ key: 'slow', compute: async () => { appendFileSync(${JSON.stringify(marks)}, 'start\\n'); await new Promise((r) => setTimeout(r, 3000)); return 1 } })
export const quick = asset({ key: 'quick', compute: () => 2 })
export default defineDefinitions({ assets: [slow, quick] })
`

const port = 20_000 + Math.floor(Math.random() * 20_000)
let server: ChildProcess
let q: TestQueue
let p: Project
let worker: TestWorker

async function startRedis(): Promise<ChildProcess> {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not installed: this test starts a private one (apt-get install redis-server).')
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' })
  await until(() => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', `redis-server on port ${port}`, 10_000)
  return child
}

before(async () => {
  server = await startRedis()
  q = await createTestQueue(`redis://127.0.0.1:${port}`)
  p = orchestrator(DEFS)
  worker = await startWorker(q, DEFS, { concurrency: 1 })
})
after(async () => {
  await worker.kill('SIGKILL')
  p.cleanup()
  await q.cleanup()
  server.kill('SIGKILL')
})

it('Redis restarted (its queue lost) mid-step: the step fails with STRATA_QUEUE_LOST, not a hang; the worker serves the next run', { timeout: 120_000 }, async () => {
  const run = p.start(['materialize', 'slow', '--executor', 'queue', '--queue', q.url, '--json'], { timeoutMs: 90_000, env: { STRATA_WORKER_TIMEOUT: '20' } })
  await until(() => readFileSync(marks, 'utf8').includes('start'), 'the step started')
  server.kill('SIGKILL')
  await new Promise((r) => server.once('close', r))
  await new Promise((r) => setTimeout(r, 1000))
  server = await startRedis()
  const t0 = Date.now()
  const r = await run.result
  assert.equal(r.code, 1, r.stderr)
  const slow = get(stepsByKey(r), 'slow')
  assert.equal(slow.errorCode, 'STRATA_QUEUE_LOST', slow.error!)
  assert.match(slow.error!, /vanished from the queue at 127\.0\.0\.1:\d+ \(Redis restarted without persistence/)
  assert.ok(Date.now() - t0 < 30_000, 'ended in seconds')
  const next = await p.ok(['materialize', 'quick', '--executor', 'queue', '--queue', q.url, '--json'])
  assert.equal(get(stepsByKey(next), 'quick').status, 'SUCCESS')
})
