import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  and,
  asset,
  codeVersionChanged,
  cronTickPassed,
  dailyPartitions,
  dynamicPartitions,
  eager,
  executionFailed,
  inProgress,
  missing,
  newlyUpdated,
  not,
  onCron,
  onMissing,
  or,
  self,
  stale,
  staticPartitions,
  timeWindowMapping,
  type AssetDefinition,
} from '../../assets/index.js'
import type { ConditionNode } from '../../engine/automation/evaluate.js'
import { definitions, finishRequests, lastSummary, simulate, type Sim } from './helpers.js'

const MIN = 60_000

/** The condition tree of the last stored evaluation, as `label=trueCount` lines. */
async function tree(sim: Sim, key: string): Promise<string[]> {
  const [e] = await sim.storage.listAutomationEvaluations(key, { limit: 1 })
  const out: string[] = []
  const walk = (n: ConditionNode, depth: number) => {
    out.push(`${'  '.repeat(depth)}${n.label}=${n.trueCount}`)
    for (const c of n.children) walk(c, depth + 1)
  }
  walk((e!.detail as { tree: ConditionNode }).tree, 0)
  return out
}

test('building blocks, one asset: missing, inProgress, executionFailed, stale, newlyUpdated, each in the tree with its truth', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', automation: or(missing(), inProgress(), executionFailed(), stale(), newlyUpdated(), newlyUpdated('a')).and(not(inProgress())), compute: () => 2 })
  const sim = await simulate(definitions([a, b]))
  try {
    const labels = ['missing()', 'inProgress()', 'executionFailed()', 'stale()', 'newlyUpdated()', 'newlyUpdated("a")']
    const truth = async () => {
      const t = await tree(sim, 'b')
      return Object.fromEntries(labels.map((l) => [l, Number(t.find((x) => x.trim().startsWith(`${l}=`))!.split('=').pop())]))
    }
    assert.deepEqual(await sim.tick(), ['b'])
    assert.deepEqual(await truth(), { 'missing()': 1, 'inProgress()': 0, 'executionFailed()': 0, 'stale()': 0, 'newlyUpdated()': 0, 'newlyUpdated("a")': 0 })
    // Queued by the daemon: in progress.
    assert.deepEqual(await sim.tick(), [])
    assert.equal((await truth())['inProgress()'], 1)
    await finishRequests(sim, 'FAILURE')
    await sim.fail('b')
    sim.clock.advance(MIN)
    await sim.tick()
    assert.equal((await truth())['executionFailed()'], 1)
    sim.clock.advance(MIN)
    await sim.materialize('a')
    await sim.materialize('b', '', { from: ['a'] })
    await finishRequests(sim)
    sim.clock.advance(MIN)
    await sim.tick()
    assert.deepEqual(await truth(), { 'missing()': 0, 'inProgress()': 0, 'executionFailed()': 0, 'stale()': 0, 'newlyUpdated()': 1, 'newlyUpdated("a")': 1 })
    await finishRequests(sim)
    sim.clock.advance(MIN)
    await sim.materialize('a', '', { dataVersion: 'a2' })
    sim.clock.advance(MIN)
    await sim.tick()
    assert.deepEqual(await truth(), { 'missing()': 0, 'inProgress()': 0, 'executionFailed()': 0, 'stale()': 1, 'newlyUpdated()': 0, 'newlyUpdated("a")': 1 })
    await finishRequests(sim)
    const running = await sim.start('b')
    sim.clock.advance(MIN)
    await sim.tick()
    assert.equal((await truth())['inProgress()'], 1)
    assert.deepEqual(await tree(sim, 'b').then((t) => t[0]), `and(or(${labels.join(', ')}), not(inProgress()))=0`)
    await sim.storage.finishRun(running, 'SUCCESS', sim.clock.now().getTime())
  } finally {
    await sim.close()
  }
})

test('codeVersionChanged() holds on the first evaluation after the code version moved, then not again', async () => {
  const defsWith = (version: string) => {
    const a = asset({ key: 'a', codeVersion: version, automation: codeVersionChanged(), compute: () => 1 })
    return definitions([a])
  }
  const first = await simulate(defsWith('v1'))
  const home = first.ws.home
  try {
    assert.deepEqual(await first.tick(), [])
    first.clock.advance(MIN)
    assert.deepEqual(await first.tick(), [])
  } finally {
    await first.engine.close()
    await first.storage.close()
  }
  const second = await simulate(defsWith('v2'), first.clock.now().getTime() + MIN, { home })
  try {
    assert.deepEqual(await second.tick(), ['a'])
    await finishRequests(second)
    second.clock.advance(MIN)
    assert.deepEqual(await second.tick(), [])
  } finally {
    await second.close()
  }
})

