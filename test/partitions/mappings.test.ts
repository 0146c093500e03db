import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  UNPARTITIONED_KEY,
  allMapping,
  dailyPartitions,
  defaultMapping,
  hourlyPartitions,
  identityMapping,
  lastMapping,
  monthlyPartitions,
  multiPartitions,
  staticMapping,
  staticPartitions,
  timeWindowMapping,
  weeklyPartitions,
} from '../../assets/partitions/index.js'
import { isStrataError } from '../../assets/errors.js'

const now = new Date('2021-02-01T05:00:00Z')
const daily = dailyPartitions({ start: '2021-01-01' })
const hourly = hourlyPartitions({ start: '2021-01-01-00:00' })
const weekly = weeklyPartitions({ start: '2021-01-01' })
const monthly = monthlyPartitions({ start: '2021-01-01' })
const regions = staticPartitions(['us', 'eu'])

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => isStrataError(err) && err.code === code && (!message || message.test(err.message)))
}

describe('unpartitioned sides', () => {
  it("an unpartitioned upstream is the single key ''", () => {
    for (const m of [allMapping(), lastMapping(), defaultMapping(daily, undefined)]) {
      assert.deepEqual(m.upstreamFor(['2021-01-05'], { downstream: daily, upstream: undefined, now }), { keys: [UNPARTITIONED_KEY], missing: [] })
      assert.deepEqual(m.downstreamFor([''], { downstream: daily, upstream: undefined, now }).length, 31)
    }
    assert.deepEqual(identityMapping().upstreamFor([''], { downstream: undefined, upstream: undefined }), { keys: [''], missing: [] })
    assert.deepEqual(allMapping().upstreamFor([], { downstream: daily, upstream: undefined, now }), { keys: [], missing: [] })
  })

  it('an unpartitioned downstream reads every upstream partition by default', () => {
    const m = defaultMapping(undefined, daily)
    assert.equal(m.kind, 'all')
    assert.equal(m.upstreamFor([''], { downstream: undefined, upstream: daily, now }).keys.length, 31)
    assert.deepEqual(m.downstreamFor(['2021-01-03'], { downstream: undefined, upstream: daily, now }), [''])
    assert.deepEqual(lastMapping().upstreamFor([''], { downstream: undefined, upstream: daily, now }), { keys: ['2021-01-31'], missing: [] })
  })

  it('identity between partitioned and unpartitioned is a mismatch', () => {
    throwsCode(() => identityMapping().upstreamFor(['x'], { downstream: regions, upstream: undefined }), 'STRATA_PARTITION_MISMATCH', /allMapping/)
  })
})

