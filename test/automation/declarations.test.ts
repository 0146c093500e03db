import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AutomationCondition,
  and,
  asset,
  assetSensor,
  codeVersionChanged,
  cronTickPassed,
  eager,
  executionFailed,
  fileSensor,
  inProgress,
  isAutomationCondition,
  missing,
  newlyUpdated,
  not,
  onCron,
  onMissing,
  or,
  schedule,
  sensor,
  stale,
} from '../../assets/index.js'
import { isStrataError } from '../../assets/errors.js'

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code)
    if (message) assert.match(err.message, message)
    return true
  })
}

describe('automation conditions', () => {
  it('each building block is plain JSON data of its kind', () => {
    assert.deepEqual(eager().spec, { kind: 'eager' })
    assert.deepEqual(eager({ lookback: 7, backfillHistory: true }).spec, { kind: 'eager', lookback: 7, backfillHistory: true })
    assert.deepEqual(eager({ backfillHistory: false }).spec, { kind: 'eager' })
    assert.deepEqual(onCron('0 4 * * *').spec, { kind: 'onCron', cron: '0 4 * * *' })
    assert.deepEqual(onCron('0 4 * * 1-5', { timezone: 'America/New_York', backfillHistory: true }).spec, {
      kind: 'onCron',
      cron: '0 4 * * 1-5',
      timezone: 'America/New_York',
      backfillHistory: true,
    })
    assert.deepEqual(onMissing().spec, { kind: 'onMissing' })
    assert.deepEqual(onMissing({ backfillHistory: true }).spec, { kind: 'onMissing', backfillHistory: true })
    assert.deepEqual(missing().spec, { kind: 'missing' })
    assert.deepEqual(stale().spec, { kind: 'stale' })
    assert.deepEqual(inProgress().spec, { kind: 'inProgress' })
    assert.deepEqual(executionFailed().spec, { kind: 'executionFailed' })
    assert.deepEqual(newlyUpdated().spec, { kind: 'newlyUpdated' })
    assert.deepEqual(codeVersionChanged().spec, { kind: 'codeVersionChanged' })
    assert.deepEqual(cronTickPassed('*/15 * * * *', { timezone: 'Europe/Berlin' }).spec, { kind: 'cronTickPassed', cron: '*/15 * * * *', timezone: 'Europe/Berlin' })
  })

  it('newlyUpdated names an upstream by key string, key path or asset, normalized', () => {
    const up = asset({ key: ['raw', 'flights'], compute: () => 1 })
    assert.deepEqual(newlyUpdated('raw/flights').spec, { kind: 'newlyUpdated', upstream: 'raw/flights' })
    assert.deepEqual(newlyUpdated(['raw', 'flights']).spec, { kind: 'newlyUpdated', upstream: 'raw/flights' })
    assert.deepEqual(newlyUpdated(up).spec, { kind: 'newlyUpdated', upstream: 'raw/flights' })
    throwsCode(() => newlyUpdated(42 as never), 'STRATA_INVALID_AUTOMATION', /newlyUpdated\(\) takes an asset or an asset key/)
  })

  it('composes with methods and free functions; nested ands and ors flatten, not wraps', () => {
    const c = onCron('0 4 * * *').and(not(inProgress()))
    assert.deepEqual(c.spec, { kind: 'and', of: [{ kind: 'onCron', cron: '0 4 * * *' }, { kind: 'not', of: { kind: 'inProgress' } }] })
    assert.deepEqual(missing().and(stale()).and(codeVersionChanged()).spec, {
      kind: 'and',
      of: [{ kind: 'missing' }, { kind: 'stale' }, { kind: 'codeVersionChanged' }],
    })
    assert.deepEqual(or(missing(), or(stale(), executionFailed())).spec, {
      kind: 'or',
      of: [{ kind: 'missing' }, { kind: 'stale' }, { kind: 'executionFailed' }],
    })
    // An `or` inside an `and` keeps its own level.
    assert.deepEqual(and(missing(), stale().or(executionFailed())).spec, {
      kind: 'and',
      of: [{ kind: 'missing' }, { kind: 'or', of: [{ kind: 'stale' }, { kind: 'executionFailed' }] }],
    })
    assert.deepEqual(missing().not().spec, { kind: 'not', of: { kind: 'missing' } })
    assert.deepEqual(not(not(missing())).spec, { kind: 'not', of: { kind: 'not', of: { kind: 'missing' } } })
  })

  it('is immutable, and composing leaves the operands unchanged', () => {
    const a = missing()
    const b = a.and(stale())
    assert.deepEqual(a.spec, { kind: 'missing' })
    assert.ok(Object.isFrozen(b.spec))
    assert.throws(() => {
      ;(b.spec as { of: unknown[] }).of.push({ kind: 'stale' })
    }, TypeError)
    assert.throws(() => {
      ;(b as { spec: unknown }).spec = { kind: 'missing' }
    }, TypeError)
  })

  it('round-trips through JSON (stored, hashed, sent to workers)', () => {
    const c = eager({ lookback: 3 }).and(not(inProgress())).or(onCron('0 0 * * 0', { timezone: 'UTC' }))
    const back = JSON.parse(JSON.stringify(c))
    assert.deepEqual(back, c.spec)
    assert.deepEqual(new AutomationCondition(back).spec, c.spec)
    assert.ok(isAutomationCondition(c))
    assert.ok(!isAutomationCondition(c.spec))
    // A condition made by another loaded copy of the package is recognized by its brand.
    const foreign = { __strataCondition: true, spec: { kind: 'missing' } }
    assert.ok(isAutomationCondition(foreign))
    assert.deepEqual(and(foreign as AutomationCondition, stale()).spec, { kind: 'and', of: [{ kind: 'missing' }, { kind: 'stale' }] })
  })

  it('rejects bad options with a specific code and message', () => {
    throwsCode(() => eager({ lookback: 0 }), 'STRATA_INVALID_AUTOMATION', /lookback must be a whole number of partitions ≥ 1 \(got 0\)/)
    throwsCode(() => eager({ lookback: 1.5 }), 'STRATA_INVALID_AUTOMATION', /lookback/)
    throwsCode(() => eager({ lookbak: 2 } as never), 'STRATA_INVALID_AUTOMATION', /eager\(\): unknown option "lookbak"/)
    throwsCode(() => eager({ backfillHistory: 'yes' } as never), 'STRATA_INVALID_AUTOMATION', /backfillHistory must be true or false/)
    throwsCode(() => onCron('0 4 * *'), 'STRATA_INVALID_CRON', /Invalid cron "0 4 \* \*": expected 5 fields, got 4/)
    throwsCode(() => cronTickPassed('61 * * * *'), 'STRATA_INVALID_CRON', /Invalid cron "61 \* \* \* \*"/)
    throwsCode(() => onCron('0 4 * * *', { timezone: 'Mars/Olympus' }), 'STRATA_INVALID_AUTOMATION', /onCron\(\): Unknown timezone "Mars\/Olympus"/)
    throwsCode(() => and(), 'STRATA_INVALID_AUTOMATION', /and\(\) needs at least one condition/)
    throwsCode(() => missing().and({ kind: 'stale' } as never), 'STRATA_INVALID_AUTOMATION', /and\(\) argument 2 takes automation conditions/)
    throwsCode(() => not(undefined as never), 'STRATA_INVALID_AUTOMATION', /not\(\) takes automation conditions/)
  })
})

