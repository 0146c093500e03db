import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  timeWindowPartitions,
  weeklyPartitions,
} from '../../assets/partitions/index.js'
import { isStrataError } from '../../assets/errors.js'

const iso = (d: Date): string => d.toISOString()
const win = (w: { start: Date; end: Date }): [string, string] => [iso(w.start), iso(w.end)]

function throwsCode(fn: () => unknown, code: string, message?: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code)
    if (typeof message === 'string') assert.equal(err.message, message)
    else if (message) assert.match(err.message, message)
    return true
  })
}

describe('daily partitions', () => {
  const def = dailyPartitions({ start: '2021-01-01', end: '2021-07-01' })
  const now = new Date('2022-01-01T00:00:00Z')

  it('lists keys from start (inclusive) to end (exclusive)', () => {
    const keys = def.keys({ now })
    assert.equal(keys.length, 181)
    assert.equal(keys[0], '2021-01-01')
    assert.equal(keys.at(-1), '2021-06-30')
    assert.equal(def.firstKey({ now }), '2021-01-01')
    assert.equal(def.lastKey({ now }), '2021-06-30')
  })

  it('ends at the last complete window before now', () => {
    const open = dailyPartitions({ start: '2021-01-01' })
    assert.equal(open.lastKey({ now: new Date('2021-01-05T00:00:00Z') }), '2021-01-04')
    assert.equal(open.lastKey({ now: new Date('2021-01-05T23:59:59.999Z') }), '2021-01-04')
    assert.equal(open.lastKey({ now: new Date('2021-01-01T12:00:00Z') }), undefined)
    assert.deepEqual(open.keys({ now: new Date('2021-01-01T12:00:00Z') }), [])
  })

  it('endOffset adds or removes windows at the end', () => {
    const now5 = new Date('2021-01-05T12:00:00Z')
    assert.equal(dailyPartitions({ start: '2021-01-01', endOffset: 1 }).lastKey({ now: now5 }), '2021-01-05')
    assert.equal(dailyPartitions({ start: '2021-01-01', endOffset: 3 }).lastKey({ now: now5 }), '2021-01-07')
    assert.equal(dailyPartitions({ start: '2021-01-01', endOffset: -1 }).lastKey({ now: now5 }), '2021-01-03')
    assert.equal(dailyPartitions({ start: '2021-01-01', endOffset: -10 }).lastKey({ now: now5 }), undefined)
    // end cuts before a positive offset; a negative offset trims after end.
    assert.equal(dailyPartitions({ start: '2021-01-01', end: '2021-01-04', endOffset: 5 }).lastKey({ now: now5 }), '2021-01-03')
    assert.equal(dailyPartitions({ start: '2021-01-01', end: '2021-01-04', endOffset: -1 }).lastKey({ now: now5 }), '2021-01-02')
    // With a positive offset, a partition exists before its window completes, never before it starts.
    assert.deepEqual(dailyPartitions({ start: '2021-01-05', endOffset: 1 }).keys({ now: now5 }), ['2021-01-05'])
    assert.deepEqual(dailyPartitions({ start: '2021-01-06', endOffset: 1 }).keys({ now: now5 }), [])
  })

  it('gives windows, neighbours, ranges and the key for an instant', () => {
    assert.deepEqual(win(def.window('2021-03-01')), ['2021-03-01T00:00:00.000Z', '2021-03-02T00:00:00.000Z'])
    assert.equal(def.nextKey('2021-02-28', { now }), '2021-03-01')
    assert.equal(def.previousKey('2021-03-01', { now }), '2021-02-28')
    assert.equal(def.previousKey('2021-01-01', { now }), undefined)
    assert.equal(def.nextKey('2021-06-30', { now }), undefined)
    assert.deepEqual(def.keysInRange('2021-02-27', '2021-03-02', { now }), ['2021-02-27', '2021-02-28', '2021-03-01', '2021-03-02'])
    assert.equal(def.keyForTime(new Date('2021-03-01T23:59:59Z'), { now }), '2021-03-01')
    assert.equal(def.keyForTime(new Date('2020-12-31T23:59:59Z'), { now }), undefined)
    assert.equal(def.keyForTime(new Date('2021-07-01T00:00:00Z'), { now }), undefined)
    assert.deepEqual(
      def.windowsOverlapping(new Date('2021-03-01T12:00:00Z'), new Date('2021-03-03T00:00:00Z'), { now }).map((w) => w.key),
      ['2021-03-01', '2021-03-02'],
    )
    assert.deepEqual(def.windowsOverlapping(new Date('2020-12-30T00:00:00Z'), new Date('2021-01-01T00:00:01Z'), { now }).map((w) => w.key), ['2021-01-01'])
  })

  it('has a stable id describing the definition', () => {
    assert.equal(dailyPartitions({ start: '2021-01-01' }).id, 'daily(2021-01-01..,UTC)')
    assert.equal(def.id, 'daily(2021-01-01..2021-07-01,UTC)')
    assert.equal(dailyPartitions({ start: new Date('2021-01-01T00:00:00Z') }).id, dailyPartitions({ start: '2021-01-01' }).id)
    assert.notEqual(dailyPartitions({ start: '2021-01-01', hourOffset: 6 }).id, dailyPartitions({ start: '2021-01-01' }).id)
    assert.match(dailyPartitions({ start: '2021-01-01', timezone: 'Europe/Berlin', endOffset: 1 }).id, /^daily\(2021-01-01\.\.,Europe\/Berlin,endOffset=1\)$/)
  })

  it('validates keys with a message naming the format and the range', () => {
    throwsCode(
      () => def.validateKey('2021-13-01', { now }),
      'STRATA_INVALID_PARTITION_KEY',
      'Invalid partition key "2021-13-01" for daily partitions: expected YYYY-MM-DD between 2021-01-01 and 2021-06-30.',
    )
    for (const bad of ['2021-02-30', '2021-1-01', '2021-01-01 ', '20210101', '', 'x', '2021-01-01-00:00']) {
      assert.equal(def.has(bad, { now }), false, bad)
      throwsCode(() => def.validateKey(bad, { now }), 'STRATA_INVALID_PARTITION_KEY', /expected YYYY-MM-DD between 2021-01-01 and 2021-06-30\./)
    }
    throwsCode(() => def.validateKey('2020-12-31', { now }), 'STRATA_INVALID_PARTITION_KEY', /before the first partition/)
    throwsCode(() => def.validateKey('2021-07-01', { now }), 'STRATA_INVALID_PARTITION_KEY', /past the end/)
    const open = dailyPartitions({ start: '2021-01-01' })
    throwsCode(() => open.validateKey('2021-01-05', { now: new Date('2021-01-05T12:00:00Z') }), 'STRATA_INVALID_PARTITION_KEY', /2021-01-05 does not exist yet: it exists from 2021-01-06T00:00:00\.000Z, when its window ends\./)
    throwsCode(
      () => open.validateKey('2021-01-01', { now: new Date('2021-01-01T12:00:00Z') }),
      'STRATA_INVALID_PARTITION_KEY',
      /no partition exists yet \(the first, 2021-01-01, exists from 2021-01-02T00:00:00\.000Z, when its window ends\)/,
    )
    throwsCode(() => def.window('nope'), 'STRATA_INVALID_PARTITION_KEY')
    throwsCode(() => def.nextKey('2020-12-31', { now }), 'STRATA_INVALID_PARTITION_KEY')
    throwsCode(() => def.keysInRange('2021-03-02', '2021-03-01', { now }), 'STRATA_INVALID_PARTITION_KEY', /is after/)
    assert.equal(def.has('2021-03-01', { now }), true)
    // window() accepts any well-formed key, existing or not.
    assert.deepEqual(win(def.window('2030-01-01')), ['2030-01-01T00:00:00.000Z', '2030-01-02T00:00:00.000Z'])
  })

  it('handles leap years and month ends', () => {
    const d = dailyPartitions({ start: '2020-02-27' })
    const n = { now: new Date('2020-03-03T00:00:00Z') }
    assert.deepEqual(d.keys(n), ['2020-02-27', '2020-02-28', '2020-02-29', '2020-03-01', '2020-03-02'])
    const y2100 = dailyPartitions({ start: '2100-02-27' })
    assert.deepEqual(y2100.keys({ now: new Date('2100-03-02T00:00:00Z') }), ['2100-02-27', '2100-02-28', '2100-03-01'])
    assert.equal(y2100.indexOf('2100-02-29'), undefined)
    assert.equal(d.has('2021-02-29', n), false)
    assert.deepEqual(
      dailyPartitions({ start: '1999-12-30' }).keys({ now: new Date('2000-01-03T00:00:00Z') }),
      ['1999-12-30', '1999-12-31', '2000-01-01', '2000-01-02'],
    )
  })

  it('supports hour and minute offsets', () => {
    const d = dailyPartitions({ start: '2021-01-01', hourOffset: 6, minuteOffset: 30 })
    assert.equal(d.cron, '30 6 * * *')
    assert.deepEqual(win(d.window('2021-01-01')), ['2021-01-01T06:30:00.000Z', '2021-01-02T06:30:00.000Z'])
    assert.equal(d.lastKey({ now: new Date('2021-01-03T06:29:00Z') }), '2021-01-01')
    assert.equal(d.lastKey({ now: new Date('2021-01-03T06:30:00Z') }), '2021-01-02')
  })

  it('accepts custom luxon formats', () => {
    const d = dailyPartitions({ start: '20210101', fmt: 'yyyyMMdd' })
    assert.deepEqual(d.keys({ now: new Date('2021-01-04T00:00:00Z') }), ['20210101', '20210102', '20210103'])
    assert.deepEqual(win(d.window('20210102')), ['2021-01-02T00:00:00.000Z', '2021-01-03T00:00:00.000Z'])
    throwsCode(() => d.validateKey('2021-01-02', { now: new Date('2021-01-04T00:00:00Z') }), 'STRATA_INVALID_PARTITION_KEY', /expected format "yyyyMMdd" between 20210101 and 20210103/)
    throwsCode(() => dailyPartitions({ start: '2021-01', fmt: 'yyyy-MM' }), 'STRATA_INVALID_PARTITIONS', /cannot be used for daily partitions/)
  })
})

