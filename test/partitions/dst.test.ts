import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions, hourlyPartitions, monthlyPartitions, timeWindowPartitions, weeklyPartitions } from '../../assets/partitions/index.js'

const HOUR = 3_600_000
const hours = (w: { start: Date; end: Date }): number => (w.end.getTime() - w.start.getTime()) / HOUR
const iso = (d: Date): string => d.toISOString()

describe('DST in America/New_York', () => {
  const tz = 'America/New_York'

  it('spring forward: a 23-hour day and no 02:00 partition', () => {
    const daily = dailyPartitions({ start: '2021-03-13', timezone: tz })
    assert.equal(hours(daily.window('2021-03-13')), 24)
    assert.equal(hours(daily.window('2021-03-14')), 23)
    assert.equal(iso(daily.window('2021-03-14').start), '2021-03-14T05:00:00.000Z')
    assert.equal(iso(daily.window('2021-03-14').end), '2021-03-15T04:00:00.000Z')

    const hourly = hourlyPartitions({ start: '2021-03-14-00:00', timezone: tz })
    const keys = hourly.keys({ now: new Date('2021-03-14T09:00:00Z') })
    assert.deepEqual(keys, ['2021-03-14-00:00', '2021-03-14-01:00', '2021-03-14-03:00', '2021-03-14-04:00'])
    assert.equal(hourly.has('2021-03-14-02:00', { now: new Date('2021-03-15T00:00:00Z') }), false)
    assert.throws(() => hourly.window('2021-03-14-02:00'), /Invalid partition key "2021-03-14-02:00"/)
    assert.equal(iso(hourly.window('2021-03-14-01:00').end), iso(hourly.window('2021-03-14-03:00').start))
    for (const k of keys) assert.equal(hours(hourly.window(k)), 1)
    assert.equal(hourly.nextKey('2021-03-14-01:00', { now: new Date('2021-03-15T00:00:00Z') }), '2021-03-14-03:00')
  })

  it('fall back: a 25-hour day and a distinguishable repeated hour', () => {
    const daily = dailyPartitions({ start: '2021-11-06', timezone: tz })
    assert.equal(hours(daily.window('2021-11-07')), 25)
    assert.equal(iso(daily.window('2021-11-07').start), '2021-11-07T04:00:00.000Z')

    const hourly = hourlyPartitions({ start: '2021-11-07-00:00', timezone: tz })
    const now = new Date('2021-11-07T09:00:00Z')
    const keys = hourly.keys({ now })
    assert.deepEqual(keys, ['2021-11-07-00:00', '2021-11-07-01:00', '2021-11-07-01:00-0500', '2021-11-07-02:00', '2021-11-07-03:00'])
    assert.equal(iso(hourly.window('2021-11-07-01:00').start), '2021-11-07T05:00:00.000Z')
    assert.equal(iso(hourly.window('2021-11-07-01:00-0500').start), '2021-11-07T06:00:00.000Z')
    assert.equal(iso(hourly.window('2021-11-07-02:00').start), '2021-11-07T07:00:00.000Z')
    assert.equal(hourly.keyForTime(new Date('2021-11-07T06:30:00Z'), { now }), '2021-11-07-01:00-0500')
    assert.equal(hourly.keyForTime(new Date('2021-11-07T05:59:59Z'), { now }), '2021-11-07-01:00')
    assert.equal(hourly.previousKey('2021-11-07-02:00', { now }), '2021-11-07-01:00-0500')
    assert.deepEqual(hourly.keysInRange('2021-11-07-01:00', '2021-11-07-02:00', { now }), ['2021-11-07-01:00', '2021-11-07-01:00-0500', '2021-11-07-02:00'])
    // Only the canonical spellings are keys.
    assert.equal(hourly.has('2021-11-07-01:00-0400', { now }), false)
    assert.equal(hourly.has('2021-11-07-02:00-0500', { now }), false)
    assert.equal(hourly.has('2021-11-07-01:00-0500', { now }), true)
    assert.equal(new Set(hourly.keys({ now: new Date('2022-01-01T00:00:00Z') })).size, hourly.keys({ now: new Date('2022-01-01T00:00:00Z') }).length)
  })

  it('daily schedules at missing or repeated times follow Dagster', () => {
    // 02:30 does not exist on 2021-03-14: that window starts at 03:00, the next time that exists.
    const at0230 = timeWindowPartitions({ cron: '30 2 * * *', start: '2021-03-13', timezone: tz, fmt: "yyyy-MM-dd'T'HH:mm" })
    const spring = at0230.keys({ now: new Date('2021-03-17T00:00:00Z') })
    assert.deepEqual(spring, ['2021-03-13T02:30', '2021-03-14T03:00', '2021-03-15T02:30'])
    assert.equal(iso(at0230.window('2021-03-14T03:00').start), '2021-03-14T07:00:00.000Z')
    assert.equal(at0230.has('2021-03-14T02:30', { now: new Date('2021-03-17T00:00:00Z') }), false)
    // 01:30 happens twice on 2021-11-07: the window starts at the second one (EST).
    const at0130 = timeWindowPartitions({ cron: '30 1 * * *', start: '2021-11-06', timezone: tz })
    assert.equal(iso(at0130.window('2021-11-07').start), '2021-11-07T06:30:00.000Z')
    assert.equal(hours(at0130.window('2021-11-06')), 25)
  })

  it('weekly and monthly windows across transitions', () => {
    const weekly = weeklyPartitions({ start: '2021-03-07', timezone: tz })
    assert.equal(hours(weekly.window('2021-03-14')), 7 * 24 - 1)
    assert.equal(hours(weekly.window('2021-03-07')), 7 * 24)
    assert.equal(hours(weekly.window('2021-11-07')), 7 * 24 + 1)
    const monthly = monthlyPartitions({ start: '2021-01-01', timezone: tz })
    assert.equal(hours(monthly.window('2021-03-01')), 31 * 24 - 1)
    assert.equal(hours(monthly.window('2021-11-01')), 30 * 24 + 1)
  })
})