describe('identity, all, last and static mappings', () => {
  it('identity reports upstream keys that do not exist as missing', () => {
    const upstream = dailyPartitions({ start: '2021-01-10' })
    const r = identityMapping().upstreamFor(['2021-01-11', '2021-01-09', '2021-01-11'], { downstream: daily, upstream, now })
    assert.deepEqual(r, { keys: ['2021-01-11'], missing: ['2021-01-09'] })
    assert.deepEqual(identityMapping().downstreamFor(['2021-01-09'], { downstream: upstream, upstream: daily, now }), [])
  })

  it('last reads the latest upstream partition; only it maps downstream', () => {
    const ctx = { downstream: regions, upstream: daily, now }
    assert.deepEqual(lastMapping().upstreamFor(['us'], ctx), { keys: ['2021-01-31'], missing: [] })
    assert.deepEqual(lastMapping().downstreamFor(['2021-01-31'], ctx), ['us', 'eu'])
    assert.deepEqual(lastMapping().downstreamFor(['2021-01-30'], ctx), [])
    assert.deepEqual(lastMapping().upstreamFor(['us'], { downstream: regions, upstream: daily, now: new Date('2020-01-01T00:00:00Z') }), { keys: [], missing: [] })
  })

  it('static mappings pair keys, many to many', () => {
    const up = staticPartitions(['us-east', 'us-west', 'eu-central'])
    const m = staticMapping({ 'us-east': 'us', 'us-west': 'us', 'eu-central': ['eu', 'us'] })
    const ctx = { downstream: regions, upstream: up }
    assert.deepEqual(m.upstreamFor(['eu'], ctx), { keys: ['eu-central'], missing: [] })
    assert.deepEqual(m.upstreamFor(['us'], ctx), { keys: ['us-east', 'us-west', 'eu-central'], missing: [] })
    assert.deepEqual(m.downstreamFor(['eu-central'], ctx), ['us', 'eu'])
    assert.deepEqual(m.downstreamFor(['us-west', 'us-east'], ctx), ['us'])
    throwsCode(() => staticMapping({ a: [] }), 'STRATA_INVALID_PARTITIONS')
    throwsCode(() => m.upstreamFor(['us'], { downstream: regions, upstream: undefined }), 'STRATA_PARTITION_MISMATCH')
  })

  it('mappings describe themselves as written', () => {
    assert.equal(timeWindowMapping().description, 'timeWindowMapping()')
    assert.equal(timeWindowMapping({ startOffset: -7, endOffset: -1 }).description, 'timeWindowMapping({ startOffset: -7, endOffset: -1 })')
    assert.equal(identityMapping().description, 'identityMapping()')
  })
})