describe('hourly, weekly, monthly and cron partitions', () => {
  it('hourly keys use YYYY-MM-DD-HH:mm', () => {
    const h = hourlyPartitions({ start: '2021-01-01-22:00' })
    assert.deepEqual(h.keys({ now: new Date('2021-01-02T01:30:00Z') }), ['2021-01-01-22:00', '2021-01-01-23:00', '2021-01-02-00:00'])
    assert.deepEqual(win(h.window('2021-01-01-23:00')), ['2021-01-01T23:00:00.000Z', '2021-01-02T00:00:00.000Z'])
    throwsCode(() => h.validateKey('2021-01-01', { now: new Date('2021-01-02T01:30:00Z') }), 'STRATA_INVALID_PARTITION_KEY', /expected YYYY-MM-DD-HH:mm between 2021-01-01-22:00 and 2021-01-02-00:00/)
    const m15 = hourlyPartitions({ start: '2021-01-01-00:00', minuteOffset: 15 })
    assert.equal(m15.firstKey({ now: new Date('2021-01-02T00:00:00Z') }), '2021-01-01-00:15')
    assert.equal(m15.has('2021-01-01-01:00', { now: new Date('2021-01-02T00:00:00Z') }), false)
  })

  it('a start between ticks begins at the next tick', () => {
    const h = hourlyPartitions({ start: new Date('2021-01-01T10:20:00Z') })
    assert.equal(h.firstKey({ now: new Date('2021-01-02T00:00:00Z') }), '2021-01-01-11:00')
    const w = weeklyPartitions({ start: '2021-01-01' })
    assert.equal(w.firstKey({ now: new Date('2021-02-01T00:00:00Z') }), '2021-01-03')
  })

  it('weekly windows start on Sunday, shifted by dayOffset', () => {
    const w = weeklyPartitions({ start: '2020-12-27' })
    assert.deepEqual(w.keys({ now: new Date('2021-01-17T00:00:00Z') }), ['2020-12-27', '2021-01-03', '2021-01-10'])
    assert.deepEqual(win(w.window('2020-12-27')), ['2020-12-27T00:00:00.000Z', '2021-01-03T00:00:00.000Z'])
    assert.equal(w.has('2021-01-04', { now: new Date('2021-02-01T00:00:00Z') }), false)
    const mon = weeklyPartitions({ start: '2021-01-01', dayOffset: 1 })
    assert.equal(mon.cron, '0 0 * * 1')
    assert.deepEqual(mon.keys({ now: new Date('2021-01-19T00:00:00Z') }), ['2021-01-04', '2021-01-11'])
  })

  it('monthly windows start on the 1st (or dayOffset), across leap Februaries', () => {
    const m = monthlyPartitions({ start: '2019-12-01' })
    assert.deepEqual(m.keys({ now: new Date('2020-04-01T00:00:00Z') }), ['2019-12-01', '2020-01-01', '2020-02-01', '2020-03-01'])
    assert.deepEqual(win(m.window('2020-02-01')), ['2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'])
    assert.equal(m.window('2021-02-01').end.getTime() - m.window('2021-02-01').start.getTime(), 28 * 86_400_000)
    const mid = monthlyPartitions({ start: '2021-01-01', dayOffset: 15 })
    assert.deepEqual(mid.keys({ now: new Date('2021-03-20T00:00:00Z') }), ['2021-01-15', '2021-02-15'])
    throwsCode(() => monthlyPartitions({ start: '2021-01-01', dayOffset: 31 }), 'STRATA_INVALID_PARTITIONS', /day of month/)
  })

  it('timeWindowPartitions takes the schedules the helpers produce', () => {
    const now = new Date('2021-02-01T00:00:00Z')
    assert.equal(timeWindowPartitions({ cron: '0 * * * *', start: '2021-01-01-00:00' }).granularity, 'hourly')
    const d = timeWindowPartitions({ cron: '30 2 * * *', start: '2021-01-01' })
    assert.deepEqual(win(d.window('2021-01-05')), ['2021-01-05T02:30:00.000Z', '2021-01-06T02:30:00.000Z'])
    assert.equal(timeWindowPartitions({ cron: '0 0 * * 0', start: '2021-01-01' }).id, weeklyPartitions({ start: '2021-01-01' }).id)
    assert.equal(timeWindowPartitions({ cron: '0 0 1 * *', start: '2021-01-01' }).id, monthlyPartitions({ start: '2021-01-01' }).id)
    const wed = timeWindowPartitions({ cron: '15 6 * * 3', start: '2021-01-01' })
    assert.equal(wed.granularity, 'weekly')
    assert.deepEqual(wed.keys({ now }), ['2021-01-06', '2021-01-13', '2021-01-20'])
    assert.deepEqual(win(wed.window('2021-01-06')), ['2021-01-06T06:15:00.000Z', '2021-01-13T06:15:00.000Z'])
    // Offsets given with a cron override its fields.
    assert.equal(timeWindowPartitions({ cron: '0 0 * * *', start: '2021-01-01', hourOffset: 6 }).cron, '0 6 * * *')
    assert.equal(timeWindowPartitions({ cron: '0 0 * * 7', start: '2021-01-01' }).cron, '0 0 * * 0')
  })

  it('rejects invalid crons and options clearly', () => {
    for (const cron of ['0 0 * *', '0 24 * * *', 'daily', '0 0 0 * * *']) {
      throwsCode(() => timeWindowPartitions({ cron, start: '2021-01-01' }), 'STRATA_INVALID_CRON', /Invalid cron/)
    }
    // Offsets belong to the regular shapes; any other cron says its time itself.
    throwsCode(() => timeWindowPartitions({ cron: '0 9 * * 1-5', start: '2021-01-01', hourOffset: 6 }), 'STRATA_INVALID_PARTITIONS', /hourOffset applies to hourly, daily, weekly and monthly crons only; write the time into the cron "0 9 \* \* 1-5" instead/)
    throwsCode(() => dailyPartitions({ start: '2021-01-01', timezone: 'Mars/Olympus' }), 'STRATA_INVALID_PARTITIONS', /Unknown timezone "Mars\/Olympus"/)
    throwsCode(() => dailyPartitions({ start: 'yesterday' }), 'STRATA_INVALID_PARTITIONS', /start "yesterday"/)
    throwsCode(() => dailyPartitions({ start: '2021-01-05', end: '2021-01-01' }), 'STRATA_INVALID_PARTITIONS', /must be after start/)
    throwsCode(() => dailyPartitions({ start: '2021-01-01', endOffset: 0.5 }), 'STRATA_INVALID_PARTITIONS', /endOffset/)
    throwsCode(() => dailyPartitions({ start: '2021-01-01', hourOffset: 24 }), 'STRATA_INVALID_PARTITIONS', /hourOffset/)
    throwsCode(() => weeklyPartitions({ start: '2021-01-01', dayOffset: 7 }), 'STRATA_INVALID_PARTITIONS', /dayOffset/)
    throwsCode(() => dailyPartitions({ start: new Date(NaN) }), 'STRATA_INVALID_PARTITIONS', /invalid Date/)
    throwsCode(() => dailyPartitions(undefined as never), 'STRATA_INVALID_PARTITIONS')
  })

  it('accepts start and end as key-format strings, ISO strings or Dates, read in the zone', () => {
    const a = dailyPartitions({ start: '2021-05-05', timezone: 'America/New_York' })
    assert.equal(iso(a.window('2021-05-05').start), '2021-05-05T04:00:00.000Z')
    assert.equal(a.firstKey({ now: new Date('2021-06-01T00:00:00Z') }), '2021-05-05')
    const b = hourlyPartitions({ start: '2021-03-14-01:00', timezone: 'America/New_York' })
    assert.equal(b.firstKey({ now: new Date('2021-03-15T00:00:00Z') }), '2021-03-14-01:00')
    const c = hourlyPartitions({ start: '2021-03-14', end: '2021-03-14T05:00', timezone: 'America/New_York' })
    assert.deepEqual(c.keys({ now: new Date('2021-03-15T00:00:00Z') }), ['2021-03-14-00:00', '2021-03-14-01:00', '2021-03-14-03:00', '2021-03-14-04:00'])
  })
})
