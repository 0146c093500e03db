import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { isValidCron, latestTick, nextTick, previousTick } from '../../assets/index.js'
import { cronFields } from '../../assets/cron/parse.js'
import { isStrataError } from '../../assets/errors.js'

const NY = 'America/New_York'
const iso = (d: Date | undefined): string | undefined => d?.toISOString()

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code)
    if (message) assert.match(err.message, message)
    return true
  })
}

/** The first `n` ticks after `from`, by repeated nextTick. */
function forward(cron: string, from: string, n: number, tz?: string): string[] {
  const out: string[] = []
  let t = new Date(from)
  for (let i = 0; i < n; i++) {
    const next = nextTick(cron, t, tz)
    if (!next) break
    out.push(next.toISOString())
    t = next
  }
  return out
}

/** The last `n` ticks before `from`, newest first. */
function backward(cron: string, from: string, n: number, tz?: string): string[] {
  const out: string[] = []
  let t = new Date(from)
  for (let i = 0; i < n; i++) {
    const prev = previousTick(cron, t, tz)
    if (!prev) break
    out.push(prev.toISOString())
    t = prev
  }
  return out
}

describe('cron expressions', () => {
  it('accepts lists, ranges, steps, names, aliases, L and #', () => {
    for (const cron of ['0 0,11 * * *', '0 9 * * 1-5', '*/15 * * * *', '0 0 1 1 *', '5-50/15 8-18/2 * * *', '0 9 * JAN-MAR MON,WED', '0 0 L * *', '0 0 * * 5L', '0 0 * * 1#2', '@daily', '@weekly', '0 0 ? * MON-FRI', '0 12 29 2 *']) {
      assert.ok(isValidCron(cron), cron)
    }
    assert.equal(cronFields('0 9 * * MON-FRI').cron, '0 9 * * 1-5')
    assert.equal(cronFields('@daily').cron, '0 0 * * *')
    assert.deepEqual(cronFields('5-50/15 8-18/2 * * *').minutes, [5, 20, 35, 50])
    assert.deepEqual(cronFields('5-50/15 8-18/2 * * *').hours, [8, 10, 12, 14, 16, 18])
  })

  it('rejects what it cannot run, saying why (STRATA_INVALID_CRON)', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['', /it is empty/],
      ['0 0 * *', /expected 5 fields, got 4/],
      ['0 0 0 * * *', /expected 5 fields, got 6 \(a seconds field is not supported\)/],
      ['60 * * * *', /60/],
      ['0 24 * * *', /24/],
      ['*/0 * * * *', /every 0/],
      ['H 0 * * *', /"H" is not supported/],
      ['0 0 15W * *', /"W" is not supported/],
      ['0 0 * * L', /standalone L/],
      ['0 0 30 2 *', /invalid explicit day of month/],
      ['0 0 31 4,6 *', /invalid explicit day of month/],
      ['@fortnightly', /unknown alias/],
      ['@secondly', /unknown alias/],
      [42, /expected a string, got number/],
    ]
    for (const [cron, why] of cases) {
      throwsCode(() => cronFields(cron as string), 'STRATA_INVALID_CRON', why)
      assert.ok(!isValidCron(cron as string))
    }
    // The message shows how to write one.
    throwsCode(() => cronFields('daily'), 'STRATA_INVALID_CRON', /Write five fields, minute hour day-of-month month day-of-week, e\.g\. "0 0 \* \* \*"/)
  })
})

