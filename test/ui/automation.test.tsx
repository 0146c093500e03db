// The automation view (a) and the detail pane's automation and freshness,
// over a real home where the daemon's engine ticked on an injected clock:
// schedules, sensors and conditions with their last result, recent ticks,
// requested runs (Enter opens one in the runs view), the view following new
// ticks as they are written; a home where no daemon ever ran; definitions
// without automation.
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { asset, eager, onCron, schedule, sensor, staticPartitions } from '../../assets/index.js'
import type { Definitions } from '../../assets/types.js'
import { AssetGraph } from '../../engine/index.js'
import { openStorage } from '../../engine/storage/index.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { definitions, finishRequests, simulate, type Sim } from '../automation/helpers.js'
import { FakeModel } from './fake-model.js'
import { KEY, renderApp, selectedKey, type Rendered } from './helpers.js'

const MIN = 60_000
const NOON = Date.parse('2024-01-10T12:00:00Z')

function automatedDefs(): Definitions {
  const raw = asset({ key: 'raw', group: 'ingest', codeVersion: 'r1', freshness: { maxLagMinutes: 60 }, compute: () => 1 })
  const lookup = asset({ key: 'lookup', group: 'ingest', codeVersion: 'l1', freshness: { maxLagMinutes: 60 }, compute: () => 2 })
  const features = asset({ key: 'features', group: 'work', codeVersion: 'f1', ins: { raw }, automation: eager(), compute: (_c, { raw }) => raw })
  const report = asset({ key: 'report', group: 'work', codeVersion: 'p1', deps: [features], automation: onCron('0 6 * * *'), freshness: { maxLagMinutes: 24 * 60 }, compute: () => 3 })
  const events = asset({ key: 'events', group: 'ingest', codeVersion: 'e1', partitions: staticPartitions(['p1', 'p2', 'p3']), freshness: { maxLagMinutes: 60 }, compute: () => 4 })
  return definitions([raw, lookup, events, features, report], {
    schedules: [schedule({ name: 'nightly', cron: '0 2 * * *', target: 'raw' })],
    sensors: [sensor({ name: 'inbox', intervalSeconds: 60, target: 'lookup', evaluate: () => ({ skipReason: 'inbox is empty' }) })],
  })
}

interface Harness {
  sim: Sim
  model: WorkspaceModel
  ui: Rendered
}

const open: Harness[] = []

afterEach(async () => {
  cleanup()
  for (const h of open.splice(0)) {
    await h.model.close()
    await h.sim.close()
  }
})

/** The UI over the simulated daemon's home, its clock pinned to the daemon's. */
async function startUi(sim: Sim, defs: Definitions, firstKey = 'features'): Promise<Harness> {
  const model = new WorkspaceModel({
    open: async () => {
      const storage = await openStorage(sim.ws.home)
      return { defs, defsPath: join(sim.ws.home, 'definitions.ts'), home: sim.ws.home, graph: AssetGraph.fromDefinitions(defs), storage, close: () => storage.close() }
    },
    title: 'automation-test',
    executor: 'in-process',
    pollMs: 50,
    now: () => sim.clock.now().getTime(),
  })
  await model.start()
  const ui = renderApp(model, { width: 150, height: 45, now: sim.clock.now().getTime() })
  const h = { sim, model, ui }
  open.push(h)
  await ui.waitFor(firstKey, 'the assets to load')
  return h
}

/** Moves the list's cursor to `key`. */
async function select(ui: Rendered, key: string): Promise<void> {
  await ui.press('<')
  for (let i = 0; i < 10 && selectedKey(ui.frame()) !== key; i++) await ui.press('j')
  assert.equal(selectedKey(ui.frame()), key, `the cursor should reach ${key}`)
}

