/**
 * timeWindowPartitions({ cron }) with crons other than the hourly, daily,
 * weekly and monthly shapes, including the cases of Dagster's own
 * time-window partition tests (twice daily, a start between ticks, 15-minute
 * windows across a fall-back change, yearly keys, mappings between a
 * twice-daily and a daily grid).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions, timeWindowMapping, timeWindowPartitions } from '../../assets/partitions/index.js'
import { nextTick } from '../../assets/cron/ticks.js'

const iso = (d: Date): string => d.toISOString()
const win = (w: { start: Date; end: Date }): [string, string] => [iso(w.start), iso(w.end)]
const at = (s: string): Date => new Date(s)

describe('cron partitions: any cron', () => {
  it('twice daily: windows between 00:00 and 11:00, keyed with the time (Dagster: test_twice_daily_partitions)', () => {
    const p = timeWindowPartitions({ cron: '0 0,11 * * *', start: '2021-05-05' })
    assert.equal(p.granularity, 'cron')
    assert.equal(p.fmt, 'yyyy-MM-dd-HH:mm')
    const keys = p.keys({ now: at('2021-05-07T00:00:00Z') })
    assert.deepEqual(keys, ['2021-05-05-00:00', '2021-05-05-11:00', '2021-05-06-00:00', '2021-05-06-11:00'])
    assert.deepEqual(keys.map((k) => win(p.window(k))), [
      ['2021-05-05T00:00:00.000Z', '2021-05-05T11:00:00.000Z'],
      ['2021-05-05T11:00:00.000Z', '2021-05-06T00:00:00.000Z'],
      ['2021-05-06T00:00:00.000Z', '2021-05-06T11:00:00.000Z'],
      ['2021-05-06T11:00:00.000Z', '2021-05-07T00:00:00.000Z'],
    ])
    // Keys of windows that do not exist yet still name their windows.
    assert.deepEqual(win(p.window('2021-05-08-00:00')), ['2021-05-08T00:00:00.000Z', '2021-05-08T11:00:00.000Z'])
    assert.deepEqual(win(p.window('2021-05-08-11:00')), ['2021-05-08T11:00:00.000Z', '2021-05-09T00:00:00.000Z'])
    assert.equal(p.has('2021-05-06-05:00', { now: at('2021-06-01T00:00:00Z') }), false)
    assert.equal(p.keyForTime(at('2021-05-06T10:59:00Z'), { now: at('2021-06-01T00:00:00Z') }), '2021-05-06-00:00')
    assert.match(p.id, /^cron\(2021-05-05-00:00\.\.,UTC,cron=0 0,11 \* \* \*\)$/)
  })

  it('a start between ticks begins at the next tick (Dagster: test_start_not_aligned)', () => {
    const p = timeWindowPartitions({ cron: '0 7 * * *', start: '2021-05-05', fmt: 'yyyy-MM-dd-HH:mm' })
    assert.deepEqual(p.keys({ now: at('2021-05-08T00:00:00Z') }).map((k) => win(p.window(k))), [
      ['2021-05-05T07:00:00.000Z', '2021-05-06T07:00:00.000Z'],
      ['2021-05-06T07:00:00.000Z', '2021-05-07T07:00:00.000Z'],
    ])
  })

  it('weekdays at 9:00: Friday\'s window runs to Monday; keys are dates', () => {
    const p = timeWindowPartitions({ cron: '0 9 * * 1-5', start: '2024-03-07', timezone: 'America/New_York' })
    assert.equal(p.fmt, 'yyyy-MM-dd')
    assert.deepEqual(p.keys({ now: at('2024-03-13T15:00:00Z') }), ['2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12'])
    // Across the spring change (Sunday 2024-03-10) the window is 71 hours long, not 72.
    assert.deepEqual(win(p.window('2024-03-08')), ['2024-03-08T14:00:00.000Z', '2024-03-11T13:00:00.000Z'])
    assert.equal(p.nextKey('2024-03-08', { now: at('2024-03-13T15:00:00Z') }), '2024-03-11')
    assert.equal(p.previousKey('2024-03-11', { now: at('2024-03-13T15:00:00Z') }), '2024-03-08')
    assert.equal(p.has('2024-03-09', { now: at('2024-03-13T15:00:00Z') }), false)
  })

  it('every 15 minutes, with endOffset 1 including the window in progress', () => {
    const p = timeWindowPartitions({ cron: '*/15 * * * *', start: '2024-01-01-00:00', endOffset: 1 })
    assert.deepEqual(p.keys({ now: at('2024-01-01T00:40:00Z') }), ['2024-01-01-00:00', '2024-01-01-00:15', '2024-01-01-00:30'])
    assert.equal(p.keys({ now: at('2024-01-02T00:00:00Z') }).length, 24 * 4 + 1)
    assert.deepEqual(p.keysInRange('2024-01-01-23:30', '2024-01-02-00:00', { now: at('2024-01-03T00:00:00Z') }), ['2024-01-01-23:30', '2024-01-01-23:45', '2024-01-02-00:00'])
  })

  it('15-minute windows across a fall-back change: both passes of the repeated hour, the second keyed with its offset (Dagster: test_dst_transition_15_minute_partitions)', () => {
    const p = timeWindowPartitions({ cron: '*/15 * * * *', start: '2020-11-01-00:30', end: '2020-11-01-02:30', timezone: 'US/Pacific' })
    const keys = p.keys({ now: at('2020-12-01T00:00:00Z') })
    assert.deepEqual(keys, [
      '2020-11-01-00:30',
      '2020-11-01-00:45',
      '2020-11-01-01:00',
      '2020-11-01-01:15',
      '2020-11-01-01:30',
      '2020-11-01-01:45',
      '2020-11-01-01:00-0800',
      '2020-11-01-01:15-0800',
      '2020-11-01-01:30-0800',
      '2020-11-01-01:45-0800',
      '2020-11-01-02:00',
      '2020-11-01-02:15',
    ])
    for (const k of keys) assert.ok(p.has(k, { now: at('2020-12-01T00:00:00Z') }), k)
    assert.deepEqual(win(p.window('2020-11-01-01:45')), ['2020-11-01T08:45:00.000Z', '2020-11-01T09:00:00.000Z'])
    assert.deepEqual(win(p.window('2020-11-01-01:45-0800')), ['2020-11-01T09:45:00.000Z', '2020-11-01T10:00:00.000Z'])
    assert.equal(p.has('2020-11-01-02:00-0800', { now: at('2020-12-01T00:00:00Z') }), false)
  })

  it('a daily time the spring change skips starts that day\'s window at the change', () => {
    const p = timeWindowPartitions({ cron: '30 2 * * 1-5', start: '2024-03-07', timezone: 'America/New_York' })
    // Sunday 2024-03-10 is skipped by the cron itself; Monday at 2:30 exists.
    assert.deepEqual(p.keys({ now: at('2024-03-13T12:00:00Z') }), ['2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12'])
    const q = timeWindowPartitions({ cron: '30 2 * * 0', start: '2024-03-01', timezone: 'America/New_York' })
    assert.equal(q.granularity, 'weekly')
    const r = timeWindowPartitions({ cron: '30 2 * * 0,3', start: '2024-03-01', timezone: 'America/New_York' })
    assert.deepEqual(win(r.window('2024-03-10')), ['2024-03-10T07:00:00.000Z', '2024-03-13T06:30:00.000Z'])
    assert.equal(r.keyForTime(at('2024-03-10T07:00:00Z'), { now: at('2024-04-01T00:00:00Z') }), '2024-03-10')
    assert.equal(r.keyForTime(at('2024-03-10T06:59:00Z'), { now: at('2024-04-01T00:00:00Z') }), '2024-03-06')
  })

  it('yearly, keyed by year, the current year included with endOffset 1', () => {
    const p = timeWindowPartitions({ cron: '0 0 1 1 *', start: '2021', fmt: 'yyyy', endOffset: 1, timezone: 'Asia/Shanghai' })
    assert.deepEqual(p.keys({ now: at('2024-03-08T00:00:00Z') }), ['2021', '2022', '2023', '2024'])
    assert.deepEqual(win(p.window('2023')), ['2022-12-31T16:00:00.000Z', '2023-12-31T16:00:00.000Z'])
    const q = timeWindowPartitions({ cron: '0 0 1 1 *', start: '2010-01-01' })
    assert.equal(q.fmt, 'yyyy-MM-dd')
    assert.deepEqual(q.keys({ now: at('2013-06-01T00:00:00Z') }), ['2010-01-01', '2011-01-01', '2012-01-01'])
  })

  it('regular shapes written otherwise still take the fast grid', () => {
    assert.equal(timeWindowPartitions({ cron: '@daily', start: '2021-01-01' }).id, dailyPartitions({ start: '2021-01-01' }).id)
    assert.equal(timeWindowPartitions({ cron: '0 0 * * SUN', start: '2021-01-01' }).granularity, 'weekly')
    assert.equal(timeWindowPartitions({ cron: '0 0 31 * *', start: '2021-01-01' }).granularity, 'cron')
  })

  it('rejects a key format that cannot tell its windows apart, offsets, and more windows than it keeps', () => {
    const throwsCode = (fn: () => unknown, code: string, re: RegExp) =>
      assert.throws(fn, (e: { code?: string; message?: string }) => e.code === code && re.test(e.message ?? ''))
    throwsCode(() => timeWindowPartitions({ cron: '0 0,11 * * *', start: '2021-05-05', fmt: 'yyyy-MM-dd' }), 'STRATA_INVALID_PARTITIONS', /fmt "yyyy-MM-dd" cannot be used for cron partitions: key "2021-05-05" does not identify the window starting 2021-05-05T00:00:00.000Z\. Include every field down to the window size \(luxon tokens, e\.g\. "yyyy-MM-dd-HH:mm"\)/)
    throwsCode(() => timeWindowPartitions({ cron: '0 0 1 1 *', start: '2021', fmt: 'yy' }), 'STRATA_INVALID_PARTITIONS', /fmt "yy" cannot be used/)
    throwsCode(() => timeWindowPartitions({ cron: '*/15 * * * *', start: at('2021-05-05T00:00:00Z'), fmt: 'dd-HH:mm' }), 'STRATA_INVALID_PARTITIONS', /fmt "dd-HH:mm" cannot be used/)
    throwsCode(() => timeWindowPartitions({ cron: '0 0,11 * * *', start: '2021-05-05', minuteOffset: 5 }), 'STRATA_INVALID_PARTITIONS', /minuteOffset applies to hourly, daily, weekly and monthly crons only/)
    const minutes = timeWindowPartitions({ cron: '* * * * *', start: '1990-01-01-00:00' })
    throwsCode(() => minutes.keys({ now: at('2024-01-01T00:00:00Z') }), 'STRATA_INVALID_PARTITIONS', /More than 4,000,000 windows of "\* \* \* \* \*" .*start later, give an end, or use a coarser cron/)
  })

  it('window boundaries are the cron\'s ticks, forward and backward from the start', () => {
    for (const [cron, tz] of [['0 0,11 * * *', 'America/New_York'], ['*/20 1-3 * * *', 'America/New_York'], ['0 9 * * 1-5', 'Europe/Berlin'], ['0 0 L * *', 'UTC']] as const) {
      const p = timeWindowPartitions({ cron, start: '2024-02-20', timezone: tz })
      let t = p.tickAt(p.firstIndex - 40)
      for (let n = p.firstIndex - 39; n < p.firstIndex + 400; n++) {
        const next = nextTick(cron, new Date(t), tz)!.getTime()
        assert.equal(p.tickAt(n), next, `${cron} tick ${n}`)
        assert.equal(p.floorIndex(next), n)
        assert.equal(p.floorIndex(next - 1), n - 1)
        t = next
      }
    }
  })
})

