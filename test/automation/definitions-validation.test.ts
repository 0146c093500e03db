import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, assetSensor, defineDefinitions, eager, fileSensor, missing, newlyUpdated, schedule, sensor } from '../../assets/index.js'
import { isStrataError } from '../../assets/errors.js'

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStrataError(err), `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code)
    if (message) assert.match(err.message, message)
    return true
  })
}

const raw = asset({ key: 'raw/flights', group: 'raw', tags: { tier: 'bronze' }, compute: () => 1 })
const features = asset({ key: 'features/flights', ins: { raw }, compute: (_ctx, { raw }) => raw, automation: eager() })
const assets = [raw, features]
const evaluate = () => ({})

describe('defineDefinitions: automation', () => {
  it('always carries schedules, sensors and settings (one run at a time by default)', () => {
    const d = defineDefinitions({ assets })
    assert.deepEqual(d.schedules, [])
    assert.deepEqual(d.sensors, [])
    assert.deepEqual(d.automation, { maxConcurrentRuns: 1 })
    assert.deepEqual(d.byKey.get('features/flights')!.automation!.spec, { kind: 'eager' })
  })

  it('keeps the declared schedules, sensors and settings', () => {
    const nightly = schedule({ name: 'nightly', cron: '0 4 * * *', target: 'raw/flights+' })
    const file = fileSensor({ path: 'flights.parquet', target: 'group:raw' })
    const d = defineDefinitions({
      assets,
      schedules: [nightly],
      sensors: [file, assetSensor({ asset: raw, target: 'tag:tier=bronze' }), sensor({ name: 'custom', target: '*features/flights', evaluate })],
      automation: { maxConcurrentRuns: 3, runTimeoutMs: 60_000 },
    })
    assert.deepEqual(d.schedules, [nightly])
    assert.deepEqual(d.sensors!.map((s) => s.name), ['file:flights.parquet', 'asset:raw/flights', 'custom'])
    assert.deepEqual(d.automation, { maxConcurrentRuns: 3, runTimeoutMs: 60_000 })
  })

  it('accepts targets with several terms, operators, groups and tags that exist', () => {
    for (const target of ['*', 'raw/flights', '+features/flights', 'raw/flights++', '*raw/flights*', 'raw/flights, features/flights', 'group:raw tag:tier', 'tag:tier=bronze']) {
      assert.doesNotThrow(() => defineDefinitions({ assets, schedules: [schedule({ name: 'n', cron: '0 0 * * *', target })] }), target)
    }
  })

  it('rejects a target naming an asset, group or tag the definitions lack', () => {
    throwsCode(
      () => defineDefinitions({ assets, schedules: [schedule({ name: 'nightly', cron: '0 4 * * *', target: 'raw/flights features/flight+' })] }),
      'STRATA_INVALID_AUTOMATION',
      /^Schedule "nightly" targets "features\/flight", which is not in the definitions\. Declare it and add it to defineDefinitions\(\{ assets \}\), or fix the target\.$/,
    )
    throwsCode(() => defineDefinitions({ assets, sensors: [sensor({ name: 's', target: 'group:gold', evaluate })] }), 'STRATA_INVALID_AUTOMATION', /Sensor "s" targets group "gold", which no asset/)
    throwsCode(() => defineDefinitions({ assets, sensors: [sensor({ name: 's', target: 'tag:tier=silver', evaluate })] }), 'STRATA_INVALID_AUTOMATION', /Sensor "s" targets tag:tier=silver, which no asset/)
    throwsCode(() => defineDefinitions({ assets, sensors: [sensor({ name: 's', target: 'raw/*flights', evaluate })] }), 'STRATA_INVALID_AUTOMATION', /"raw\/\*flights" in target "raw\/\*flights" is not an asset selection term/)
  })

  it('rejects an assetSensor on an unknown asset and a condition naming an unknown upstream', () => {
    throwsCode(() => defineDefinitions({ assets, sensors: [assetSensor({ asset: 'raw/hotels', target: '*' })] }), 'STRATA_INVALID_AUTOMATION', /Sensor "asset:raw\/hotels" watches "raw\/hotels", which is not in the definitions/)
    const b = asset({ key: 'b', compute: () => 1, automation: missing().and(newlyUpdated('raw/hotels')) })
    throwsCode(() => defineDefinitions({ assets: [...assets, b] }), 'STRATA_INVALID_AUTOMATION', /Asset "b": its automation condition names "raw\/hotels" \(newlyUpdated\), which is not in the definitions/)
  })

  it('rejects two schedules, two sensors, or a schedule and a sensor with one name', () => {
    const s = (name: string) => schedule({ name, cron: '0 0 * * *', target: '*' })
    throwsCode(() => defineDefinitions({ assets, schedules: [s('daily'), s('daily')] }), 'STRATA_DUPLICATE_NAME', /Duplicate automation name "daily": a schedule and a schedule/)
    throwsCode(
      () => defineDefinitions({ assets, sensors: [fileSensor({ path: 'a.csv', target: '*' }), fileSensor({ path: 'a.csv', target: 'raw/flights' })] }),
      'STRATA_DUPLICATE_NAME',
      /"file:a\.csv": a sensor and a sensor/,
    )
    throwsCode(() => defineDefinitions({ assets, schedules: [s('x')], sensors: [sensor({ name: 'x', target: '*', evaluate })] }), 'STRATA_DUPLICATE_NAME', /a schedule and a sensor are declared with it\. Rename one of them\./)
  })

  it('rejects things that are not schedules or sensors, and bad settings', () => {
    throwsCode(() => defineDefinitions({ assets, schedules: [{ name: 'n', cron: '0 0 * * *', target: '*' }] as never }), 'STRATA_INVALID_AUTOMATION', /schedules\[0\] is not a schedule \(got object\)\. Create it with schedule/)
    throwsCode(() => defineDefinitions({ assets, sensors: {} as never }), 'STRATA_INVALID_AUTOMATION', /sensors must be an array/)
    throwsCode(() => defineDefinitions({ assets, automation: { maxConcurrentRuns: 0 } }), 'STRATA_INVALID_AUTOMATION', /maxConcurrentRuns must be a whole number ≥ 1 \(got 0\)/)
    throwsCode(() => defineDefinitions({ assets, automation: { runTimeoutMs: -1 } }), 'STRATA_INVALID_AUTOMATION', /runTimeoutMs must be a number of milliseconds > 0/)
    throwsCode(() => defineDefinitions({ assets, automation: { maxRuns: 2 } as never }), 'STRATA_INVALID_AUTOMATION', /automation has no option "maxRuns"/)
  })
})