describe('automation in the UI', () => {
  it('the view lists schedules, sensors and conditions with their last result, recent ticks and requested runs, and follows new ticks', async () => {
    const defs = automatedDefs()
    const sim = await simulate(defs, NOON)
    await sim.materialize('raw', '', { at: NOON - 120 * MIN })
    assert.deepEqual(await sim.tick(), ['features'])
    const { ui } = await startUi(sim, defs)

    await ui.press('a')
    let f = await ui.waitFor(/Requested runs/, 'the automation view')
    assert.match(f, /no daemon running on this home \(last tick 0s ago\): start one with `strata daemon`/)
    assert.match(f, /Schedules \(1\)\n\s+nightly\s+0 2 \* \* \* → raw\s+next in 14h\s+last 0s ago SKIPPED schedule started; first tick 2024-01-11T02:00/)
    assert.match(f, /Sensors \(1\)\n\s+inbox\s+custom every 60 s → lookup\s+next in 1m\s+last 0s ago SKIPPED inbox is empty/)
    assert.match(f, /Conditions \(2\)/)
    assert.match(f, /features\s+eager\(\)\s+0s ago requested/)
    assert.match(f, /report\s+onCron\("0 6 \* \* \*"\)\s+0s ago/)
    assert.match(f, /Recent ticks[\s\S]*sensor inbox\s+SKIPPED\s+inbox is empty/)
    assert.match(f, /Recent ticks[\s\S]*conditions\s+REQUESTED\s+2 of 2 condition\(s\) evaluated, 1 run\(s\) requested/)
    assert.match(f, /› #1\s+0s ago\s+condition features: features → run [0-9a-f]{8} QUEUED/)
    assert.match(f, /a\/Esc assets/, 'the footer shows the view\'s keys')

    // Enter on a queued request: its run has not started.
    await ui.press(KEY.enter)
    await ui.waitFor(/Request #1 is queued/, 'the queued request\'s message')

    // The daemon goes on: the request's run happens, the upstream gets new data, the next tick requests again.
    const [request] = await sim.storage.listAutomationRequests({ limit: 1 })
    await sim.storage.createRun({ runId: request!.runId, selection: 'features', stepKeys: ['features'], defsPath: sim.ws.defsPath, pid: process.pid, host: hostname(), startedAt: NOON })
    await sim.storage.setAutomationRequestStatus(request!.requestId, 'LAUNCHED', NOON)
    await sim.materialize('features', '', { from: ['raw'] })
    await sim.storage.finishRun(request!.runId, 'SUCCESS', NOON)
    await finishRequests(sim)
    sim.clock.advance(MIN)
    await sim.materialize('raw')
    assert.deepEqual(await sim.tick(), ['features'])
    f = await ui.waitFor(/#2\s+0s ago\s+condition features/, 'the new request, read as the daemon writes it')
    assert.match(f, /› #2/, 'the newest request is selected')
    assert.match(f, /#1\s+\S+ ago\s+condition features: features → run [0-9a-f]{8} SUCCESS/)
    assert.match(f, /upstream raw has new data/, 'the condition\'s last evaluation says why')

    // Enter on the finished one: its run in the runs view.
    await ui.press('j', KEY.enter)
    f = await ui.waitFor(/History/, 'the runs view')
    assert.match(f, new RegExp(`› \\S+ ${request!.runId.slice(0, 8)}`), 'the request\'s run is selected in the runs view')
    await ui.press('a')
    await ui.waitFor(/Requested runs/, 'back in the automation view')
    await ui.press(KEY.escape)
    await ui.waitFor((fr) => !fr.includes('Requested runs') && /features/.test(fr), 'the assets again')
  })

  it('the detail pane explains the condition as strata automation why does, and shows freshness: late, never, ok, by the latest partition', async () => {
    const defs = automatedDefs()
    const sim = await simulate(defs, NOON)
    await sim.materialize('raw', '', { at: NOON - 150 * MIN })
    await sim.materialize('lookup', '', { at: NOON - 30 * MIN })
    // The newest materialization is p1's; what counts is the latest partition, p3.
    await sim.materialize('events', 'p3', { at: NOON - 180 * MIN })
    await sim.materialize('events', 'p1', { at: NOON - 5 * MIN })
    assert.deepEqual(await sim.tick(), ['features'])
    const { ui } = await startUi(sim, defs)

    // The list marks the ages of late assets.
    let f = ui.frame()
    assert.match(f, /● raw\s+!2h ago/)
    assert.match(f, /● lookup\s+30m ago/)
    assert.match(f, /○ events\s+!5m ago/, 'the newest materialization is recent, but the latest partition is late')
    assert.match(f, /○ report\s+!—/)
    assert.match(f, /○ features\s+—/, 'no policy, no mark')

    await select(ui, 'features')
    f = await ui.waitFor(/last evaluated/, 'the explanation of features')
    assert.match(f, /Automation eager\(\)/)
    assert.match(f, /now: /)
    assert.match(f, /last evaluated 0s ago: requested/)
    assert.match(f, /request #1 → run [0-9a-f]{8} QUEUED/)
    assert.match(f, /now: not requested: already requested \(request 1, queued for run [0-9a-f]{8}…\)/, 'now, the queued request is what holds it back')
    assert.doesNotMatch(f, /would not request/, 'one partition\'s words are not repeated under the summary that says them')
    assert.doesNotMatch(f, /Freshness/, 'features declares no freshness')

    await select(ui, 'raw')
    f = await ui.waitFor(/targeted by schedule nightly/, 'raw\'s explanation')
    assert.match(f, /Freshness ! late · last updated 2 h 30 min ago, allowed 1 h/)
    assert.match(f, /Automation no condition/)
    assert.match(f, /targeted by schedule nightly/)

    await select(ui, 'lookup')
    f = await ui.waitFor(/targeted by sensor inbox/, 'lookup\'s explanation')
    assert.match(f, /Freshness ✓ ok · last updated 30 min ago, allowed 1 h/)
    assert.match(f, /targeted by sensor inbox/)

    await select(ui, 'events')
    f = await ui.waitFor(/Freshness/, 'the freshness of events')
    assert.match(f, /Freshness ! late · latest partition p3: last updated 3 h ago, allowed 1 h/)

    await select(ui, 'report')
    f = await ui.waitFor(/Freshness/, 'the freshness of report')
    assert.match(f, /Freshness ! missing · never materialized; allowed 24 h/)
    assert.match(f, /Automation onCron\("0 6 \* \* \*"\)/)
  })

  it('a daemon holding the home shows with its pid, host and heartbeat', async () => {
    const defs = automatedDefs()
    const sim = await simulate(defs, NOON)
    await sim.tick()
    const lease = await sim.storage.acquireDaemonLease({ owner: 'ui-test', pid: 4242, host: 'builder', now: NOON - 20_000, ttlMs: 30_000 }, () => true)
    assert.ok(lease.acquired)
    const { ui } = await startUi(sim, defs)
    await ui.press('a')
    await ui.waitFor(/Automation daemon pid 4242 on builder · heartbeat 20s ago · up to 1 run\(s\) at once/, 'the daemon line')
    // The daemon renews its lease: the heartbeat follows without a new tick.
    assert.ok(await sim.storage.renewDaemonLease('ui-test', NOON - 5_000, 30_000))
    await ui.waitFor(/heartbeat 5s ago/, 'the renewed heartbeat')
  })

  it('a home where no daemon ever ran says so, and how to start one', async () => {
    const defs = automatedDefs()
    const sim = await simulate(defs, NOON)
    const { ui } = await startUi(sim, defs)
    await select(ui, 'features')
    let f = await ui.waitFor('daemon has not run yet: start it with `strata daemon`', 'the detail pane to say the daemon never ran')
    assert.match(f, /Automation eager\(\)/)
    await ui.press('a')
    f = await ui.waitFor(/Requested runs/, 'the automation view')
    assert.match(f, /Automation daemon has not run yet: start it with `strata daemon`/)
    assert.match(f, /features\s+eager\(\)\s+not evaluated yet/)
    assert.match(f, /Recent ticks\n\s+none yet/)
    assert.match(f, /Requested runs.*\n\s+none yet/)
    await ui.press(KEY.enter)
    await ui.waitFor(/No run requested yet/, 'Enter with nothing to open')
  })

  it('definitions without automation: the view says none is declared; the detail pane has no automation section', async () => {
    const plain = asset({ key: 'plain', group: 'g', codeVersion: 'x1', compute: () => 1 })
    const defs = definitions([plain])
    const sim = await simulate(defs, NOON)
    const { ui } = await startUi(sim, defs, 'plain')
    const f = ui.frame()
    assert.doesNotMatch(f, /Automation/)
    await ui.press('a')
    await ui.waitFor(/Automation  no automation declared/, 'the view to say nothing is declared')
  })

  it('with more conditions than the view reads, it reads those of recent requests first and says how many there are', async () => {
    const all: ReturnType<typeof asset>[] = []
    for (let i = 0; i < 150; i++) all.push(asset({ key: `c${String(i).padStart(3, '0')}`, group: 'many', codeVersion: 'v1', automation: eager(), compute: () => i }))
    const defs = definitions(all)
    const sim = await simulate(defs, NOON)
    await sim.tick()
    const { ui } = await startUi(sim, defs, 'c000')
    await ui.press('a')
    const f = await ui.waitFor(/Conditions \(150; 100 read, those of recent requests first: strata automation list shows all\)/, 'the capped conditions section')
    assert.match(f, /Requested runs/)
  })

  it('a model without automation (watch mode) has no automation view: a does nothing and the footer does not offer it', async () => {
    const ui = renderApp(new FakeModel([{ key: 'x', group: 'g', status: 'FRESH', materializedAt: NOON }]), { width: 160, now: NOON })
    await ui.waitFor('x', 'the asset')
    assert.doesNotMatch(ui.frame(), /a automation/)
    await ui.press('a')
    assert.doesNotMatch(ui.frame(), /Automation|Requested runs/)
    assert.match(ui.frame(), /j\/k move/, 'still the assets view')
  })
})
