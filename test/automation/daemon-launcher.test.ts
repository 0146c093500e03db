import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { manualClock } from '../../engine/automation/clock.js'
import type { DaemonEvent } from '../../engine/automation/events.js'
import { AutomationEngine } from '../../engine/automation/tick.js'
import { createInProcessExecutor, openWorkspace, type Workspace } from '../../engine/index.js'
import { createProject } from '../integration/helpers.js'

/** Three independent assets, each eager (missing and unpartitioned: all requested on the first tick), each taking ~`ms`. */
const DEFS = (max: number, ms = 60) => `import { asset, defineDefinitions, eager } from 'strata-engine'
const slow = () => new Promise((r) => setTimeout(() => r(Date.now()), ${ms}))
export const a = asset({ key: 'a', automation: eager(), compute: slow })
export const b = asset({ key: 'b', automation: eager(), compute: slow })
export const c = asset({ key: 'c', automation: eager(), compute: slow })
export default defineDefinitions({ assets: [a, b, c], automation: { maxConcurrentRuns: ${max} } })
`

async function withEngine(defs: string, fn: (ws: Workspace, engine: AutomationEngine, events: DaemonEvent[]) => Promise<void>): Promise<void> {
  const project = createProject(defs)
  const ws = await openWorkspace({ defsFile: join(project.dir, 'definitions.ts') })
  const events: DaemonEvent[] = []
  const executor = createInProcessExecutor({ concurrency: 4 })
  const engine = new AutomationEngine({ ws, clock: manualClock('2024-01-10T12:00:00Z'), executor, onEvent: (e) => events.push(e) })
  try {
    await engine.start({ recover: true })
    await fn(ws, engine, events)
  } finally {
    await engine.close()
    await ws.close()
    project.cleanup()
  }
}

/** launch/run-end events as `+a` / `-a`, in order. */
const timeline = (events: DaemonEvent[]) => events.flatMap((e) => (e.type === 'launch' ? [`+${e.selection}`] : e.type === 'run-end' ? [`-${e.selection}`] : []))

test('maxConcurrentRuns 1: requests run one at a time, in the order they were made', async () => {
  await withEngine(DEFS(1), async (ws, engine, events) => {
    const summary = await engine.tick()
    assert.deepEqual([summary.requested, summary.launched], [3, 1])
    await engine.settle()
    assert.deepEqual(timeline(events), ['+a', '-a', '+b', '-b', '+c', '-c'])
    const runs = await ws.storage.listRuns()
    assert.deepEqual(runs.map((r) => r.status), ['SUCCESS', 'SUCCESS', 'SUCCESS'])
    assert.deepEqual(runs.map((r) => r.tags['strata/launched-by']).sort(), ['condition:a', 'condition:b', 'condition:c'])
    const requests = await ws.storage.listAutomationRequests()
    assert.deepEqual(requests.map((r) => [r.status, r.runStatus]), [['DONE', 'SUCCESS'], ['DONE', 'SUCCESS'], ['DONE', 'SUCCESS']])
    // Each request's run is the run it recorded before launching.
    assert.deepEqual(requests.map((r) => r.runId).sort(), runs.map((r) => r.runId).sort())
  })
})

test('maxConcurrentRuns 2: two at once, the third waits for one to end', async () => {
  await withEngine(DEFS(2), async (_ws, engine, events) => {
    await engine.tick()
    await engine.settle()
    const t = timeline(events)
    assert.deepEqual(t.slice(0, 2), ['+a', '+b'])
    assert.ok(t.indexOf('+c') > Math.min(t.indexOf('-a'), t.indexOf('-b')), t.join(' '))
  })
})

test('after a crash: a request marked launched whose run never started is launched with its recorded run id; one whose run exists is not launched again', async () => {
  const project = createProject(DEFS(3, 1))
  const defsFile = join(project.dir, 'definitions.ts')
  try {
    // A daemon that decided (committed its tick) and died before launching anything.
    let ws = await openWorkspace({ defsFile })
    const dead = new AutomationEngine({ ws, clock: manualClock('2024-01-10T12:00:00Z'), launch: false })
    await dead.start({ recover: true })
    await dead.tick()
    const [ra, rb, rc] = await ws.storage.listAutomationRequests({ statuses: ['QUEUED'] })
    // a: marked launched, then killed before its run was created. b: its run was created (and finished), the launch never recorded.
    await ws.storage.setAutomationRequestStatus(ra!.requestId, 'LAUNCHED', 1)
    await ws.storage.createRun({ runId: rb!.runId, selection: 'b', stepKeys: ['b'], defsPath: defsFile, pid: process.pid, host: hostname(), startedAt: 1, tags: rb!.tags })
    await ws.storage.finishRun(rb!.runId, 'SUCCESS', 2)
    await ws.close()

    ws = await openWorkspace({ defsFile })
    const events: DaemonEvent[] = []
    const engine = new AutomationEngine({ ws, clock: manualClock('2024-01-10T12:01:00Z'), executor: createInProcessExecutor(), onEvent: (e) => events.push(e) })
    await engine.start({ recover: true })
    await engine.settle()
    await engine.close()
    assert.ok(events.some((e) => e.type === 'recovered' && e.relaunched === 1))
    assert.deepEqual(events.filter((e) => e.type === 'launch').map((e) => (e as { runId: string }).runId).sort(), [ra!.runId, rc!.runId].sort())
    const runs = await ws.storage.listRuns()
    assert.equal(runs.length, 3)
    assert.deepEqual(new Set(runs.map((r) => r.runId)), new Set([ra!.runId, rb!.runId, rc!.runId]))
    const requests = await ws.storage.listAutomationRequests()
    assert.ok(requests.every((r) => r.status === 'DONE' && r.runStatus === 'SUCCESS'))
    await ws.close()
  } finally {
    project.cleanup()
  }
})

test('a request whose target no longer exists ends NOT_LAUNCHED with the reason', async () => {
  await withEngine(DEFS(1, 1), async (ws, engine) => {
    await ws.storage.commitAutomationTick({
      tick: { sourceKind: 'sensor', sourceName: 'gone', evaluatedAt: 1, status: 'REQUESTED' },
      requests: [{ requestKey: 'x', runId: 'run-x', sourceKind: 'sensor', sourceName: 'gone', selection: 'old', assetKeys: ['old'], slots: [{ assetKey: 'old', partitionKey: '' }], reason: 'test', tags: {}, createdAt: 1 }],
    })
    await engine.settle()
    const [r] = await ws.storage.listAutomationRequests({ sourceKind: 'sensor' })
    assert.equal(r!.status, 'DONE')
    assert.match(r!.runStatus!, /^NOT_LAUNCHED: .*old/)
  })
})

test('automation.runTimeoutMs limits each launched run: past it the run is canceled and the request says so', async () => {
  const defs = `import { asset, defineDefinitions, eager } from 'strata-engine'
export const slow = asset({ key: 'slow', automation: eager(), compute: () => new Promise((r) => setTimeout(() => r(1), 1500)) })
export default defineDefinitions({ assets: [slow], automation: { runTimeoutMs: 200 } })
`
  await withEngine(defs, async (ws, engine) => {
    await engine.tick()
    await engine.settle()
    const [r] = await ws.storage.listAutomationRequests()
    assert.deepEqual([r!.status, r!.runStatus], ['DONE', 'CANCELED'])
    assert.equal((await ws.storage.getRun(r!.runId))!.status, 'CANCELED')
  })
})
