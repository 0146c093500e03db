import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { asset, assetSensor, eager, fileSensor, sensor, staticPartitions, type SensorContext, type SensorResult } from '../../assets/index.js'
import { definitions, finishRequests, simulate, type Sim } from './helpers.js'

const SEC = 1000

async function sensorTicks(sim: Sim, name: string) {
  return (await sim.storage.listAutomationTicks({ sourceKind: 'sensor', sourceName: name, limit: 20 })).reverse()
}

test('a sensor runs on its interval; its cursor is stored with its ticks and survives a restart', async () => {
  const seen: Array<string | undefined> = []
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const counter = sensor({
    name: 'counter',
    intervalSeconds: 60,
    target: 'a',
    evaluate: ({ cursor }: SensorContext): SensorResult => {
      seen.push(cursor)
      const n = Number(cursor ?? 0) + 1
      return { cursor: String(n), ...(n % 2 === 0 ? { runRequests: [{ runKey: `even-${n}` }] } : { skipReason: `odd ${n}` }) }
    },
  })
  const first = await simulate(definitions([a], { sensors: [counter] }))
  const home = first.ws.home
  assert.deepEqual(await first.tick(), [])
  first.clock.advance(30 * SEC)
  assert.deepEqual(await first.tick(), [], 'not due before its interval')
  first.clock.advance(30 * SEC)
  assert.deepEqual(await first.tick(), ['a'])
  await first.engine.close()
  await first.storage.close()
  const second = await simulate(definitions([a], { sensors: [counter] }), first.clock.now().getTime() + 60 * SEC, { home })
  try {
    await finishRequests(second)
    assert.deepEqual(await second.tick(), [])
    assert.deepEqual(seen, [undefined, '1', '2'])
    const ticks = await sensorTicks(second, 'counter')
    assert.deepEqual(ticks.map((t) => t.status), ['SKIPPED', 'REQUESTED', 'SKIPPED'])
    assert.equal(ticks[2]!.message, 'odd 3')
  } finally {
    await second.close()
  }
})

test('a run key a sensor already used is never requested again, across restarts', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const same = sensor({ name: 'same', intervalSeconds: 1, target: 'a', evaluate: () => ({ runRequests: [{ runKey: 'file-v1' }] }) })
  const first = await simulate(definitions([a], { sensors: [same] }))
  const home = first.ws.home
  assert.deepEqual(await first.tick(), ['a'])
  await finishRequests(first)
  first.clock.advance(2 * SEC)
  assert.deepEqual(await first.tick(), [])
  await first.engine.close()
  await first.storage.close()
  const second = await simulate(definitions([a], { sensors: [same] }), first.clock.now().getTime() + 2 * SEC, { home })
  try {
    assert.deepEqual(await second.tick(), [])
    const ticks = await sensorTicks(second, 'same')
    assert.deepEqual(ticks.map((t) => t.status), ['REQUESTED', 'SKIPPED', 'SKIPPED'])
    assert.match(ticks[2]!.message!, /run key already used/)
    assert.equal((await second.storage.listAutomationRequests()).length, 1)
  } finally {
    await second.close()
  }
})

test('a sensor that throws is recorded, keeps its cursor, backs off, and the daemon goes on with the rest', async () => {
  let fail = true
  const cursors: Array<string | undefined> = []
  const a = asset({ key: 'a', codeVersion: 'a1', automation: eager(), compute: () => 1 })
  const flaky = sensor({
    name: 'flaky',
    intervalSeconds: 10,
    target: 'a',
    evaluate: ({ cursor }) => {
      cursors.push(cursor)
      if (fail) throw new Error('the upstream API is down')
      return { cursor: 'c2', skipReason: 'nothing new' }
    },
  })
  const steady = sensor({ name: 'steady', intervalSeconds: 10, target: 'a', evaluate: () => ({ cursor: 'ok', skipReason: 'fine' }) })
  const sim = await simulate(definitions([a], { sensors: [flaky, steady] }))
  try {
    // The condition is still evaluated (a is missing and unpartitioned: requested).
    assert.deepEqual(await sim.tick(), ['a'])
    const [failed] = await sensorTicks(sim, 'flaky')
    assert.equal(failed!.status, 'FAILED')
    assert.match(failed!.message!, /the upstream API is down \(failure 1 in a row; next try in 20 s\)/)
    assert.equal((await sensorTicks(sim, 'steady')).length, 1)
    sim.clock.advance(15 * SEC)
    await sim.tick()
    assert.equal((await sensorTicks(sim, 'flaky')).length, 1, 'backing off: not evaluated 15 s after a failure')
    assert.equal((await sensorTicks(sim, 'steady')).length, 2)
    sim.clock.advance(10 * SEC)
    await sim.tick()
    assert.match((await sensorTicks(sim, 'flaky'))[1]!.message!, /failure 2 in a row; next try in 40 s/)
    fail = false
    sim.clock.advance(40 * SEC)
    await sim.tick()
    assert.equal((await sensorTicks(sim, 'flaky'))[2]!.status, 'SKIPPED')
    const cursor = (await sim.storage.getAutomationCursors()).find((c) => c.sourceName === 'flaky')!
    assert.deepEqual([cursor.cursor, cursor.failures], ['c2', 0])
    assert.deepEqual(cursors, [undefined, undefined, undefined])
    assert.ok(sim.events.some((e) => e.type === 'tick' && e.sourceName === 'flaky' && e.status === 'FAILED'))
  } finally {
    await sim.close()
  }
})

