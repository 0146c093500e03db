import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, hourlyPartitions, schedule, type CatchUp } from '../../assets/index.js'
import { definitions, finishRequests, simulate, type Sim } from './helpers.js'

const hours = hourlyPartitions({ start: '2024-01-10-00:00' })

function hourly(catchUp: CatchUp) {
  const raw = asset({ key: 'raw', partitions: hours, codeVersion: 'r1', compute: () => 1 })
  return definitions([raw], { schedules: [schedule({ name: 'hourly', cron: '0 * * * *', target: 'raw', catchUp })] })
}

async function ticks(sim: Sim) {
  return (await sim.storage.listAutomationTicks({ sourceKind: 'schedule', sourceName: 'hourly', limit: 50 })).reverse().map((t) => `${t.status}${t.scheduledFor ? ` ${new Date(t.scheduledFor).toISOString().slice(11, 16)}` : ''}`)
}

test('a schedule starts at its first tick after the daemon first sees it, then requests the latest partition once per tick', async () => {
  const sim = await simulate(hourly('latest'), '2024-01-10T10:30:00Z')
  try {
    assert.deepEqual(await sim.tick(), [])
    sim.clock.set('2024-01-10T10:59:00Z')
    assert.deepEqual(await sim.tick(), [])
    sim.clock.set('2024-01-10T11:00:05Z')
    assert.deepEqual(await sim.tick(), ['raw[2024-01-10-10:00]'])
    sim.clock.set('2024-01-10T11:00:35Z')
    assert.deepEqual(await sim.tick(), [])
    assert.deepEqual(await ticks(sim), ['SKIPPED', 'REQUESTED 11:00'])
    const [run] = await sim.storage.listAutomationRequests()
    assert.deepEqual(run!.tags, { 'strata/launched-by': 'schedule:hourly', 'strata/scheduled-for': '2024-01-10T11:00:00.000Z' })
  } finally {
    await sim.close()
  }
})

test("catchUp 'latest': after downtime only the latest missed tick runs, saying how many were skipped", async () => {
  const sim = await simulate(hourly('latest'), '2024-01-10T10:30:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-10T14:20:00Z')
    assert.deepEqual(await sim.tick(), ['raw[2024-01-10-13:00]'])
    const [last] = await sim.storage.listAutomationTicks({ sourceKind: 'schedule', limit: 1 })
    assert.match(last!.message!, /3 earlier missed tick\(s\) skipped, catchUp: 'latest'/)
  } finally {
    await sim.close()
  }
})

test("catchUp 'all': every missed tick runs, each with its own partition", async () => {
  const sim = await simulate(hourly('all'), '2024-01-10T10:30:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-10T14:20:00Z')
    assert.deepEqual(await sim.tick(), ['raw[2024-01-10-10:00]', 'raw[2024-01-10-11:00]', 'raw[2024-01-10-12:00]', 'raw[2024-01-10-13:00]'])
    assert.deepEqual(await ticks(sim), ['SKIPPED', 'REQUESTED 11:00', 'REQUESTED 12:00', 'REQUESTED 13:00', 'REQUESTED 14:00'])
  } finally {
    await sim.close()
  }
})

test("catchUp 'none': missed ticks are skipped and recorded; the next on-time tick runs", async () => {
  const sim = await simulate(hourly('none'), '2024-01-10T10:30:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-10T14:20:00Z')
    assert.deepEqual(await sim.tick(), [])
    const [skipped] = await sim.storage.listAutomationTicks({ sourceKind: 'schedule', limit: 1 })
    assert.match(skipped!.message!, /4 tick\(s\) missed while the daemon was not running were skipped \(catchUp: 'none'\)/)
    sim.clock.set('2024-01-10T15:00:10Z')
    assert.deepEqual(await sim.tick(), ['raw[2024-01-10-14:00]'])
  } finally {
    await sim.close()
  }
})

