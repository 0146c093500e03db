import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  allMapping,
  checkFutureLeak,
  checkMappingCompatible,
  dailyPartitions,
  dimensionMapping,
  dynamicPartitions,
  hourlyPartitions,
  identityMapping,
  lastMapping,
  monthlyPartitions,
  multiMapping,
  multiPartitions,
  staticMapping,
  staticPartitions,
  timeWindowMapping,
  weeklyPartitions,
} from '../../assets/partitions/index.js'
import type { FutureLeakCheck } from '../../assets/partitions/index.js'
import { isStrataError } from '../../assets/errors.js'

const now = new Date('2021-03-01T00:00:00Z')
const daily = dailyPartitions({ start: '2021-01-01' })
const hourly = hourlyPartitions({ start: '2021-01-01-00:00' })
const weekly = weeklyPartitions({ start: '2021-01-01' })
const monthly = monthlyPartitions({ start: '2021-01-01' })
const regions = staticPartitions(['us', 'eu'])

function throwsCode(fn: () => unknown, code: string, message?: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (typeof message === 'string') assert.equal(err.message, message)
    else if (message) assert.match(err.message, message)
    return true
  })
}

describe('checkMappingCompatible', () => {
  it('accepts sensible pairs', () => {
    checkMappingCompatible('d', 'u', daily, hourly, undefined)
    checkMappingCompatible('d', 'u', daily, daily, identityMapping())
    checkMappingCompatible('d', 'u', dailyPartitions({ start: '2021-02-01' }), daily, identityMapping())
    checkMappingCompatible('d', 'u', regions, staticPartitions(['us', 'eu', 'apac']), identityMapping())
    checkMappingCompatible('d', 'u', undefined, daily, undefined)
    checkMappingCompatible('d', 'u', regions, daily, allMapping())
    checkMappingCompatible('d', 'u', regions, daily, lastMapping())
    checkMappingCompatible('d', 'u', regions, dynamicPartitions('x'), identityMapping())
    checkMappingCompatible('d', 'u', undefined, undefined, identityMapping())
    checkMappingCompatible('d', 'u', regions, staticPartitions(['a', 'b']), staticMapping({ a: 'us', b: ['us', 'eu'] }))
  })

  it('identity between static partitions with different keys', () => {
    throwsCode(
      () => checkMappingCompatible('sales/by_region', 'raw/regions', regions, staticPartitions(['us', 'apac']), identityMapping()),
      'STRATA_PARTITION_MISMATCH',
      'Asset "sales/by_region" reads "raw/regions" with identityMapping(), but keys eu of "sales/by_region" are not partitions of "raw/regions" (us, apac). Use staticMapping({ upstreamKey: downstreamKey }) to pair differing keys.',
    )
  })

  it('identity between a time window and a static definition, or different schedules', () => {
    throwsCode(() => checkMappingCompatible('d', 'u', daily, regions, identityMapping()), 'STRATA_PARTITION_MISMATCH', /"u" has static partitions \(us, eu\) and "d" has daily partitions .*their keys never match/)
    throwsCode(() => checkMappingCompatible('d', 'u', regions, daily, undefined), 'STRATA_PARTITION_MISMATCH', /never match/)
    throwsCode(() => checkMappingCompatible('d', 'u', daily, hourly, identityMapping()), 'STRATA_PARTITION_MISMATCH', /timeWindowMapping\(\)/)
    throwsCode(() => checkMappingCompatible('d', 'u', daily, dailyPartitions({ start: '2021-01-01', timezone: 'Europe/Berlin' }), identityMapping()), 'STRATA_PARTITION_MISMATCH')
    throwsCode(() => checkMappingCompatible('d', 'u', daily, undefined, identityMapping()), 'STRATA_PARTITION_MISMATCH', /allMapping\(\)/)
  })

  it('mappings used on the wrong kinds of partitions', () => {
    throwsCode(() => checkMappingCompatible('d', 'u', regions, daily, timeWindowMapping()), 'STRATA_PARTITION_MISMATCH', /time-window partitions on both sides/)
    throwsCode(() => checkMappingCompatible('d', 'u', regions, undefined, staticMapping({ a: 'us' })), 'STRATA_PARTITION_MISMATCH', /partitions on both sides/)
    throwsCode(() => checkMappingCompatible('d', 'u', regions, staticPartitions(['a']), staticMapping({ a: 'us', z: 'us' })), 'STRATA_PARTITION_MISMATCH', /z is not a partition of "u"/)
    throwsCode(() => checkMappingCompatible('d', 'u', regions, staticPartitions(['a']), staticMapping({ a: 'mars' })), 'STRATA_PARTITION_MISMATCH', /mars is not a partition of "d"/)
  })

  it('multi partitions, per dimension', () => {
    const down = multiPartitions({ date: daily, region: regions, kind: staticPartitions(['a', 'b']) })
    const up = multiPartitions({ date: hourly, region: regions, kind: staticPartitions(['a', 'b', 'c']) })
    checkMappingCompatible('d', 'u', down, up, undefined)
    checkMappingCompatible('d', 'u', down, up, multiMapping({ date: timeWindowMapping({ startOffset: -1 }) }))
    throwsCode(() => checkMappingCompatible('d', 'u', down, up, multiMapping({ date: identityMapping() })), 'STRATA_PARTITION_MISMATCH', /d\[date\]/)
    throwsCode(() => checkMappingCompatible('d', 'u', down, multiPartitions({ date: daily, region: regions }), undefined), 'STRATA_PARTITION_MISMATCH', /dimensions/)
    throwsCode(() => checkMappingCompatible('d', 'u', down, up, multiMapping({ nope: identityMapping() })), 'STRATA_PARTITION_MISMATCH', /no dimension "nope"/)
    checkMappingCompatible('d', 'u', down, daily, undefined)
    checkMappingCompatible('d', 'u', down, regions, dimensionMapping('region'))
    throwsCode(() => checkMappingCompatible('d', 'u', down, regions, dimensionMapping('date')), 'STRATA_PARTITION_MISMATCH')
    throwsCode(() => checkMappingCompatible('d', 'u', down, regions, dimensionMapping('planet')), 'STRATA_PARTITION_MISMATCH', /no dimension "planet"/)
  })
})

