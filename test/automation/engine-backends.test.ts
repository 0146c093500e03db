// The automation engine's decisions are the same on every storage backend:
// the same ticks judged on SQLite and on PostgreSQL (a fresh schema) store
// the same requests, evaluations, schedule ticks and sensor run keys.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, eager, hourlyPartitions, schedule, sensor } from '../../assets/index.js'
import type { Definitions } from '../../assets/types.js'
import { forEachBackend, newInstance, type BackendName } from '../storage/helpers.js'
import { definitions, finishRequests, lastSummary, simulate, type Sim } from './helpers.js'

const MIN = 60_000

async function onBackend(backend: BackendName, defs: Definitions, start: string, fn: (sim: Sim) => Promise<void>): Promise<void> {
  const instance = newInstance(backend)
  try {
    const sim = await simulate(defs, start, { home: instance.home, url: instance.url })
    try {
      await fn(sim)
    } finally {
      await sim.close()
    }
  } finally {
    await instance.cleanup()
  }
}

forEachBackend((_withStorage, backend) => {
  test('eager(): blocked while the upstream is missing, requested once when it is built, again on new upstream data', () => {
    const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
    const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', automation: eager(), compute: () => 2 })
    return onBackend(backend, definitions([a, b]), '2024-01-10T12:00:00Z', async (sim) => {
      assert.deepEqual(await sim.tick(), [])
      assert.match(await lastSummary(sim, 'b'), /not requested: upstream a missing/)
      sim.clock.advance(MIN)
      await sim.materialize('a')
      assert.deepEqual(await sim.tick(), ['b'])
      assert.deepEqual(await sim.tick(), [], 'a queued request is not made twice')
      await finishRequests(sim)
      sim.clock.advance(MIN)
      await sim.materialize('b', '', { from: ['a'] })
      assert.deepEqual(await sim.tick(), [])
      sim.clock.advance(MIN)
      await sim.materialize('a', '', { dataVersion: 'a-v2' })
      assert.deepEqual(await sim.tick(), ['b'])
      assert.match(await lastSummary(sim, 'b'), /requested: upstream a has new data/)
    })
  })

  test('a schedule requests the latest partition once per cron tick; a tick key is committed once', () => {
    const raw = asset({ key: 'raw', partitions: hourlyPartitions({ start: '2024-01-10-00:00' }), codeVersion: 'r1', compute: () => 1 })
    const defs = definitions([raw], { schedules: [schedule({ name: 'hourly', cron: '0 * * * *', target: 'raw', catchUp: 'latest' })] })
    return onBackend(backend, defs, '2024-01-10T10:30:00Z', async (sim) => {
      assert.deepEqual(await sim.tick(), [])
      sim.clock.set('2024-01-10T11:00:05Z')
      assert.deepEqual(await sim.tick(), ['raw[2024-01-10-10:00]'])
      sim.clock.set('2024-01-10T11:00:35Z')
      assert.deepEqual(await sim.tick(), [])
      const ticks = await sim.storage.listAutomationTicks({ sourceKind: 'schedule', sourceName: 'hourly' })
      assert.deepEqual(ticks.reverse().map((t) => t.status), ['SKIPPED', 'REQUESTED'])
      const [request] = await sim.storage.listAutomationRequests()
      assert.deepEqual(request!.tags, { 'strata/launched-by': 'schedule:hourly', 'strata/scheduled-for': '2024-01-10T11:00:00.000Z' })
    })
  })

  test('a sensor resumes from its cursor and never requests a run key twice', () => {
    const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
    const seen: Array<string | undefined> = []
    const files = sensor({
      name: 'files',
      target: 'a',
      intervalSeconds: 30,
      evaluate: ({ cursor }) => {
        seen.push(cursor)
        return { runRequests: [{ runKey: 'file-1' }], cursor: String(Number(cursor ?? 0) + 1) }
      },
    })
    return onBackend(backend, definitions([a], { sensors: [files] }), '2024-01-10T12:00:00Z', async (sim) => {
      assert.deepEqual(await sim.tick(), ['a'])
      await finishRequests(sim)
      sim.clock.advance(MIN)
      assert.deepEqual(await sim.tick(), [], 'the same run key is not requested again')
      assert.deepEqual(seen, [undefined, '1'])
      const [cursor] = (await sim.storage.getAutomationCursors()).filter((c) => c.sourceName === 'files')
      assert.equal(cursor!.cursor, '2')
    })
  })
})
