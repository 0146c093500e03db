// When the first partition of a time-window definition starts to exist, for
// every endOffset: never before its window starts (endOffset 1), its window
// ends (0), the window before it starts (2), or later (negative); and every
// query (keys, firstKey, lastKey, has, validateKey, keyForTime) agrees.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions, hourlyPartitions, monthlyPartitions, type TimeWindowPartitionsOptions } from '../../assets/partitions/index.js'
import type { TimeWindowPartitions } from '../../assets/partitions/time-window.js'
import { isStrataError } from '../../assets/errors.js'

const at = (iso: string): Date => new Date(iso)
const justBefore = (iso: string): Date => new Date(Date.parse(iso) - 1)

/** keys() at `now`, after checking that every other query says the same. */
function keysAt(def: TimeWindowPartitions, now: Date): string[] {
  const opts = { now }
  const keys = def.keys(opts)
  assert.equal(def.firstKey(opts), keys[0], `firstKey at ${now.toISOString()}`)
  assert.equal(def.lastKey(opts), keys.at(-1), `lastKey at ${now.toISOString()}`)
  for (const k of keys) {
    assert.equal(def.has(k, opts), true, `has(${k}) at ${now.toISOString()}`)
    def.validateKey(k, opts)
  }
  const first = def.keyAt(def.firstIndex)
  if (keys.length === 0) {
    assert.equal(def.has(first, opts), false, `has(${first}) with no partitions at ${now.toISOString()}`)
    assert.throws(() => def.validateKey(first, opts), (e: unknown) => isStrataError(e) && e.code === 'STRATA_INVALID_PARTITION_KEY' && /no partition exists yet/.test(e.message))
    assert.equal(def.keyForTime(def.windowAt(def.firstIndex).start, opts), undefined)
    assert.ok((def.firstAvailableAt()?.getTime() ?? Infinity) > now.getTime(), 'firstAvailableAt is later')
  } else {
    const next = def.keyAt(def.indexOf(keys.at(-1)!)! + 1)
    assert.equal(def.has(next, opts), false, `has(${next}) past the last at ${now.toISOString()}`)
    assert.throws(() => def.validateKey(next, opts), /Invalid partition key/)
    assert.equal(def.keyForTime(def.window(keys[0]!).start, opts), keys[0])
    assert.ok(def.firstAvailableAt()!.getTime() <= now.getTime(), 'firstAvailableAt is not later')
  }
  return keys
}

const daily = (o: Partial<TimeWindowPartitionsOptions> = {}) => dailyPartitions({ start: '2023-01-15', ...o }) as TimeWindowPartitions