test('cronTickPassed(): false on the first evaluation, true once when a tick passed since the previous one', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', automation: cronTickPassed('0 * * * *').and(not(inProgress())), compute: () => 1 })
  const sim = await simulate(definitions([a]), '2024-01-10T12:30:00Z')
  try {
    assert.deepEqual(await sim.tick(), [])
    sim.clock.set('2024-01-10T12:50:00Z')
    assert.deepEqual(await sim.tick(), [])
    sim.clock.set('2024-01-10T13:00:00Z')
    assert.deepEqual(await sim.tick(), ['a'])
    await finishRequests(sim)
    sim.clock.set('2024-01-10T13:10:00Z')
    assert.deepEqual(await sim.tick(), [])
  } finally {
    await sim.close()
  }
})

test('onCron(): once per tick, as soon as every upstream was updated since the tick', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', automation: onCron('0 4 * * *'), compute: () => 2 })
  const sim = await simulate(definitions([a, b]), '2024-01-10T03:00:00Z')
  try {
    await sim.materialize('a')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /the last cron tick came before automation started/)
    sim.clock.set('2024-01-10T04:30:00Z')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /waiting for upstream a to be updated since the cron tick 2024-01-10T04:00Z/)
    sim.clock.set('2024-01-10T04:40:00Z')
    await sim.materialize('a', '', { dataVersion: 'a2' })
    assert.deepEqual(await sim.tick(), ['b'])
    assert.match(await lastSummary(sim, 'b'), /cron tick 2024-01-10T04:00Z passed and every upstream was updated since/)
    await finishRequests(sim)
    sim.clock.set('2024-01-10T05:00:00Z')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'b'), /already requested at 2024-01-10T04:40Z/)
    // The next day's tick: again once the upstream is updated.
    sim.clock.set('2024-01-11T04:01:00Z')
    await sim.materialize('a', '', { dataVersion: 'a3' })
    assert.deepEqual(await sim.tick(), ['b'])
  } finally {
    await sim.close()
  }
})

test('onCron() in America/New_York across the spring DST change fires once, at 3:00 for a skipped 2:30', async () => {
  const a = asset({ key: 'a', codeVersion: 'a1', automation: onCron('30 2 * * *', { timezone: 'America/New_York' }), compute: () => 1 })
  const sim = await simulate(definitions([a]), '2024-03-09T12:00:00Z')
  try {
    assert.deepEqual(await sim.tick(), [])
    // 2024-03-10 02:30 does not exist in New York: the tick is 03:00 EDT = 07:00Z.
    sim.clock.set('2024-03-10T06:59:00Z')
    assert.deepEqual(await sim.tick(), [])
    sim.clock.set('2024-03-10T07:00:00Z')
    assert.deepEqual(await sim.tick(), ['a'])
    await finishRequests(sim)
    sim.clock.set('2024-03-10T08:00:00Z')
    assert.deepEqual(await sim.tick(), [])
  } finally {
    await sim.close()
  }
})

test('onMissing(): no surprise backfill of static partitions; with backfillHistory each is requested once its upstream exists', async () => {
  const regions = staticPartitions(['eu', 'us', 'asia'])
  const make = (backfillHistory: boolean) => {
    const raw = asset({ key: 'raw', partitions: regions, codeVersion: 'r1', compute: () => 1 })
    const feat = asset({ key: 'feat', partitions: regions, ins: { raw }, codeVersion: 'f1', automation: onMissing({ backfillHistory }), compute: () => 2 })
    return definitions([raw, feat])
  }
  const plain = await simulate(make(false))
  try {
    await plain.materialize('raw', 'eu')
    assert.deepEqual(await plain.tick(), [])
    assert.match(await lastSummary(plain, 'feat'), /missing since before automation started/)
  } finally {
    await plain.close()
  }
  const history = await simulate(make(true))
  try {
    await history.materialize('raw', 'eu')
    assert.deepEqual(await history.tick(), ['feat[eu]'])
    assert.match(await lastSummary(history, 'feat'), /upstream raw\[(us|asia)\] missing|requested 1 partition/)
    await history.materialize('raw', 'us')
    assert.deepEqual(await history.tick(), ['feat[us]'])
  } finally {
    await history.close()
  }
})

test('onMissing(): a dynamic partition added after the condition started is new: requested once its upstream exists', async () => {
  const customers = dynamicPartitions('customers')
  const raw = asset({ key: 'raw', partitions: customers, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: customers, ins: { raw }, codeVersion: 'f1', automation: onMissing(), compute: () => 2 })
  const sim = await simulate(definitions([raw, feat]))
  try {
    await sim.storage.addDynamicPartitions('customers', ['old'], sim.clock.now().getTime() - MIN)
    await sim.materialize('raw', 'old')
    assert.deepEqual(await sim.tick(), [])
    sim.clock.advance(MIN)
    await sim.storage.addDynamicPartitions('customers', ['new'], sim.clock.now().getTime())
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /new: upstream raw\[new\] missing/)
    await sim.materialize('raw', 'new')
    assert.deepEqual(await sim.tick(), ['feat[new]'])
  } finally {
    await sim.close()
  }
})