describe('cron partitions: mappings', () => {
  const start = '2020-01-05'
  const now = at('2022-01-01T00:00:00Z')

  it('daily downstream of a twice-daily upstream reads both halves of each day (Dagster)', () => {
    const down = timeWindowPartitions({ cron: '0 0 * * *', start })
    const up = timeWindowPartitions({ cron: '0 0,11 * * *', start })
    const r = timeWindowMapping().upstreamFor(['2021-05-01', '2021-05-02', '2021-05-03'], { downstream: down, upstream: up, now })
    assert.deepEqual(r, { keys: up.keysInRange('2021-05-01-00:00', '2021-05-03-11:00', { now }), missing: [] })
    assert.equal(r.keys.length, 6)
  })

  it('twice-daily downstream of a daily upstream reads the day each half falls in (Dagster)', () => {
    const down = timeWindowPartitions({ cron: '0 0,11 * * *', start })
    const up = timeWindowPartitions({ cron: '0 0 * * *', start })
    const keys = down.keysInRange('2021-05-01-00:00', '2021-05-03-00:00', { now })
    const r = timeWindowMapping().upstreamFor(keys, { downstream: down, upstream: up, now })
    assert.deepEqual(r.keys, ['2021-05-01', '2021-05-02', '2021-05-03'])
    // And back: a day's upstream partition maps to both of its halves.
    assert.deepEqual(timeWindowMapping().downstreamFor(['2021-05-02'], { downstream: down, upstream: up, now }), ['2021-05-02-00:00', '2021-05-02-11:00'])
  })
})