describe('asset({ automation, freshness })', () => {
  it('carries the condition and the checked freshness policy; leaves them out when not declared', () => {
    const c = eager()
    const a = asset({ key: 'a', compute: () => 1, automation: c, freshness: { maxLagMinutes: 90, cron: '0 6 * * *', timezone: 'Europe/Berlin' } })
    assert.equal(a.automation, c)
    assert.deepEqual(a.freshness, { maxLagMinutes: 90, cron: '0 6 * * *', timezone: 'Europe/Berlin' })
    const plain = asset({ key: 'b', compute: () => 1 })
    assert.ok(!('automation' in plain))
    assert.ok(!('freshness' in plain))
  })

  it('rejects an automation that is not a condition, and bad freshness', () => {
    throwsCode(() => asset({ key: 'a', compute: () => 1, automation: { kind: 'eager' } as never }), 'STRATA_INVALID_AUTOMATION', /Asset "a": automation must be a condition such as eager\(\)/)
    throwsCode(() => asset({ key: 'a', compute: () => 1, freshness: { maxLagMinutes: 0 } }), 'STRATA_INVALID_AUTOMATION', /Asset "a": freshness.maxLagMinutes must be a number of minutes > 0 \(got 0\)/)
    throwsCode(() => asset({ key: 'a', compute: () => 1, freshness: {} as never }), 'STRATA_INVALID_AUTOMATION', /maxLagMinutes/)
    throwsCode(() => asset({ key: 'a', compute: () => 1, freshness: { maxLagMinutes: 5, cron: '0 25 * * *' } }), 'STRATA_INVALID_CRON', /0 25/)
    throwsCode(() => asset({ key: 'a', compute: () => 1, freshness: { maxLagMinutes: 5, timezone: 'UTC' } }), 'STRATA_INVALID_AUTOMATION', /timezone applies to cron/)
    throwsCode(() => asset({ key: 'a', compute: () => 1, freshness: { maxLagMinutes: 5, maxLag: 3 } as never }), 'STRATA_INVALID_AUTOMATION', /unknown option "maxLag"/)
  })
})

