import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, dailyPartitions, eager } from '../../assets/index.js'
import { explainAutomation } from '../../engine/automation/explain.js'
import { definitions, finishRequests, lastSummary, simulate } from './helpers.js'

const MIN = 60_000

function chain() {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', automation: eager(), compute: () => 2 })
  return definitions([a, b])
}

test('eager(), unpartitioned: blocked while its upstream is missing, requested when it is built, then on each new upstream data version', async () => {
  const sim = await simulate(chain())
  try {
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /not requested: upstream a missing/)
    sim.clock.advance(MIN)
    await sim.materialize('a')
    assert.deepEqual(await sim.tick(), ['b'])
    assert.match(await lastSummary(sim, 'b'), /requested: missing/)
    // Queued: never requested twice (nothing changed, so nothing new is stored; evaluated now, it says why).
    assert.deepEqual(await sim.tick(), [])
    assert.match((await explainAutomation(sim.ws, 'b', { now: sim.clock.now() })).now!.summary, /already requested \(request \d+, queued/)
    await finishRequests(sim)
    sim.clock.advance(MIN)
    await sim.materialize('b', '', { from: ['a'] })
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /no upstream has new data/)
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'a-v2' })
    assert.deepEqual(await sim.tick(), ['b'])
    assert.match(await lastSummary(sim, 'b'), /requested: upstream a has new data/)
  } finally {
    await sim.close()
  }
})

test('eager(): a re-materialized upstream with the same data version requests nothing (early cut-off)', async () => {
  const sim = await simulate(chain())
  try {
    await sim.materialize('a', '', { dataVersion: 'same' })
    await sim.materialize('b', '', { from: ['a'] })
    await sim.tick()
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'same' })
    assert.deepEqual(await sim.tick(), [])
  } finally {
    await sim.close()
  }
})

test('eager(): never while its upstream is in progress or failed; requested once it is built again', async () => {
  const sim = await simulate(chain())
  try {
    await sim.materialize('a')
    await sim.materialize('b', '', { from: ['a'] })
    await sim.tick()
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'a-v2' })
    const running = await sim.start('a')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), new RegExp(`upstream a in progress in run ${running.slice(0, 8)}`))
    await sim.storage.finishRun(running, 'FAILURE', sim.clock.now().getTime())
    await sim.storage.setPartitionStates([{ assetKey: 'a', partitionKey: '', state: 'FAILED' }], running, sim.clock.now().getTime())
    sim.clock.advance(MIN)
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /upstream a failed in run/)
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'a-v3' })
    assert.deepEqual(await sim.tick(), ['b'])
  } finally {
    await sim.close()
  }
})

test('eager(): a failed run is not retried every tick; new upstream data requests it again', async () => {
  const sim = await simulate(chain())
  try {
    await sim.materialize('a')
    assert.deepEqual(await sim.tick(), ['b'])
    await finishRequests(sim, 'FAILURE')
    await sim.fail('b')
    sim.clock.advance(MIN)
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /its last attempt failed in run .*requested again when an upstream has new data/)
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'a-v2' })
    assert.deepEqual(await sim.tick(), ['b'])
  } finally {
    await sim.close()
  }
})

function daily() {
  const days = dailyPartitions({ start: '2024-01-01' })
  const raw = asset({ key: 'raw', partitions: days, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: days, ins: { raw }, codeVersion: 'f1', automation: eager(), compute: () => 2 })
  return definitions([raw, feat])
}

test('eager(), daily partitions: only the latest partition; a new day is requested once its upstream day exists', async () => {
  const sim = await simulate(daily(), '2024-01-10T12:00:00Z')
  try {
    // History (2024-01-01..09) is missing: no surprise backfill.
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /not requested: 2024-01-09: missing since before automation started/)
    await sim.materialize('raw', '2024-01-09')
    // 2024-01-09 existed when the condition was first evaluated: history.
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /missing since before automation started/)
    sim.clock.set('2024-01-11T00:05:00Z')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /2024-01-10: upstream raw\[2024-01-10\] missing/)
    await sim.materialize('raw', '2024-01-10')
    assert.deepEqual(await sim.tick(), ['feat[2024-01-10]'])
  } finally {
    await sim.close()
  }
})

test('eager({ lookback: 3, backfillHistory: true }) requests the last three days whose upstream exists', async () => {
  const days = dailyPartitions({ start: '2024-01-01' })
  const raw = asset({ key: 'raw', partitions: days, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: days, ins: { raw }, codeVersion: 'f1', automation: eager({ lookback: 3, backfillHistory: true }), compute: () => 2 })
  const sim = await simulate(definitions([raw, feat]), '2024-01-10T12:00:00Z')
  try {
    for (const d of ['2024-01-05', '2024-01-07', '2024-01-09']) await sim.materialize('raw', d)
    assert.deepEqual(await sim.tick(), ['feat[2024-01-07]', 'feat[2024-01-09]'])
  } finally {
    await sim.close()
  }
})

test('a tick evaluates only the conditions whose inputs changed: none when nothing happened, an asset and its downstream after a materialization, daily assets at midnight', async () => {
  const days = dailyPartitions({ start: '2024-01-01' })
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', automation: eager(), compute: () => 2 })
  const c = asset({ key: 'c', codeVersion: 'c1', automation: eager(), compute: () => 3 })
  const d = asset({ key: 'd', partitions: days, codeVersion: 'd1', automation: eager(), compute: () => 4 })
  const sim = await simulate(definitions([a, b, c, d]), '2024-01-10T12:00:00Z')
  try {
    const evaluated = async () => (await sim.engine.tick()).evaluated
    assert.equal(await evaluated(), 3)
    await finishRequests(sim)
    assert.equal(await evaluated(), 1, 'c: its request ended')
    assert.equal(await evaluated(), 0)
    sim.clock.advance(MIN)
    await sim.materialize('a')
    assert.equal(await evaluated(), 1, 'b reads a')
    sim.clock.set('2024-01-11T00:00:01Z')
    assert.equal(await evaluated(), 1, 'd has a new day')
    assert.equal(await evaluated(), 0)
  } finally {
    await sim.close()
  }
})
