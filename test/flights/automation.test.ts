// The flights example's automation, judged on a prepared state with a manual
// clock (the pipeline itself is not run): what is declared, and that a
// revised source file rebuilds exactly the days whose data changed and the
// days whose 7-day history includes them; training waits for the weekly
// schedule, monitoring for the morning.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Definitions } from '../../assets/types.js'
import { finishRequests, simulate, type Sim } from '../automation/helpers.js'
import { useThirtyDays } from './thirty-days.js'

const { SOURCE } = useThirtyDays('automation')
const flights = await import('../../examples/flights/definitions.js')
const defs = flights.default as Definitions
const DAYS = (defs.byKey.get('raw/flights')!.partitions!.keys() as string[]).slice()

const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const raw = (d: string) => `raw/flights[${d}]`
const featureInputs = (d: string) => [raw(d), ...[-7, -6, -5, -4, -3, -2, -1].map((n) => shift(d, n)).filter((x) => DAYS.includes(x)).map(raw)]

describe('flights automation: declarations', () => {
  it('a file sensor on the source, a weekly training schedule, eager ingestion and features over every day, daily monitoring', () => {
    assert.deepEqual(
      (defs.sensors ?? []).map((s) => [s.name, s.spec, s.target]),
      [['flights_file', { kind: 'file', path: SOURCE }, 'source/flights_file']],
    )
    assert.deepEqual(
      (defs.schedules ?? []).map((s) => [s.name, s.cron, s.target]),
      [['weekly_training', flights.TRAINING_CRON, 'training/dataset training/model']],
    )
    const conditions = Object.fromEntries(defs.assets.map((a) => [a.key, a.automation?.spec ?? null]))
    const daily = { kind: 'and', of: [{ kind: 'cronTickPassed', cron: flights.MONITORING_CRON }, { kind: 'or', of: [{ kind: 'stale' }, { kind: 'missing' }] }] }
    assert.deepEqual(conditions, {
      'source/flights_file': null,
      'landing/flights': { kind: 'eager' },
      'raw/flights': { kind: 'eager', lookback: DAYS.length },
      'features/flights': { kind: 'eager', lookback: DAYS.length },
      'training/dataset': null,
      'training/model': null,
      'evaluation/report': { kind: 'eager' },
      'models/flight_delay': { kind: 'eager' },
      'monitoring/reference': daily,
      'monitoring/calibration_days': daily,
      'monitoring/calibration': daily,
      'monitoring/drift': daily,
      'monitoring/performance': daily,
      'serving/logs': null,
      'monitoring/shadow_comparison': null,
      'serving/online_features': { kind: 'eager' },
    })
  })
})

describe('flights automation: a revised source file', () => {
  let sim: Sim
  const REVISED = '2001-01-10'

  before(async () => {
    // Tuesday: the weekly schedule's first tick is the next Monday 03:00.
    sim = await simulate(defs, '2026-12-01T08:00:00Z')
    await sim.materialize('source/flights_file', '', { dataVersion: 'file-v1' })
    await sim.materialize('landing/flights', '', { from: ['source/flights_file'], dataVersion: 'landed-v1' })
    for (const d of DAYS) await sim.materialize('raw/flights', d, { from: ['landing/flights'], dataVersion: `raw-${d}` })
    for (const d of DAYS) await sim.materialize('features/flights', d, { from: featureInputs(d), dataVersion: `features-${d}` })
    await sim.materialize('serving/online_features', '', { from: DAYS.slice(-8).map(raw) })
    assert.deepEqual(await sim.tick(), [], 'nothing new when the daemon starts')
  })
  after(() => sim.close())

  it('observed anew: landing, then every day re-sliced, then exactly the revised day and the 7 after it', async () => {
    sim.clock.advance(60_000)
    await sim.materialize('source/flights_file', '', { dataVersion: 'file-v2' })
    assert.deepEqual(await sim.tick(), ['landing/flights'])
    await finishRequests(sim)
    sim.clock.advance(60_000)
    await sim.materialize('landing/flights', '', { from: ['source/flights_file'], dataVersion: 'landed-v2' })
    assert.deepEqual(await sim.tick(), DAYS.map(raw).sort(), 'every day: any of them may have changed')
    await finishRequests(sim)
    sim.clock.advance(60_000)
    // Re-sliced: only the revised day's rows differ, so only its data version changes.
    for (const d of DAYS) await sim.materialize('raw/flights', d, { from: ['landing/flights'], dataVersion: d === REVISED ? `raw-${d}-v2` : `raw-${d}` })
    const expected = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `features/flights[${shift(REVISED, n)}]`).sort()
    assert.deepEqual(await sim.tick(), expected, 'the revised day and the days whose history includes it')
    await finishRequests(sim)
    sim.clock.advance(60_000)
    for (const d of expected.map((l) => l.slice('features/flights['.length, -1))) await sim.materialize('features/flights', d, { from: featureInputs(d), dataVersion: `features-${d}-v2` })
    assert.deepEqual(await sim.tick(), [], 'then nothing: training waits for its schedule, monitoring for the morning')
  })

  it('monitoring runs the next morning at 06:00, not before', async () => {
    sim.clock.set('2026-12-02T05:59:00Z')
    assert.ok(!(await sim.tick()).some((l) => l.startsWith('monitoring/')), 'before 06:00')
    sim.clock.set('2026-12-02T06:00:30Z')
    assert.ok((await sim.tick()).includes('monitoring/reference'), 'at 06:00: the missing reference')
    await finishRequests(sim)
    sim.clock.set('2026-12-02T06:05:00Z')
    assert.ok(!(await sim.tick()).some((l) => l.startsWith('monitoring/')), 'once a day')
  })

  it('training: the weekly schedule requests the dataset and the model together on Monday 03:00', async () => {
    sim.clock.set('2026-12-07T02:59:00Z')
    assert.ok(!(await sim.tick()).includes('training/model'), 'not before the tick')
    sim.clock.set('2026-12-07T03:00:30Z')
    const requested = await sim.tick()
    assert.ok(requested.includes('training/dataset') && requested.includes('training/model'), requested.join(', '))
    const weekly = (await sim.storage.listAutomationRequests({ sourceKind: 'schedule', sourceName: 'weekly_training' }))[0]
    assert.deepEqual(weekly?.slots.map((s) => s.assetKey).sort(), ['training/dataset', 'training/model'], 'one run for both')
  })
})