describe('schedule()', () => {
  it('fills defaults: UTC, catch up the latest tick', () => {
    const s = schedule({ name: 'nightly', cron: '0 4 * * *', target: 'raw/flights+' })
    assert.deepEqual({ ...s }, { __strataSchedule: true, name: 'nightly', cron: '0 4 * * *', timezone: 'UTC', target: 'raw/flights+', catchUp: 'latest' })
    const fn = () => ['2024-01-01']
    const t = schedule({ name: 'weekdays', cron: '0 9 * * MON-FRI', timezone: 'America/New_York', target: '*', partitions: fn, catchUp: 'all' })
    assert.equal(t.partitions, fn)
    assert.equal(t.timezone, 'America/New_York')
    assert.equal(t.catchUp, 'all')
    assert.ok(Object.isFrozen(t))
  })

  it('rejects a bad name, cron, zone, target, partitions or catchUp', () => {
    throwsCode(() => schedule({ name: '', cron: '0 4 * * *', target: '*' }), 'STRATA_INVALID_AUTOMATION', /schedule\(\) needs a name/)
    throwsCode(() => schedule({ name: 'a\nb', cron: '0 4 * * *', target: '*' }), 'STRATA_INVALID_AUTOMATION', /control characters/)
    throwsCode(() => schedule({ name: 'n', cron: '0 4 * * * *', target: '*' }), 'STRATA_INVALID_CRON', /a seconds field is not supported/)
    throwsCode(() => schedule({ name: 'n', target: '*' } as never), 'STRATA_INVALID_AUTOMATION', /Schedule "n" needs a cron/)
    throwsCode(() => schedule({ name: 'n', cron: '0 4 * * *', timezone: 'Nowhere/Land', target: '*' }), 'STRATA_INVALID_AUTOMATION', /Schedule "n": Unknown timezone "Nowhere\/Land"/)
    throwsCode(() => schedule({ name: 'n', cron: '0 4 * * *', target: ' ' }), 'STRATA_INVALID_AUTOMATION', /Schedule "n": target must be an asset selection/)
    throwsCode(() => schedule({ name: 'n', cron: '0 4 * * *', target: '*', partitions: 'all' as never }), 'STRATA_INVALID_AUTOMATION', /partitions must be 'latest' or a function/)
    throwsCode(() => schedule({ name: 'n', cron: '0 4 * * *', target: '*', catchUp: 'some' as never }), 'STRATA_INVALID_AUTOMATION', /catchUp must be 'latest', 'all' or 'none' \(got "some"\)/)
    throwsCode(() => schedule(undefined as never), 'STRATA_INVALID_AUTOMATION', /schedule\(\) takes an object/)
  })
})

describe('sensors', () => {
  it('sensor() keeps its evaluate; the interval defaults to 30 s', () => {
    const evaluate = () => ({ skipReason: 'nothing new' })
    const s = sensor({ name: 'inbox', target: 'raw/inbox', evaluate })
    assert.equal(s.evaluate, evaluate)
    assert.equal(s.intervalSeconds, 30)
    assert.equal(s.spec, undefined)
    assert.equal(sensor({ name: 'fast', target: '*', intervalSeconds: 0.5, evaluate }).intervalSeconds, 0.5)
  })

  it('fileSensor and assetSensor are data only, named after what they watch unless named', () => {
    const f = fileSensor({ path: 'data/flights.parquet', target: 'raw/flights' })
    assert.equal(f.name, 'file:data/flights.parquet')
    assert.deepEqual(f.spec, { kind: 'file', path: 'data/flights.parquet' })
    assert.equal(f.evaluate, undefined)
    const up = asset({ key: 'raw/flights', compute: () => 1 })
    const a = assetSensor({ asset: up, target: 'features/flights', intervalSeconds: 5 })
    assert.equal(a.name, 'asset:raw/flights')
    assert.deepEqual(a.spec, { kind: 'asset', asset: 'raw/flights' })
    assert.equal(a.intervalSeconds, 5)
    assert.equal(assetSensor({ name: 'watch', asset: ['raw', 'flights'], target: '*' }).spec?.kind, 'asset')
    assert.equal(assetSensor({ name: 'watch', asset: ['raw', 'flights'], target: '*' }).name, 'watch')
  })

  it('rejects a missing evaluate, path or asset, and a bad interval', () => {
    throwsCode(() => sensor({ name: 's', target: '*' } as never), 'STRATA_INVALID_AUTOMATION', /Sensor "s" needs evaluate/)
    throwsCode(() => sensor({ name: 's', target: '*', intervalSeconds: 0, evaluate: () => ({}) }), 'STRATA_INVALID_AUTOMATION', /intervalSeconds must be a number of seconds > 0 \(got 0\)/)
    throwsCode(() => fileSensor({ path: '', target: '*' }), 'STRATA_INVALID_AUTOMATION', /fileSensor\(\) needs path/)
    throwsCode(() => assetSensor({ asset: 3 as never, target: '*' }), 'STRATA_INVALID_AUTOMATION', /assetSensor\(\) needs asset/)
    throwsCode(() => fileSensor(null as never), 'STRATA_INVALID_AUTOMATION', /fileSensor\(\) takes an object/)
  })
})