test('a restarted daemon resumes from the stored cursor: no tick lost, none run twice', async () => {
  const first = await simulate(hourly('all'), '2024-01-10T10:30:00Z')
  const home = first.ws.home
  await first.tick()
  first.clock.set('2024-01-10T11:00:01Z')
  assert.deepEqual(await first.tick(), ['raw[2024-01-10-10:00]'])
  await first.engine.close()
  await first.storage.close()
  const second = await simulate(hourly('all'), '2024-01-10T11:30:00Z', { home })
  try {
    assert.deepEqual(await second.tick(), [])
    second.clock.set('2024-01-10T13:00:01Z')
    assert.deepEqual(await second.tick(), ['raw[2024-01-10-11:00]', 'raw[2024-01-10-12:00]'])
  } finally {
    await second.close()
  }
})

test('a schedule tick whose target is already requested or running is merged, not duplicated', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const sim = await simulate(definitions([a], { schedules: [schedule({ name: 'often', cron: '*/10 * * * *', target: 'a', catchUp: 'all' })] }), '2024-01-10T10:05:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-10T10:35:00Z')
    assert.deepEqual(await sim.tick(), ['a'])
    const list = (await sim.storage.listAutomationTicks({ sourceKind: 'schedule', limit: 3 })).reverse()
    assert.deepEqual(list.map((t) => t.status), ['REQUESTED', 'SKIPPED', 'SKIPPED'])
    assert.match(list[1]!.message!, /already requested or running/)
    await finishRequests(sim)
    sim.clock.set('2024-01-10T10:40:05Z')
    assert.deepEqual(await sim.tick(), ['a'])
  } finally {
    await sim.close()
  }
})

test('partitions as a function of the tick; a function that throws fails that tick only', async () => {
  const raw = asset({ key: 'raw', partitions: hours, codeVersion: 'r1', compute: () => 1 })
  const defs = definitions([raw], {
    schedules: [
      schedule({ name: 'two', cron: '0 * * * *', target: 'raw', partitions: ({ scheduledFor }) => [`2024-01-10-0${scheduledFor.getUTCHours() - 10}:00`, '2024-01-10-05:00'] }),
      schedule({
        name: 'broken',
        cron: '0 * * * *',
        target: 'raw',
        partitions: () => {
          throw new Error('no partitions today')
        },
      }),
    ],
  })
  const sim = await simulate(defs, '2024-01-10T10:30:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-10T11:00:01Z')
    assert.deepEqual(await sim.tick(), ['raw[2024-01-10-01:00]', 'raw[2024-01-10-05:00]'])
    const [broken] = await sim.storage.listAutomationTicks({ sourceKind: 'schedule', sourceName: 'broken', limit: 1 })
    assert.equal(broken!.status, 'FAILED')
    assert.match(broken!.message!, /no partitions today/)
  } finally {
    await sim.close()
  }
})

test('a schedule in America/New_York fires once on the fall-back day (1:30 happens twice) and once on the spring-forward day (2:30 never happens)', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const defs = (cron: string) => definitions([a], { schedules: [schedule({ name: 'ny', cron, timezone: 'America/New_York', target: 'a', catchUp: 'all' })] })
  const fall = await simulate(defs('30 1 * * *'), '2024-11-02T12:00:00Z')
  try {
    await fall.tick()
    fall.clock.set('2024-11-03T12:00:00Z')
    await fall.tick()
    const fired = (await fall.storage.listAutomationTicks({ sourceKind: 'schedule', limit: 10 })).filter((t) => t.scheduledFor !== undefined)
    assert.equal(fired.length, 1)
  } finally {
    await fall.close()
  }
  const spring = await simulate(defs('30 2 * * *'), '2024-03-09T12:00:00Z')
  try {
    await spring.tick()
    spring.clock.set('2024-03-10T12:00:00Z')
    await spring.tick()
    const fired = (await spring.storage.listAutomationTicks({ sourceKind: 'schedule', limit: 10 })).filter((t) => t.scheduledFor !== undefined)
    assert.deepEqual(fired.map((t) => new Date(t.scheduledFor!).toISOString()), ['2024-03-10T07:00:00.000Z'])
  } finally {
    await spring.close()
  }
})