describe('cron ticks (UTC)', () => {
  it('twice daily, weekdays, every 15 minutes, yearly', () => {
    assert.deepEqual(forward('0 0,11 * * *', '2021-05-05T00:00:00Z', 4), ['2021-05-05T11:00:00.000Z', '2021-05-06T00:00:00.000Z', '2021-05-06T11:00:00.000Z', '2021-05-07T00:00:00.000Z'])
    // Friday 2024-03-08 → Monday.
    assert.deepEqual(forward('0 9 * * 1-5', '2024-03-08T09:00:00Z', 2), ['2024-03-11T09:00:00.000Z', '2024-03-12T09:00:00.000Z'])
    assert.deepEqual(forward('*/15 * * * *', '2024-03-08T23:40:00Z', 3), ['2024-03-08T23:45:00.000Z', '2024-03-09T00:00:00.000Z', '2024-03-09T00:15:00.000Z'])
    assert.deepEqual(forward('0 0 1 1 *', '2024-03-08T00:00:00Z', 2), ['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'])
    assert.deepEqual(backward('0 0 1 1 *', '2024-03-08T00:00:00Z', 2), ['2024-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z'])
  })

  it('last day of the month, last Friday, second Monday, leap days', () => {
    assert.deepEqual(forward('0 0 L * *', '2024-01-15T00:00:00Z', 3), ['2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2024-03-31T00:00:00.000Z'])
    assert.deepEqual(forward('0 0 * * 5L', '2024-01-01T00:00:00Z', 2), ['2024-01-26T00:00:00.000Z', '2024-02-23T00:00:00.000Z'])
    assert.deepEqual(forward('0 0 * * 1#2', '2024-01-01T00:00:00Z', 2), ['2024-01-08T00:00:00.000Z', '2024-02-12T00:00:00.000Z'])
    assert.deepEqual(forward('0 12 29 2 *', '2021-01-01T00:00:00Z', 2), ['2024-02-29T12:00:00.000Z', '2028-02-29T12:00:00.000Z'])
    // A fifth Monday in February needs February 29 on a Monday: 2044, then 28 years on.
    assert.deepEqual(forward('0 0 * 2 1#5', '2024-03-01T00:00:00Z', 2), ['2044-02-29T00:00:00.000Z', '2072-02-29T00:00:00.000Z'])
  })

  it('day of month and day of week both restricted: either matches (as cron)', () => {
    // The 13th, or any Friday.
    assert.deepEqual(forward('0 0 13 * 5', '2024-09-01T00:00:00Z', 4), ['2024-09-06T00:00:00.000Z', '2024-09-13T00:00:00.000Z', '2024-09-20T00:00:00.000Z', '2024-09-27T00:00:00.000Z'])
  })

  it('next and previous are strict; latest includes the instant itself', () => {
    const t = new Date('2024-03-08T09:00:00Z')
    assert.equal(iso(nextTick('0 9 * * *', t)), '2024-03-09T09:00:00.000Z')
    assert.equal(iso(previousTick('0 9 * * *', t)), '2024-03-07T09:00:00.000Z')
    assert.equal(iso(latestTick('0 9 * * *', t)), '2024-03-08T09:00:00.000Z')
    assert.equal(iso(latestTick('0 9 * * *', new Date(t.getTime() - 1))), '2024-03-07T09:00:00.000Z')
  })

  it('agrees with cron-parser\'s own iteration in UTC, forward and backward', () => {
    const { CronExpressionParser } = createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')
    const crons = ['0 0,11 * * *', '0 9 * * 1-5', '*/15 * * * *', '0 0 1 1 *', '7 */5 * * *', '0 0 1,15 * *', '30 6 * 3-9/2 0,6', '0 0 L * *', '0 0 * * 1#3', '0 0 10 * 2']
    fc.assert(
      fc.property(fc.constantFrom(...crons), fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), (cron, t) => {
        const from = new Date(t)
        const it = CronExpressionParser.parse(cron, { currentDate: from, tz: 'UTC' })
        assert.equal(iso(nextTick(cron, from)), it.next().toDate().toISOString(), `${cron} after ${from.toISOString()}`)
        const back = CronExpressionParser.parse(cron, { currentDate: from, tz: 'UTC' })
        assert.equal(iso(previousTick(cron, from)), back.prev().toDate().toISOString(), `${cron} before ${from.toISOString()}`)
      }),
      { numRuns: 300, seed: 12 },
    )
  })

  it('rejects an unknown time zone and an invalid Date', () => {
    throwsCode(() => nextTick('0 0 * * *', new Date(), 'Mars/Olympus'), 'STRATA_INVALID_CRON', /Unknown timezone "Mars\/Olympus"/)
    throwsCode(() => nextTick('0 0 * * *', new Date(Number.NaN)), 'STRATA_INVALID_CRON', /invalid Date/)
  })
})