describe('checkFutureLeak', () => {
  const base = (over: Partial<FutureLeakCheck>): FutureLeakCheck => ({
    downKey: 'features/daily',
    upKey: 'raw/events',
    inputName: 'raw',
    downstream: daily,
    upstream: daily,
    now,
    ...over,
  })

  it('allows reading the same or earlier windows', () => {
    checkFutureLeak(base({}))
    checkFutureLeak(base({ mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) }))
    checkFutureLeak(base({ upstream: hourly }))
    checkFutureLeak(base({ downstream: weekly, upstream: daily }))
    checkFutureLeak(base({ downstream: monthly, upstream: daily }))
    checkFutureLeak(base({ downstream: monthly, upstream: weekly, mapping: timeWindowMapping({ endOffset: -1 }), allowFuture: true }))
    checkFutureLeak(base({ downstream: undefined, upstream: daily, mapping: allMapping() }))
    checkFutureLeak(base({ downstream: undefined, upstream: daily, mapping: lastMapping() }))
    checkFutureLeak(base({ downstream: regions, upstream: daily, mapping: allMapping() }))
    checkFutureLeak(base({ downstream: daily, upstream: regions, mapping: allMapping() }))
    checkFutureLeak(base({ downstream: daily, upstream: undefined }))
  })

  it('rejects a positive endOffset with the documented message', () => {
    throwsCode(
      () => checkFutureLeak(base({ mapping: timeWindowMapping({ endOffset: 1 }) })),
      'STRATA_FUTURE_LEAK',
      'Input "raw" of "features/daily" reads raw/events partitions ending after the partition it builds (e.g. 2021-01-01 reads up to 2021-01-02): that is future leakage. Use timeWindowMapping({ endOffset: -1 }) to read only earlier partitions, or set allowFuture: true on the input if this is intended.',
    )
    checkFutureLeak(base({ mapping: timeWindowMapping({ endOffset: 1 }), allowFuture: true }))
  })

  it('rejects reading coarser windows that end later, and all/last of a time series', () => {
    throwsCode(() => checkFutureLeak(base({ upstream: weekly })), 'STRATA_FUTURE_LEAK', /e\.g\. 2021-01-03 reads up to 2021-01-03 \(window ending 2021-01-10T00:00:00\.000Z\)/)
    throwsCode(() => checkFutureLeak(base({ downstream: hourly, upstream: daily })), 'STRATA_FUTURE_LEAK')
    throwsCode(() => checkFutureLeak(base({ mapping: allMapping() })), 'STRATA_FUTURE_LEAK', /e\.g\. 2021-01-01 reads up to 2021-02-28/)
    throwsCode(() => checkFutureLeak(base({ mapping: lastMapping() })), 'STRATA_FUTURE_LEAK')
    throwsCode(() => checkFutureLeak(base({ downstream: dailyPartitions({ start: '2021-01-01', hourOffset: 6 }) })), 'STRATA_FUTURE_LEAK')
    // Daily in New York reads UTC days that end 4-5 hours later.
    throwsCode(() => checkFutureLeak(base({ downstream: dailyPartitions({ start: '2021-01-01', timezone: 'America/New_York' }) })), 'STRATA_FUTURE_LEAK')
    // ...but New York days read whole UTC hours safely.
    checkFutureLeak(base({ downstream: dailyPartitions({ start: '2021-01-01', timezone: 'America/New_York' }), upstream: hourly }))
    // Even a downstream with no partitions yet is checked.
    throwsCode(() => checkFutureLeak(base({ downstream: dailyPartitions({ start: '2030-01-01' }), mapping: timeWindowMapping({ endOffset: 2 }) })), 'STRATA_FUTURE_LEAK')
  })

  it('checks time dimensions of multi partitions', () => {
    const down = multiPartitions({ date: daily, region: regions, kind: staticPartitions(['a', 'b']) })
    checkFutureLeak(base({ downstream: down, upstream: down }))
    checkFutureLeak(base({ downstream: down, upstream: down, mapping: multiMapping({ date: timeWindowMapping({ startOffset: -3, endOffset: -1 }) }) }))
    throwsCode(
      () => checkFutureLeak(base({ downstream: down, upstream: down, mapping: multiMapping({ date: timeWindowMapping({ endOffset: 1 }) }) })),
      'STRATA_FUTURE_LEAK',
      /e\.g\. 2021-01-01\|\*\|\* reads up to 2021-01-02\|\*\|\*/,
    )
    checkFutureLeak(base({ downstream: down, upstream: daily }))
    throwsCode(() => checkFutureLeak(base({ downstream: down, upstream: weekly })), 'STRATA_FUTURE_LEAK')
    throwsCode(() => checkFutureLeak(base({ downstream: daily, upstream: down, mapping: dimensionMapping('region', allMapping()) })), 'STRATA_FUTURE_LEAK')
  })

  it('self-dependencies: earlier partitions are fine, identity is a cycle', () => {
    const self = (over: Partial<FutureLeakCheck>): FutureLeakCheck => base({ upKey: 'features/daily', inputName: 'previous', ...over })
    checkFutureLeak(self({ mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }))
    checkFutureLeak(self({ mapping: timeWindowMapping({ startOffset: -30, endOffset: -1 }) }))
    throwsCode(
      () => checkFutureLeak(self({ mapping: identityMapping() })),
      'STRATA_CYCLE',
      'Input "previous" of "features/daily" reads its own partitions with identityMapping(): partition 2021-01-01 would wait for itself, a cycle. Use timeWindowMapping({ startOffset: -1, endOffset: -1 }) to read the previous partition instead.',
    )
    throwsCode(() => checkFutureLeak(self({})), 'STRATA_CYCLE')
    throwsCode(() => checkFutureLeak(self({ mapping: timeWindowMapping({ startOffset: -1 }) })), 'STRATA_CYCLE')
    throwsCode(() => checkFutureLeak(self({ mapping: allMapping() })), 'STRATA_CYCLE')
    throwsCode(() => checkFutureLeak(self({ mapping: identityMapping(), allowFuture: true })), 'STRATA_CYCLE')
    throwsCode(() => checkFutureLeak(self({ downstream: undefined, upstream: undefined })), 'STRATA_CYCLE', /not partitioned/)
    // Reading later partitions of itself is no cycle, but it is future leakage.
    throwsCode(() => checkFutureLeak(self({ mapping: timeWindowMapping({ startOffset: 1, endOffset: 1 }) })), 'STRATA_FUTURE_LEAK')
    checkFutureLeak(self({ mapping: timeWindowMapping({ startOffset: 1, endOffset: 1 }), allowFuture: true }))
    // Static self-dependencies must not loop.
    const steps = staticPartitions(['a', 'b', 'c'])
    checkFutureLeak(self({ downstream: steps, upstream: steps, mapping: staticMapping({ a: 'b', b: 'c' }) }))
    throwsCode(() => checkFutureLeak(self({ downstream: steps, upstream: steps, mapping: staticMapping({ a: 'b', b: 'c', c: 'a' }) })), 'STRATA_CYCLE')
    throwsCode(() => checkFutureLeak(self({ downstream: steps, upstream: steps })), 'STRATA_CYCLE')
    // Multi: a cycle needs every dimension to loop.
    const multi = multiPartitions({ date: daily, region: regions })
    checkFutureLeak(self({ downstream: multi, upstream: multi, mapping: multiMapping({ date: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }) }))
    throwsCode(() => checkFutureLeak(self({ downstream: multi, upstream: multi })), 'STRATA_CYCLE')
  })
})