describe('time-window mappings by overlap', () => {
  it('hourly → daily, daily → hourly', () => {
    const down = timeWindowMapping().upstreamFor(['2021-01-05'], { downstream: daily, upstream: hourly, now })
    assert.equal(down.keys.length, 24)
    assert.equal(down.keys[0], '2021-01-05-00:00')
    assert.equal(down.keys[23], '2021-01-05-23:00')
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-05-13:00'], { downstream: hourly, upstream: daily, now }), { keys: ['2021-01-05'], missing: [] })
    assert.equal(timeWindowMapping().downstreamFor(['2021-01-05'], { downstream: hourly, upstream: daily, now }).length, 24)
  })

  it('daily → weekly and monthly, with not-yet-complete upstream windows missing', () => {
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-13'], { downstream: daily, upstream: weekly, now }), { keys: ['2021-01-10'], missing: [] })
    // The week of 2021-01-31 has not ended on 2021-02-01.
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-31'], { downstream: daily, upstream: weekly, now }), { keys: [], missing: ['2021-01-31'] })
    // Before the first Sunday there is no weekly partition.
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-01'], { downstream: daily, upstream: weekly, now }), { keys: [], missing: ['2020-12-27'] })
    assert.deepEqual(timeWindowMapping({ allowNonexistent: true }).upstreamFor(['2021-01-01'], { downstream: daily, upstream: weekly, now }), { keys: [], missing: [] })
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-01'], { downstream: monthly, upstream: weekly, now }), { keys: ['2021-01-03', '2021-01-10', '2021-01-17', '2021-01-24'], missing: ['2020-12-27', '2021-01-31'] })
    assert.equal(timeWindowMapping().upstreamFor(['2021-01-01'], { downstream: monthly, upstream: daily, now }).keys.length, 31)
  })

  it('offsets count downstream partitions', () => {
    const r = timeWindowMapping({ startOffset: -7, endOffset: -1 }).upstreamFor(['2021-01-15'], { downstream: daily, upstream: daily, now })
    assert.deepEqual(r.keys, ['2021-01-08', '2021-01-09', '2021-01-10', '2021-01-11', '2021-01-12', '2021-01-13', '2021-01-14'])
    // At the start the lookback is clamped: fewer partitions, nothing missing (as in Dagster).
    assert.deepEqual(timeWindowMapping({ startOffset: -7, endOffset: -1 }).upstreamFor(['2021-01-03'], { downstream: daily, upstream: daily, now }), { keys: ['2021-01-01', '2021-01-02'], missing: [] })
    assert.deepEqual(timeWindowMapping({ startOffset: -1, endOffset: -1 }).upstreamFor(['2021-01-01'], { downstream: daily, upstream: daily, now }), { keys: [], missing: [] })
    // Daily reading hourly with startOffset -1: the previous and current day's 48 hours.
    assert.equal(timeWindowMapping({ startOffset: -1 }).upstreamFor(['2021-01-05'], { downstream: daily, upstream: hourly, now }).keys.length, 48)
    assert.deepEqual(
      timeWindowMapping({ startOffset: -1 }).downstreamFor(['2021-01-05'], { downstream: daily, upstream: daily, now }),
      ['2021-01-05', '2021-01-06'],
    )
    // A negative endOffset alone reads the shifted window (startOffset defaults to it).
    assert.deepEqual(timeWindowMapping({ endOffset: -1 }).upstreamFor(['2021-01-15'], { downstream: daily, upstream: daily, now }).keys, ['2021-01-14'])
    assert.deepEqual(timeWindowMapping({ endOffset: -2 }).upstreamFor(['2021-01-15'], { downstream: daily, upstream: daily, now }).keys, ['2021-01-13'])
    assert.equal(timeWindowMapping({ endOffset: -1 }).description, 'timeWindowMapping({ endOffset: -1 })')
    throwsCode(() => timeWindowMapping({ startOffset: 1, endOffset: 0 }), 'STRATA_INVALID_PARTITIONS', /startOffset/)
    throwsCode(() => timeWindowMapping({ startOffset: 0, endOffset: -1 }), 'STRATA_INVALID_PARTITIONS', /startOffset/)
    throwsCode(() => timeWindowMapping({ startOffset: 0.5 }), 'STRATA_INVALID_PARTITIONS')
  })

  it('different cron offsets and time zones map by instants', () => {
    const at6 = dailyPartitions({ start: '2021-01-01', hourOffset: 6 })
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-05'], { downstream: at6, upstream: daily, now }), { keys: ['2021-01-05', '2021-01-06'], missing: [] })
    const ny = dailyPartitions({ start: '2021-01-01', timezone: 'America/New_York' })
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-05'], { downstream: ny, upstream: daily, now }), { keys: ['2021-01-05', '2021-01-06'], missing: [] })
    assert.deepEqual(timeWindowMapping().upstreamFor(['2021-01-05'], { downstream: ny, upstream: hourly, now }).keys.slice(0, 2), ['2021-01-05-05:00', '2021-01-05-06:00'])
  })

  it('rejects non-time sides and invalid keys', () => {
    throwsCode(() => timeWindowMapping().upstreamFor(['us'], { downstream: regions, upstream: daily, now }), 'STRATA_PARTITION_MISMATCH', /time-window partitions/)
    throwsCode(() => timeWindowMapping().upstreamFor(['2021-13-01'], { downstream: daily, upstream: daily, now }), 'STRATA_INVALID_PARTITION_KEY')
  })
})

describe('default mappings', () => {
  it('follow Dagster: overlap for time windows, all for unpartitioned, identity otherwise', () => {
    assert.equal(defaultMapping(daily, hourly).kind, 'time-window')
    assert.equal(defaultMapping(daily, undefined).kind, 'all')
    assert.equal(defaultMapping(undefined, regions).kind, 'all')
    assert.equal(defaultMapping(regions, regions).kind, 'identity')
    const multi = multiPartitions({ date: daily, region: regions })
    assert.equal(defaultMapping(multi, multi).kind, 'multi')
    assert.equal(defaultMapping(multi, hourly).kind, 'dimension')
    assert.equal(defaultMapping(regions, multi).kind, 'dimension')
    assert.deepEqual(defaultMapping(multi, hourly).upstreamFor(['2021-01-02|eu'], { downstream: multi, upstream: hourly, now }).keys.length, 24)
  })
})