test('no surprise backfill with stale(): partitions stale before the condition started stay; one made stale after is requested', async () => {
  const days = dailyPartitions({ start: '2024-01-01' })
  const raw = asset({ key: 'raw', partitions: days, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: days, ins: { raw }, codeVersion: 'f1', automation: stale().and(not(inProgress())), compute: () => 2 })
  const sim = await simulate(definitions([raw, feat]), '2024-01-05T12:00:00Z')
  try {
    for (const d of ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']) {
      await sim.materialize('raw', d, { at: sim.clock.now().getTime() - 10 * MIN })
      await sim.materialize('feat', d, { from: [`raw[${d}]`], at: sim.clock.now().getTime() - 9 * MIN })
    }
    // Stale before the daemon ever looked at it.
    await sim.materialize('raw', '2024-01-01', { dataVersion: 'changed-early', at: sim.clock.now().getTime() - 5 * MIN })
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /2024-01-01: stale since before automation started/)
    sim.clock.advance(MIN)
    await sim.materialize('raw', '2024-01-03', { dataVersion: 'changed-later' })
    sim.clock.advance(MIN)
    assert.deepEqual(await sim.tick(), ['feat[2024-01-03]'])
  } finally {
    await sim.close()
  }
})

test('eager() never requests a partition whose mapped upstream partition does not exist yet (an upstream a day behind)', async () => {
  const days = dailyPartitions({ start: '2024-01-01' })
  // The upstream's last partition is the day before yesterday: its partition for yesterday does not exist yet.
  const behind = dailyPartitions({ start: '2024-01-01', endOffset: -1 })
  const raw = asset({ key: 'raw', partitions: behind, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: days, ins: { raw }, codeVersion: 'f1', automation: eager(), compute: () => 2 })
  const sim = await simulate(definitions([raw, feat]), '2024-01-10T12:00:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-11T00:10:00Z')
    await sim.materialize('raw', '2024-01-09')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'feat'), /2024-01-10: upstream partition raw\[2024-01-10\] does not exist/)
  } finally {
    await sim.close()
  }
})

test('a self-dependent daily asset: eager() requests the new day once the day before exists; never while it is missing', async () => {
  const days = dailyPartitions({ start: '2024-01-01' })
  const events = asset({ key: 'events', partitions: days, codeVersion: 'e1', compute: () => 1 })
  const total: AssetDefinition<number> = asset({
    key: 'total',
    partitions: days,
    ins: { today: events, prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } },
    codeVersion: 't1',
    automation: eager(),
    compute: () => 1,
  })
  const sim = await simulate(definitions([events, total]), '2024-01-10T12:00:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-11T00:10:00Z')
    await sim.materialize('events', '2024-01-10')
    assert.deepEqual(await sim.tick(), [])
    assert.match(await lastSummary(sim, 'total'), /2024-01-10: upstream total\[2024-01-09\] missing/)
    await sim.materialize('events', '2024-01-09')
    await sim.materialize('total', '2024-01-09', { from: ['events[2024-01-09]'] })
    assert.deepEqual(await sim.tick(), ['total[2024-01-10]'])
  } finally {
    await sim.close()
  }
})

test('the first partition of a self-dependent asset has no day before: not a blocker', async () => {
  const days = dailyPartitions({ start: '2024-01-10' })
  const events = asset({ key: 'events', partitions: days, codeVersion: 'e1', compute: () => 1 })
  const total: AssetDefinition<number> = asset({
    key: 'total',
    partitions: days,
    ins: { today: events, prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } },
    codeVersion: 't1',
    automation: eager(),
    compute: () => 1,
  })
  const sim = await simulate(definitions([events, total]), '2024-01-10T12:00:00Z')
  try {
    await sim.tick()
    sim.clock.set('2024-01-11T00:10:00Z')
    await sim.materialize('events', '2024-01-10')
    assert.deepEqual(await sim.tick(), ['total[2024-01-10]'])
  } finally {
    await sim.close()
  }
})

test('and/or/not combine partition sets: onMissing() or a failed partition, but never one in progress', async () => {
  const regions = staticPartitions(['eu', 'us'])
  const raw = asset({ key: 'raw', partitions: regions, codeVersion: 'r1', compute: () => 1 })
  const feat = asset({ key: 'feat', partitions: regions, ins: { raw }, codeVersion: 'f1', automation: and(or(onMissing({ backfillHistory: true }), executionFailed()), not(inProgress())), compute: () => 2 })
  const sim = await simulate(definitions([raw, feat]))
  try {
    await sim.materialize('raw', 'eu')
    await sim.materialize('raw', 'us')
    await sim.materialize('feat', 'us', { from: ['raw[us]'] })
    const running = await sim.start('feat', 'eu')
    assert.deepEqual(await sim.tick(), [])
    await sim.storage.finishRun(running, 'FAILURE', sim.clock.now().getTime())
    await sim.fail('feat', 'us')
    sim.clock.advance(MIN)
    // eu: missing, no longer in progress (its run, not one the daemon asked for, failed); us: failed.
    assert.deepEqual(await sim.tick(), ['feat[eu]', 'feat[us]'])
  } finally {
    await sim.close()
  }
})