describe('DST in Europe/Berlin and Australia/Sydney', () => {
  it('Berlin: 23- and 25-hour days, 02:00 skipped in March, repeated in October', () => {
    const tz = 'Europe/Berlin'
    const daily = dailyPartitions({ start: '2021-01-01', timezone: tz })
    assert.equal(hours(daily.window('2021-03-28')), 23)
    assert.equal(hours(daily.window('2021-10-31')), 25)
    assert.equal(iso(daily.window('2021-03-28').start), '2021-03-27T23:00:00.000Z')
    const hourly = hourlyPartitions({ start: '2021-03-28-00:00', timezone: tz })
    assert.deepEqual(hourly.keys({ now: new Date('2021-03-28T03:00:00Z') }), ['2021-03-28-00:00', '2021-03-28-01:00', '2021-03-28-03:00', '2021-03-28-04:00'])
    const fall = hourlyPartitions({ start: '2021-10-31-01:00', timezone: tz })
    assert.deepEqual(fall.keys({ now: new Date('2021-10-31T03:00:00Z') }), ['2021-10-31-01:00', '2021-10-31-02:00', '2021-10-31-02:00+0100', '2021-10-31-03:00'])
    assert.equal(iso(fall.window('2021-10-31-02:00+0100').start), '2021-10-31T01:00:00.000Z')
  })

  it('Sydney: southern-hemisphere transitions', () => {
    const tz = 'Australia/Sydney'
    const daily = dailyPartitions({ start: '2021-01-01', timezone: tz })
    assert.equal(hours(daily.window('2021-04-04')), 25)
    assert.equal(hours(daily.window('2021-10-03')), 23)
    const hourly = hourlyPartitions({ start: '2021-04-04-01:00', timezone: tz })
    assert.deepEqual(hourly.keys({ now: new Date('2021-04-03T18:00:00Z') }), ['2021-04-04-01:00', '2021-04-04-02:00', '2021-04-04-02:00+1000', '2021-04-04-03:00'])
  })

  it('custom formats with an offset token need no suffix', () => {
    const hourly = hourlyPartitions({ start: '2021-11-07T00:00-04:00', timezone: 'America/New_York', fmt: "yyyy-MM-dd'T'HH:mmZZ" })
    const keys = hourly.keys({ now: new Date('2021-11-07T08:00:00Z') })
    assert.deepEqual(keys, ['2021-11-07T00:00-04:00', '2021-11-07T01:00-04:00', '2021-11-07T01:00-05:00', '2021-11-07T02:00-05:00'])
    assert.equal(iso(hourly.window('2021-11-07T01:00-05:00').start), '2021-11-07T06:00:00.000Z')
  })

  it('UTC-like zone names are fixed offsets', () => {
    for (const tz of ['Etc/UTC', 'UTC', 'Etc/GMT-2']) {
      const d = hourlyPartitions({ start: '2021-03-28-00:00', timezone: tz })
      assert.equal(d.keys({ now: new Date('2021-03-28T06:00:00Z') }).every((k) => k.length === 16), true)
    }
    assert.equal(iso(dailyPartitions({ start: '2021-01-01', timezone: 'Etc/GMT-2' }).window('2021-01-02').start), '2021-01-01T22:00:00.000Z')
  })
})