test('a sensor that never returns fails its tick after the limit', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const stuck = sensor({ name: 'stuck', intervalSeconds: 5, target: 'a', evaluate: () => new Promise<SensorResult>(() => {}) })
  const sim = await simulate(definitions([a], { sensors: [stuck] }))
  try {
    const { AutomationEngine } = await import('../../engine/automation/tick.js')
    const engine = new AutomationEngine({ ws: sim.ws, clock: sim.clock, launch: false, sensorTimeoutMs: 50 })
    await engine.tick()
    const [t] = await sensorTicks(sim, 'stuck')
    assert.equal(t!.status, 'FAILED')
    assert.match(t!.message!, /sensor "stuck" did not return within 50 ms/)
  } finally {
    await sim.close()
  }
})

test('a sensor returning something else than a result fails with what to return', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const wrong = sensor({ name: 'wrong', target: 'a', evaluate: () => [{ runKey: 'x' }] as unknown as SensorResult })
  const sim = await simulate(definitions([a], { sensors: [wrong] }))
  try {
    await sim.tick()
    const [t] = await sensorTicks(sim, 'wrong')
    assert.match(t!.message!, /returned an array; return \{ runRequests\?, skipReason\?, cursor\? \}/)
  } finally {
    await sim.close()
  }
})

test('fileSensor: the first look records the file; a content change requests a run; a touch without change does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-file-sensor-'))
  const file = join(dir, 'source.csv')
  writeFileSync(file, 'a,b\n1,2\n')
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const sim = await simulate(definitions([a], { sensors: [fileSensor({ name: 'source', path: file, target: 'a', intervalSeconds: 1 })] }))
  try {
    assert.deepEqual(await sim.tick(), [])
    assert.match((await sensorTicks(sim, 'source'))[0]!.message!, /first look at .*source\.csv/)
    writeFileSync(file, 'a,b\n1,2\n3,4\n')
    sim.clock.advance(2 * SEC)
    assert.deepEqual(await sim.tick(), ['a'])
    await finishRequests(sim)
    const later = new Date(Date.now() + 60_000)
    utimesSync(file, later, later)
    sim.clock.advance(2 * SEC)
    assert.deepEqual(await sim.tick(), [])
    assert.match((await sensorTicks(sim, 'source')).at(-1)!.message!, /touched but its content is unchanged/)
    rmSync(file)
    sim.clock.advance(2 * SEC)
    assert.deepEqual(await sim.tick(), [])
    assert.match((await sensorTicks(sim, 'source')).at(-1)!.message!, /does not exist/)
  } finally {
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('assetSensor: a new materialization of the watched asset, by any process, requests the target for its partitions', async () => {
  const regions = staticPartitions(['eu', 'us'])
  const up = asset({ key: 'up', partitions: regions, codeVersion: 'u1', compute: () => 1 })
  const report = asset({ key: 'report', partitions: regions, codeVersion: 'r1', compute: () => 2 })
  const sim = await simulate(definitions([up, report], { sensors: [assetSensor({ name: 'on-up', asset: up, target: 'report', intervalSeconds: 1 })] }))
  try {
    await sim.materialize('up', 'eu')
    assert.deepEqual(await sim.tick(), [])
    await sim.materialize('up', 'us')
    sim.clock.advance(2 * SEC)
    assert.deepEqual(await sim.tick(), ['report[us]'])
    sim.clock.advance(2 * SEC)
    assert.deepEqual(await sim.tick(), [])
  } finally {
    await sim.close()
  }
})