describe('cron ticks across DST in America/New_York (Dagster\'s rules)', () => {
  // 2024-03-10: 2:00 EST → 3:00 EDT. 2024-11-03: 2:00 EDT → 1:00 EST.
  it('a daily time the spring change skips fires once, at the change (3:00 EDT)', () => {
    assert.deepEqual(forward('30 2 * * *', '2024-03-09T12:00:00Z', 3, NY), ['2024-03-10T07:00:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z'])
    assert.deepEqual(backward('30 2 * * *', '2024-03-12T12:00:00Z', 3, NY), ['2024-03-12T06:30:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-10T07:00:00.000Z'])
  })

  it('several skipped times collapse into one tick', () => {
    assert.deepEqual(forward('*/15 2 * * *', '2024-03-09T12:00:00Z', 3, NY), ['2024-03-10T07:00:00.000Z', '2024-03-11T06:00:00.000Z', '2024-03-11T06:15:00.000Z'])
    assert.deepEqual(forward('0,30 2,3 * * *', '2024-03-10T05:00:00Z', 3, NY), ['2024-03-10T07:00:00.000Z', '2024-03-10T07:30:00.000Z', '2024-03-11T06:00:00.000Z'])
  })

  it('a daily time the fall change repeats fires once, at its second occurrence (1:30 EST)', () => {
    assert.deepEqual(forward('30 1 * * *', '2024-11-02T12:00:00Z', 3, NY), ['2024-11-03T06:30:00.000Z', '2024-11-04T06:30:00.000Z', '2024-11-05T06:30:00.000Z'])
    assert.deepEqual(backward('30 1 * * *', '2024-11-05T12:00:00Z', 3, NY), ['2024-11-05T06:30:00.000Z', '2024-11-04T06:30:00.000Z', '2024-11-03T06:30:00.000Z'])
    // Every 30 minutes within hour 1: only the repeated hour's second pass.
    assert.deepEqual(forward('*/30 1 * * *', '2024-11-02T12:00:00Z', 3, NY), ['2024-11-03T06:00:00.000Z', '2024-11-03T06:30:00.000Z', '2024-11-04T06:00:00.000Z'])
  })

  it('hour * runs once an hour whatever the clock does: no tick in the gap, both passes of the repeated hour', () => {
    assert.deepEqual(forward('30 * * * *', '2024-03-10T05:00:00Z', 3, NY), ['2024-03-10T05:30:00.000Z', '2024-03-10T06:30:00.000Z', '2024-03-10T07:30:00.000Z'])
    assert.deepEqual(forward('0 * * * *', '2024-11-03T04:30:00Z', 4, NY), ['2024-11-03T05:00:00.000Z', '2024-11-03T06:00:00.000Z', '2024-11-03T07:00:00.000Z', '2024-11-03T08:00:00.000Z'])
    assert.deepEqual(backward('0 * * * *', '2024-11-03T07:30:00Z', 3, NY), ['2024-11-03T07:00:00.000Z', '2024-11-03T06:00:00.000Z', '2024-11-03T05:00:00.000Z'])
    assert.equal(forward('*/15 * * * *', '2024-11-03T04:50:00Z', 12, NY).length, 12)
    assert.deepEqual(forward('*/15 * * * *', '2024-11-03T05:50:00Z', 2, NY), ['2024-11-03T06:00:00.000Z', '2024-11-03T06:15:00.000Z'])
  })

  it('weekdays at 9:00 keep their wall time across both changes', () => {
    assert.deepEqual(forward('0 9 * * 1-5', '2024-03-08T15:00:00Z', 1, NY), ['2024-03-11T13:00:00.000Z'])
    assert.deepEqual(forward('0 9 * * 1-5', '2024-11-01T15:00:00Z', 1, NY), ['2024-11-04T14:00:00.000Z'])
  })

  it('walking forward and walking backward give the same ticks over a year of both changes', () => {
    for (const cron of ['30 2 * * *', '30 1 * * *', '*/20 1-3 * * *', '0 * * * *', '0 0,11 * * *', '15 2 * * 0']) {
      const from = new Date('2024-01-01T00:00:00Z')
      const to = new Date('2025-01-01T00:00:00Z')
      const ticks: string[] = []
      for (let t = nextTick(cron, from, NY)!; t < to; t = nextTick(cron, t, NY)!) ticks.push(t.toISOString())
      const back: string[] = []
      for (let t = previousTick(cron, to, NY)!; t > from; t = previousTick(cron, t, NY)!) back.push(t.toISOString())
      assert.deepEqual(back.reverse(), ticks, cron)
      for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]! > ticks[i - 1]!, `${cron}: ticks ascend`)
    }
  })
})