describe('endOffset never invents a partition before its time', () => {
  it('a definition starting next year has no partition now, whatever its endOffset', () => {
    for (const endOffset of [-2, -1, 0, 1, 2, 5]) {
      assert.deepEqual(keysAt(daily({ endOffset }), at('2022-01-01T00:00:00Z')), [], `endOffset ${endOffset}`)
    }
  })

  it('daily, endOffset 0: the first partition exists once its window has ended', () => {
    const def = daily()
    assert.deepEqual(keysAt(def, justBefore('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-15T12:00:00Z')), [])
    assert.deepEqual(keysAt(def, justBefore('2023-01-16T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-16T00:00:00Z')), ['2023-01-15'])
    assert.equal(def.firstAvailableAt()?.toISOString(), '2023-01-16T00:00:00.000Z')
  })

  it('daily, endOffset 1: the first partition exists once its window has started', () => {
    const def = daily({ endOffset: 1 })
    assert.deepEqual(keysAt(def, at('2023-01-14T12:00:00Z')), [])
    assert.deepEqual(keysAt(def, justBefore('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-15T00:00:00Z')), ['2023-01-15'])
    assert.deepEqual(keysAt(def, at('2023-01-15T12:00:00Z')), ['2023-01-15'])
    assert.deepEqual(keysAt(def, at('2023-01-16T00:00:00Z')), ['2023-01-15', '2023-01-16'])
    assert.equal(def.firstAvailableAt()?.toISOString(), '2023-01-15T00:00:00.000Z')
  })

  it('daily, endOffset 2: the first partition exists once the window before it has started', () => {
    const def = daily({ endOffset: 2 })
    assert.deepEqual(keysAt(def, justBefore('2023-01-14T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-14T00:00:00Z')), ['2023-01-15'])
    assert.deepEqual(keysAt(def, justBefore('2023-01-15T00:00:00Z')), ['2023-01-15'])
    assert.deepEqual(keysAt(def, at('2023-01-15T00:00:00Z')), ['2023-01-15', '2023-01-16'])
    assert.deepEqual(keysAt(def, at('2023-01-15T12:00:00Z')), ['2023-01-15', '2023-01-16'])
  })

  it('daily, negative endOffset: the first partition waits for as many more windows to end', () => {
    const minus1 = daily({ endOffset: -1 })
    assert.deepEqual(keysAt(minus1, at('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(minus1, at('2023-01-16T00:00:00Z')), [])
    assert.deepEqual(keysAt(minus1, justBefore('2023-01-17T00:00:00Z')), [])
    assert.deepEqual(keysAt(minus1, at('2023-01-17T00:00:00Z')), ['2023-01-15'])
    const minus2 = daily({ endOffset: -2 })
    assert.deepEqual(keysAt(minus2, at('2023-01-17T00:00:00Z')), [])
    assert.deepEqual(keysAt(minus2, justBefore('2023-01-18T00:00:00Z')), [])
    assert.deepEqual(keysAt(minus2, at('2023-01-18T00:00:00Z')), ['2023-01-15'])
    assert.equal(minus2.firstAvailableAt()?.toISOString(), '2023-01-18T00:00:00.000Z')
  })

  it('a start between ticks counts from the first window, not from the start instant', () => {
    // The first window is 2023-01-15; the day in progress at the start is no partition.
    const def = dailyPartitions({ start: '2023-01-14T12:00:00', endOffset: 1 }) as TimeWindowPartitions
    assert.deepEqual(keysAt(def, at('2023-01-14T13:00:00Z')), [])
    assert.deepEqual(keysAt(def, justBefore('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2023-01-15T00:00:00Z')), ['2023-01-15'])
  })

  it('hourly, endOffset 0, 1 and 2 around the start', () => {
    const h = (endOffset: number) => hourlyPartitions({ start: '2023-01-15-00:00', endOffset }) as TimeWindowPartitions
    assert.deepEqual(keysAt(h(0), at('2023-01-15T00:30:00Z')), [])
    assert.deepEqual(keysAt(h(0), at('2023-01-15T01:00:00Z')), ['2023-01-15-00:00'])
    assert.deepEqual(keysAt(h(1), justBefore('2023-01-15T00:00:00Z')), [])
    assert.deepEqual(keysAt(h(1), at('2023-01-15T00:00:00Z')), ['2023-01-15-00:00'])
    assert.deepEqual(keysAt(h(1), at('2023-01-15T00:59:00Z')), ['2023-01-15-00:00'])
    assert.deepEqual(keysAt(h(1), at('2023-01-15T01:00:00Z')), ['2023-01-15-00:00', '2023-01-15-01:00'])
    assert.deepEqual(keysAt(h(2), justBefore('2023-01-14T23:00:00Z')), [])
    assert.deepEqual(keysAt(h(2), at('2023-01-14T23:00:00Z')), ['2023-01-15-00:00'])
    assert.deepEqual(keysAt(h(-1), at('2023-01-15T01:00:00Z')), [])
    assert.deepEqual(keysAt(h(-1), at('2023-01-15T02:00:00Z')), ['2023-01-15-00:00'])
  })

  it('daily in New York across spring forward: the 23-hour first day starts and ends at local midnight', () => {
    const tz = 'America/New_York'
    const d = (endOffset: number) => dailyPartitions({ start: '2021-03-14', timezone: tz, endOffset }) as TimeWindowPartitions
    // 2021-03-14 runs from 05:00Z (EST midnight) to 04:00Z next day (EDT midnight).
    assert.deepEqual(keysAt(d(1), justBefore('2021-03-14T05:00:00Z')), [])
    assert.deepEqual(keysAt(d(1), at('2021-03-14T05:00:00Z')), ['2021-03-14'])
    assert.deepEqual(keysAt(d(1), justBefore('2021-03-15T04:00:00Z')), ['2021-03-14'])
    assert.deepEqual(keysAt(d(1), at('2021-03-15T04:00:00Z')), ['2021-03-14', '2021-03-15'])
    assert.deepEqual(keysAt(d(0), justBefore('2021-03-15T04:00:00Z')), [])
    assert.deepEqual(keysAt(d(0), at('2021-03-15T04:00:00Z')), ['2021-03-14'])
    assert.equal(d(1).firstAvailableAt()?.toISOString(), '2021-03-14T05:00:00.000Z')
  })

  it('hourly in New York across fall back: the repeated hour appears when it starts', () => {
    const def = hourlyPartitions({ start: '2021-11-07-01:00', timezone: 'America/New_York', endOffset: 1 }) as TimeWindowPartitions
    assert.deepEqual(keysAt(def, justBefore('2021-11-07T05:00:00Z')), [])
    assert.deepEqual(keysAt(def, at('2021-11-07T05:00:00Z')), ['2021-11-07-01:00'])
    assert.deepEqual(keysAt(def, at('2021-11-07T06:00:00Z')), ['2021-11-07-01:00', '2021-11-07-01:00-0500'])
  })

  it('end still bounds a positive endOffset, and a definition whose end leaves no window says so', () => {
    const bounded = daily({ end: '2023-01-17', endOffset: 1 })
    assert.deepEqual(keysAt(bounded, at('2022-01-01T00:00:00Z')), [])
    assert.deepEqual(keysAt(bounded, at('2023-01-16T00:00:00Z')), ['2023-01-15', '2023-01-16'])
    assert.deepEqual(keysAt(bounded, at('2024-01-01T00:00:00Z')), ['2023-01-15', '2023-01-16'])
    const none = daily({ end: '2023-01-16', endOffset: -1 })
    assert.equal(none.firstAvailableAt(), undefined)
    assert.throws(() => none.validateKey('2023-01-15', { now: at('2024-01-01T00:00:00Z') }), /end leaves no partition/)
  })

  it('says when a key that does not exist yet will', () => {
    const def = daily({ endOffset: 1 })
    assert.throws(
      () => def.validateKey('2023-01-15', { now: at('2022-01-01T00:00:00Z') }),
      (e: unknown) =>
        isStrataError(e) &&
        e.code === 'STRATA_INVALID_PARTITION_KEY' &&
        e.message ===
          'Invalid partition key "2023-01-15" for daily partitions: expected YYYY-MM-DD, but no partition exists yet (the first, 2023-01-15, exists from 2023-01-15T00:00:00.000Z, when its window starts (endOffset 1)).',
    )
    assert.throws(
      () => def.validateKey('2023-01-20', { now: at('2023-01-16T12:00:00Z') }),
      /2023-01-20 does not exist yet: it exists from 2023-01-20T00:00:00\.000Z, when its window starts \(endOffset 1\)\./,
    )
  })

  // The first-window cases of Dagster's own test suite (test_get_first_partition_window),
  // as data. Each `now` is a tick there, where Dagster's rule and this one agree.
  it('agrees with the reference cases at schedule ticks', () => {
    const cases: Array<[TimeWindowPartitions, string, string | undefined]> = [
      [dailyPartitions({ start: '2023-01-01', endOffset: 1 }), '2023-01-01', '2023-01-01'],
      [dailyPartitions({ start: '2023-02-15', endOffset: 1 }), '2023-02-14', undefined],
      [dailyPartitions({ start: '2023-01-01', endOffset: 2 }), '2023-01-02', '2023-01-01'],
      [monthlyPartitions({ start: '2023-01-01', endOffset: 1 }), '2023-01-15', '2023-01-01'],
      [dailyPartitions({ start: '2023-01-15', endOffset: -1 }), '2023-01-16', undefined],
      [dailyPartitions({ start: '2023-01-15', endOffset: -1 }), '2023-01-17', '2023-01-15'],
      [dailyPartitions({ start: '2023-01-15', endOffset: -2 }), '2023-01-17', undefined],
      [dailyPartitions({ start: '2023-01-15', endOffset: -2 }), '2023-01-18', '2023-01-15'],
      [monthlyPartitions({ start: '2023-01-01', endOffset: -1 }), '2023-01-15', undefined],
      [monthlyPartitions({ start: '2023-01-01', endOffset: -1 }), '2023-02-01', undefined],
      [monthlyPartitions({ start: '2023-01-01', endOffset: -1 }), '2023-03-01', '2023-01-01'],
      [dailyPartitions({ start: '2023-01-15', endOffset: 1 }), '2023-01-14', undefined],
      [dailyPartitions({ start: '2023-01-15', endOffset: 1 }), '2023-01-15T12:00:00', '2023-01-15'],
      [dailyPartitions({ start: '2023-01-15', endOffset: 1 }), '2023-01-13T12:00:00', undefined],
    ]
    for (const [def, now, first] of cases) {
      const t = new Date(now.includes('T') ? `${now}Z` : `${now}T00:00:00Z`)
      assert.equal(def.firstKey({ now: t }), first, `${def.id} at ${now}`)
      keysAt(def, t)
    }
    // Off ticks Dagster compares with the next tick after now, so at 12:00 the day
    // before the start it already lists the first partition; here it waits for its window.
    assert.equal(dailyPartitions({ start: '2023-01-15', endOffset: 1 }).firstKey({ now: at('2023-01-14T12:00:00Z') }), undefined)
  })
})
