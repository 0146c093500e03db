// pointInTime: 'strict' inputs: upstream windows must end when the downstream
// window starts, checked when the definitions load; the default guard keeps
// allowing reads of the downstream's own window.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, dailyPartitions, defineDefinitions, hourlyPartitions, identityMapping, isStrataError, multiMapping, multiPartitions, self, staticPartitions, timeWindowMapping, weeklyPartitions } from 'strata-engine'
import { checkFutureLeak, type FutureLeakCheck } from '../../assets/partitions/index.js'
import { structureComponents } from '../../engine/versioning/structure.js'
import { describeChanges, diffComponents } from '../../engine/versioning/version-diff.js'

const now = new Date('2021-03-01T00:00:00Z')
const daily = dailyPartitions({ start: '2021-01-01' })
const hourly = hourlyPartitions({ start: '2021-01-01-00:00' })
const weekly = weeklyPartitions({ start: '2021-01-03' })

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (message) assert.match(err.message, message)
    return true
  })
}

const strict = (over: Partial<FutureLeakCheck>): FutureLeakCheck => ({
  downKey: 'features/daily',
  upKey: 'raw/events',
  inputName: 'history',
  downstream: daily,
  upstream: daily,
  now,
  pointInTime: 'strict',
  ...over,
})

describe("pointInTime: 'strict'", () => {
  it('accepts windows that ended before the partition starts', () => {
    checkFutureLeak(strict({ mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) }))
    checkFutureLeak(strict({ mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }))
    // Hours of the previous day only.
    checkFutureLeak(strict({ upstream: hourly, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }))
    // A week read by the following week.
    checkFutureLeak(strict({ downstream: weekly, upstream: weekly, mapping: timeWindowMapping({ endOffset: -1, startOffset: -1 }) }))
    // Its own previous partition.
    checkFutureLeak(strict({ upKey: 'features/daily', mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }))
  })

  it('rejects reading the partition’s own window, naming the asset, the input and the window', () => {
    throwsCode(
      () => checkFutureLeak(strict({ mapping: timeWindowMapping({ startOffset: -7, endOffset: 0 }) })),
      'STRATA_FUTURE_LEAK',
      /^Input "history" of "features\/daily" is pointInTime: 'strict' but reads raw\/events partitions that end after the partition it builds starts \(e\.g\. 2021-01-01 reads 2021-01-01, window 2021-01-01T00:00:00\.000Z to 2021-01-02T00:00:00\.000Z, which ends after 2021-01-01 starts at 2021-01-01T00:00:00\.000Z\)/,
    )
    // The same mapping without strict: allowed, as before.
    checkFutureLeak(strict({ mapping: timeWindowMapping({ startOffset: -7, endOffset: 0 }), pointInTime: undefined }))
    // The default mapping of two daily assets is the same day.
    throwsCode(() => checkFutureLeak(strict({})), 'STRATA_FUTURE_LEAK', /e\.g\. 2021-01-01 reads 2021-01-01/)
    throwsCode(() => checkFutureLeak(strict({ mapping: identityMapping() })), 'STRATA_FUTURE_LEAK')
    // The hours of the day itself.
    throwsCode(() => checkFutureLeak(strict({ upstream: hourly })), 'STRATA_FUTURE_LEAK', /window 2021-01-01T23:00:00\.000Z to 2021-01-02T00:00:00\.000Z/)
    // A week that ends after the day starts.
    throwsCode(() => checkFutureLeak(strict({ upstream: weekly, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) })), 'STRATA_FUTURE_LEAK')
  })

  it('checks the time dimension of multi partitions', () => {
    const multi = multiPartitions({ date: daily, region: staticPartitions(['eu', 'us']) })
    checkFutureLeak(strict({ downstream: multi, upstream: multi, mapping: multiMapping({ date: timeWindowMapping({ startOffset: -2, endOffset: -1 }) }) }))
    throwsCode(
      () => checkFutureLeak(strict({ downstream: multi, upstream: multi, mapping: multiMapping({ date: timeWindowMapping({ startOffset: -2, endOffset: 0 }) }) })),
      'STRATA_FUTURE_LEAK',
      /e\.g\. 2021-01-01\|\* reads 2021-01-01\|\*/,
    )
  })

  it('needs time windows on both sides', () => {
    throwsCode(() => checkFutureLeak(strict({ upstream: undefined })), 'STRATA_INVALID_DEFINITIONS', /"raw\/events" has no time-window partitions/)
    throwsCode(() => checkFutureLeak(strict({ downstream: staticPartitions(['a']), upstream: staticPartitions(['a']) })), 'STRATA_INVALID_DEFINITIONS', /"features\/daily" has no time-window partitions/)
  })

  it('asset() rejects a value other than strict, and strict with allowFuture', () => {
    const raw = asset({ key: 'raw', partitions: daily, compute: () => 1 })
    throwsCode(() => asset({ key: 'f', partitions: daily, ins: { h: { asset: raw, pointInTime: 'loose' as 'strict' } }, compute: () => 1 }), 'STRATA_INVALID_ASSET', /input "h"\.pointInTime must be 'strict'/)
    throwsCode(
      () => asset({ key: 'f', partitions: daily, ins: { h: { asset: raw, pointInTime: 'strict', allowFuture: true } }, compute: () => 1 }),
      'STRATA_INVALID_ASSET',
      /both pointInTime: 'strict' and allowFuture: true/,
    )
    const plain = asset({ key: 'f', partitions: daily, ins: { h: raw }, compute: () => 1 })
    assert.equal('pointInTime' in plain.ins.h!, false, 'absent unless declared')
  })

  it('is checked when the definitions load: endOffset 0 loads without it and fails with it', () => {
    const raw = asset({ key: 'raw/flights', partitions: daily, compute: () => [] })
    const sameDay = (pointInTime?: 'strict') =>
      asset({ key: 'features/flights', partitions: daily, ins: { history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: 0 }), ...(pointInTime ? { pointInTime } : {}) } }, compute: () => [] })
    assert.doesNotThrow(() => defineDefinitions({ assets: [raw, sameDay()] }))
    throwsCode(() => defineDefinitions({ assets: [raw, sameDay('strict')] }), 'STRATA_FUTURE_LEAK', /^Input "history" of "features\/flights" is pointInTime: 'strict'.*window 2021-01-01T00:00:00\.000Z to 2021-01-02T00:00:00\.000Z/)
    const previous = asset({ key: 'features/flights', partitions: daily, ins: { history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }), pointInTime: 'strict' } }, compute: () => [] })
    assert.doesNotThrow(() => defineDefinitions({ assets: [raw, previous] }))
    const running = asset({ key: 'total', partitions: daily, ins: { prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }), pointInTime: 'strict' } }, compute: () => 1 })
    assert.doesNotThrow(() => defineDefinitions({ assets: [running] }))
  })

  it('is part of the structural version, and the change is named', () => {
    const raw = asset({ key: 'raw/flights', partitions: daily, compute: () => [] })
    const declare = (pointInTime?: 'strict') =>
      asset({ key: 'features/flights', partitions: daily, ins: { history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }), ...(pointInTime ? { pointInTime } : {}) } }, compute: () => [] })
    const before = structureComponents(declare())
    const after = structureComponents(declare('strict'))
    assert.equal(after['in:history:pointInTime'], 'strict')
    assert.equal(before['in:history:pointInTime'], undefined)
    assert.deepEqual(describeChanges(diffComponents(before, after)), ['pointInTime of input "history" changed: window end → strict'])
    assert.deepEqual(describeChanges(diffComponents(after, before)), ['pointInTime of input "history" changed: strict → window end'])
  })

  it('is how the flights example reads its history, so a same-day history would fail at load', async () => {
    const flights = await import('../../examples/flights/definitions.js')
    const history = flights.features.ins.history!
    assert.equal(history.pointInTime, 'strict')
    const m = history.mapping as unknown as { startOffset: number; endOffset: number }
    assert.deepEqual([m.startOffset, m.endOffset], [-7, -1])
    const sameDay = asset({
      key: 'features/flights',
      partitions: flights.features.partitions,
      ins: { today: flights.rawFlights, history: { asset: flights.rawFlights, mapping: timeWindowMapping({ startOffset: -7, endOffset: 0 }), pointInTime: 'strict' } },
      compute: () => [],
    })
    throwsCode(() => defineDefinitions({ assets: [flights.flightsFile, flights.landing, flights.rawFlights, sameDay] }), 'STRATA_FUTURE_LEAK', /"features\/flights".*2001-01-01/)
  })
})
