// Monitoring of the flights model: PSI maths on synthetic data whose PSI is
// known in advance, the drift checks on both sides of a calibrated threshold,
// the feedback loop on a tiny day whose realized AUC is known exactly, the
// monitoring config, and the monitoring assets end to end on the reduced
// 30-day pipeline: thresholds calibrated on its training days, stored and
// named in every check; calibrated on half the training days, the monitor is
// quieter on the other half than the fixed threshold, and an injected drift
// (shifted distances) or a broken join (shuffled origins) warns.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { tableFromIPC } from 'apache-arrow'
import { binCounts, binnedDistribution, binOf, psi, psiAgainst, PSI_EPSILON, quantileEdges } from 'strata-engine'
import { BIN, DEFS, REPO, useThirtyDays } from './thirty-days.js'

const { TMP, SOURCE } = useThirtyDays('monitoring')

const mon = await import('../../examples/flights/monitoring.js')
const cal = await import('../../examples/flights/monitoring-calibration.js')
const { loadConfig } = await import('../../examples/flights/config.js')
type DayMeasures = import('../../examples/flights/monitoring-calibration.js').DayMeasures

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`)
const range = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i))

after(() => rmSync(TMP, { recursive: true, force: true }))

describe('PSI', () => {
  it('is 0 for identical distributions (shares, counts, or the same sample on quantile bins)', () => {
    assert.equal(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 0)
    close(psi([2, 3, 5], [20, 30, 50]), 0)
    const sample = range(10_000, (i) => (i * 7919) % 1000)
    close(psiAgainst(binnedDistribution(sample, 10), sample), 0)
  })

  it('a known two-bin shift gives the closed form: 50/50 → 90/10 is 0.4·ln 9', () => {
    const expected = 0.4 * Math.log(9) // (0.9−0.5)·ln(0.9/0.5) + (0.1−0.5)·ln(0.1/0.5) = 0.4·(ln 1.8 + ln 5)
    close(psi([0.5, 0.5], [0.9, 0.1]), expected)
    close(psi([0.9, 0.1], [0.5, 0.5]), expected) // symmetric
    // The same through quantile bins: a uniform reference 0..999 has one edge at 500 with 2 bins.
    const reference = binnedDistribution(range(1000, (i) => i), 2)
    assert.deepEqual(reference.edges, [500])
    assert.deepEqual(reference.shares, [0.5, 0.5])
    const shifted = range(1000, (i) => (i < 900 ? i % 500 : 500 + i))
    close(psiAgainst(reference, shifted), expected)
  })

  it('handles empty bins with the documented epsilon (1e-4): empty on both sides → 0, on one side → finite', () => {
    assert.equal(PSI_EPSILON, 1e-4)
    assert.equal(psi([0.5, 0.5, 0], [0.5, 0.5, 0]), 0)
    const oneSided = psi([1, 0], [0.5, 0.5])
    close(oneSided, (0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4))
    assert.ok(Number.isFinite(oneSided))
    close(psi([1, 0], [0.5, 0.5], 1e-3), -0.5 * Math.log(0.5) + (0.5 - 1e-3) * Math.log(0.5 / 1e-3))
    assert.throws(() => psi([1], [0.5, 0.5]), /1 expected bins but 2/)
    assert.throws(() => psi([1, 0], [1, 0], 0), /epsilon must be > 0/)
  })

  it('quantile bins: ties collapse into fewer bins, bins are [edge, next edge)', () => {
    // A discrete feature with 3 values gets 3 bins, not 10 (some of them empty).
    const discrete = range(300, (i) => i % 3)
    assert.deepEqual(quantileEdges(discrete, 10), [1, 2])
    assert.deepEqual(Array.from(binCounts(discrete, [1, 2])), [100, 100, 100])
    assert.equal(binOf([1, 2], 0.5), 0)
    assert.equal(binOf([1, 2], 1), 1)
    assert.equal(binOf([1, 2], 5), 2)
    assert.deepEqual(quantileEdges([], 10), [])
  })
})

/** A day's measurements, for calibrating by hand. */
const measured = (day: string, features: Record<string, number>, extra: Partial<DayMeasures> = {}): DayMeasures => ({
  day,
  rows: 1000,
  scored: 1000,
  features,
  prediction: null,
  auc: null,
  accuracy: null,
  baseline_auc: null,
  lift: null,
  ...extra,
})

describe('drift checks against calibrated thresholds', () => {
  // Reference: feature a uniform on 0..999, b the same; scores 0..1.
  const refA = range(1000, (i) => i)
  const reference = mon.referenceOf({ a: refA, b: refA }, range(1000, (i) => i / 1000), 2)
  const model = { name: 'm', version: 3, role: 'staging' as const }
  // Three training days; with quantile 1 and margin 1 each threshold is the largest training day.
  const training = [
    measured('2001-01-01', { a: 0.1, b: 0.001 }, { prediction: 0.05 }),
    measured('2001-01-02', { a: 0.3, b: 0.02 }, { prediction: 0.5 }),
    measured('2001-01-03', { a: 0.2, b: 0.005 }, { prediction: 0.1 }),
  ]
  const calibration = cal.calibrate(training, { quantile: 1, margin: 1, scored_flights_per_day: 100 })
  const shifted = range(1000, (i) => (i < 900 ? i % 500 : 500 + i)) // 90/10: PSI 0.879
  const slightly = range(1000, (i) => (i < 550 ? i % 500 : 500 + i)) // 55/45: PSI 0.05·ln(11/9) ≈ 0.0100

  it('warns above a feature’s own threshold and passes below it, naming the threshold and where it came from', () => {
    const d = mon.driftOf('2001-06-05', { a: shifted, b: slightly }, range(1000, (i) => (i < 900 ? 0.1 : 0.9)), reference, calibration, model)
    close(d.features.a!.value, Number((0.4 * Math.log(9)).toFixed(4)))
    close(d.features.b!.value, Number((0.05 * Math.log(11 / 9)).toFixed(4)))
    assert.equal(d.features.a!.threshold, 0.3)
    assert.equal(d.features.b!.threshold, 0.02)
    assert.equal(d.features.a!.calibrated, 'max 0.3 of 3 training days 2001-01-01..2001-01-03')
    assert.deepEqual(d.drifted, ['a', 'prediction'])
    assert.equal(d.worst?.feature, 'a')
    assert.deepEqual(d.calibration, { count: 3, from: '2001-01-01', to: '2001-01-03', quantile: 1, margin: 1 })
    const a = mon.featurePsiCheck('a', d) as { passed: boolean; message: string; metadata: Record<string, unknown> }
    const b = mon.featurePsiCheck('b', d) as { passed: boolean; message: string }
    assert.equal(a.passed, false)
    assert.match(a.message, /^a: PSI 0\.879 > 0\.3 \(max 0\.3 of 3 training days 2001-01-01\.\.2001-01-03\)/)
    assert.equal(a.metadata.calibrated, 'max 0.3 of 3 training days 2001-01-01..2001-01-03')
    assert.equal(b.passed, true)
    assert.match(b.message, /^b: PSI 0\.010 ≤ 0\.02 /)
    const p = mon.predictionPsiCheck(d) as { passed: boolean; message: string }
    assert.equal(p.passed, false)
    assert.match(p.message, /m v3 \(staging\): PSI 0\.879 > 0\.5/)
  })

  it('the same day passes when the training days themselves moved that much; the margin widens the band', () => {
    const wide = cal.calibrate(training, { quantile: 1, margin: 5, scored_flights_per_day: 100 })
    // median 0.2 + 5 × (0.3 − 0.2) = 0.7 for a; 0.005 + 5 × 0.015 = 0.08 for b; 0.1 + 5 × 0.4 = 2.1 for the scores.
    assert.equal(wide.features.a!.value, 0.7)
    const d = mon.driftOf('2001-06-05', { a: shifted, b: slightly }, range(1000, (i) => (i < 900 ? 0.1 : 0.9)), reference, wide, model)
    assert.deepEqual(d.drifted, ['a'])
    assert.match((mon.featurePsiCheck('a', d) as { message: string }).message, /widened ×5 from the median 0\.2/)
  })
})

describe('feedback loop against calibrated floors', () => {
  const model = {
    name: 'flight_delay',
    version: 2,
    role: 'production' as const,
    artifact: 'objects/aa/x.json',
    modelSha256: 'x',
    evaluated: { from: '2001-06-01', to: '2001-06-30', auc: 0.7, accuracy: 0.6, log_loss: 0.5, baseline_auc: 0.55 },
  }
  const floors = (auc: number[], accuracy: number[], lift: number[]) =>
    cal.calibrate(
      auc.map((a, i) => measured(`2001-01-0${i + 1}`, {}, { auc: a, accuracy: accuracy[i]!, lift: lift[i]! })),
      { quantile: 1, margin: 1, scored_flights_per_day: 100 },
    )
  // Two delayed flights (scores 0.9, 0.4) and two on time (0.6, 0.1): of the 4 (delayed, on-time) pairs
  // the delayed one scores higher in 3 → AUC exactly 0.75; at 0.5 the predictions are 1,0,1,0 → accuracy 0.5.
  // A constant baseline ties everything: AUC 0.5, so the lift is 0.25.
  const scores = [0.9, 0.4, 0.6, 0.1]
  const labels = [1, 1, 0, 0]

  it('realized AUC, accuracy and lift of a tiny day with a known outcome, each against its floor', () => {
    const p = mon.performanceOf('2001-06-02', scores, labels, [0.2, 0.2, 0.2, 0.2], model, floors([0.7, 0.72, 0.74], [0.55, 0.6, 0.65], [0.1, 0.2, 0.3]))
    assert.deepEqual(p.realized, { auc: 0.75, accuracy: 0.5, log_loss: p.realized.log_loss, baseline_auc: 0.5, lift: 0.25 })
    assert.equal(p.positiveRate, 0.5)
    assert.deepEqual(p.model, { name: 'flight_delay', version: 2, role: 'production' })
    assert.equal(p.floors.auc!.value, 0.7)
    assert.deepEqual(p.below, ['accuracy'])
    const ok = mon.realizedCheck('auc', p) as { passed: boolean; message: string }
    assert.equal(ok.passed, true)
    assert.match(ok.message, /flight_delay v2 \(production\): realized AUC 0\.7500 on 2001-06-02's 4 outcomes ≥ 0\.7000 \(min 0\.7 of 3 training days 2001-01-01\.\.2001-01-03\)/)
    assert.equal((mon.realizedCheck('accuracy', p) as { passed: boolean }).passed, false)
    assert.equal((mon.realizedCheck('lift', p) as { passed: boolean }).passed, true)
  })

  it('warns when realized AUC or lift fall below what the training days show', () => {
    const p = mon.performanceOf('2001-06-02', scores, labels, [0.2, 0.2, 0.2, 0.2], model, floors([0.78, 0.8, 0.82], [0.4, 0.45, 0.5], [0.3, 0.35, 0.4]))
    assert.deepEqual(p.below, ['auc', 'lift'])
    const r = mon.realizedCheck('auc', p) as { passed: boolean; message: string }
    assert.equal(r.passed, false)
    assert.match(r.message, /realized AUC 0\.7500 .* < 0\.7800 \(min 0\.78 of 3 training days/)
    assert.match((mon.realizedCheck('lift', p) as { message: string }).message, /AUC lift over the baseline 0\.2500 .* < 0\.3000/)
  })

  it('without a production or staging model: a warning, no numbers; a one-class day is not measurable', () => {
    const c = floors([0.7], [0.6], [0.1])
    const none = mon.performanceOf('2001-06-02', null, labels, null, null, c)
    assert.equal(none.realized.auc, null)
    assert.match((mon.realizedCheck('auc', none) as { message: string }).message, /no production or staging model/)
    const oneClass = mon.performanceOf('2001-06-02', scores, [0, 0, 0, 0], null, model, c)
    const r = mon.realizedCheck('auc', oneClass) as { passed: boolean; message: string }
    assert.equal(r.passed, true)
    assert.match(r.message, /not measurable on 2001-06-02 \(4 flights, one class only\)/)
  })
})

describe('monitoring config', () => {
  const base = loadConfig()
  const monitoring = { from: '2001-01-24', to: '2001-01-30' }
  const rejects = (m: unknown, message: RegExp) =>
    assert.throws(
      () => mon.monitoringConfig({ ...base, monitoring: m }),
      (err: Error & { code?: string }) => err.code === 'FLIGHTS_INVALID_CONFIG' && message.test(err.message),
    )

  it('the shipped config: June, calibrated at the 99th percentile with a 1.1 margin', () => {
    const real = mon.monitoringConfig(loadConfig(join(REPO, 'examples/flights/training.config.json')))
    assert.deepEqual(real.period, { from: '2001-06-01', to: '2001-06-30' })
    assert.deepEqual(real.calibration, { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 })
    assert.deepEqual(real.ignore_features, ['weekday'])
  })

  it('its own period, not the validation one, and required', () => {
    assert.deepEqual(mon.monitoringConfig({ ...base, monitoring: { from: '2001-01-27', to: '2001-01-30' } }).period, { from: '2001-01-27', to: '2001-01-30' })
    assert.throws(
      () => mon.monitoringConfig({ ...base, monitoring: undefined }),
      (err: Error & { code?: string }) => err.code === 'FLIGHTS_INVALID_CONFIG' && /monitoring is missing: give the serving period to monitor/.test(err.message),
    )
    rejects({ from: base.training.to, to: '2001-01-30' }, /must start after training ends \(2001-01-23\)/)
    rejects({ from: '2001-01-30', to: '2001-01-24' }, /is backwards/)
    rejects({ from: '2001-1-24', to: '2001-01-30' }, /monitoring\.from must be a date yyyy-MM-dd/)
  })

  it('retired settings fail saying what replaced them', () => {
    rejects({ period: monitoring }, /monitoring\.period is no longer read: the period is now monitoring\.from and monitoring\.to/)
    rejects({ ...monitoring, psi_threshold: 0.2 }, /monitoring\.psi_threshold is no longer read: PSI thresholds are calibrated per feature on the training days/)
    rejects({ ...monitoring, max_auc_drop: 0.03 }, /monitoring\.max_auc_drop is no longer read/)
  })

  it('calibration settings are checked', () => {
    assert.deepEqual(mon.monitoringConfig({ ...base, monitoring: { ...monitoring, calibration: { quantile: 1 } } }).calibration, { quantile: 1, margin: 1.1, scored_flights_per_day: 4000 })
    rejects({ ...monitoring, calibration: { quantile: 0.3 } }, /calibration\.quantile must be a number in \[0\.5, 1\]/)
    rejects({ ...monitoring, calibration: { margin: 0.9 } }, /calibration\.margin must be a number in \[1, 10\]/)
    rejects({ ...monitoring, calibration: { quantle: 0.99 } }, /calibration\.quantle is not a setting \(known: quantile, margin, scored_flights_per_day\)/)
    rejects({ ...monitoring, calibration: { scored_flights_per_day: 10.5 } }, /scored_flights_per_day must be a whole number ≥ 100/)
    rejects({ ...monitoring, ignore_features: ['nope'] }, /ignore_features/)
  })
})

describe('monitoring assets on the 30-day pipeline', () => {
  const TRAINING_DAYS = Array.from({ length: 16 }, (_, i) => `2001-01-${String(8 + i).padStart(2, '0')}`)
  const DAYS = ['2001-01-24', '2001-01-25', '2001-01-26', '2001-01-27', '2001-01-28', '2001-01-29', '2001-01-30']
  let ws: Awaited<ReturnType<typeof import('strata-engine/engine').openWorkspace>>
  const read = async <T>(key: string, partition?: string): Promise<T> => {
    const m = await ws.storage.getLatest(key, partition)
    assert.ok(m, `${key}${partition ? `[${partition}]` : ''} is materialized`)
    return JSON.parse(readFileSync(join(ws.home, m.location), 'utf8')) as T
  }

  after(async () => ws?.close())

  it('thresholds calibrated on the training days, stored once and named in every daily check', async () => {
    const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
    copyFileSync(defaultSourcePath(), SOURCE)
    const engine = await import('strata-engine/engine')
    ws = await engine.openWorkspace({ defsFile: DEFS, home: join(TMP, 'home') })
    const result = await engine.materialize(ws, { selection: '*monitoring/drift *monitoring/performance', stale: true })
    assert.equal(result.status, 'SUCCESS', JSON.stringify(result.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
    const built = (key: string) => result.steps.filter((s) => s.key === key && s.status === 'SUCCESS').flatMap((s) => s.partitionKeys)
    assert.deepEqual(built('monitoring/calibration_days').sort(), TRAINING_DAYS)
    assert.equal(result.steps.filter((s) => s.key === 'monitoring/calibration').length, 1)
    for (const key of ['monitoring/drift', 'monitoring/performance']) assert.deepEqual(built(key).sort(), DAYS)

    // The stored calibration is what calibrate() gives on the stored training days.
    const days = await Promise.all(TRAINING_DAYS.map((d) => read<DayMeasures>('monitoring/calibration_days', d)))
    assert.ok(days.every((d) => d.scored === 4000 && d.rows > 10_000 && d.auc! > 0.5), JSON.stringify(days[0]))
    const c = await read<import('../../examples/flights/monitoring-calibration.js').Calibration>('monitoring/calibration')
    assert.deepEqual(c, JSON.parse(JSON.stringify(cal.calibrate(days, { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 }))))
    assert.deepEqual(c.days, { count: 16, from: '2001-01-08', to: '2001-01-23' })
    assert.ok(!('weekday' in c.features), 'weekday is constant within a day: not monitored')
    assert.match(c.features.distance!.source, /^p99 [\d.]+ of 16 training days 2001-01-08\.\.2001-01-23, widened ×1\.1 from the median [\d.]+$/)
    assert.match(c.performance.auc!.source, /^p01 /)

    // A fresh home: no production version, so the latest staging one is monitored, and says so.
    const p = await read<import('../../examples/flights/monitoring.js').DayPerformance>('monitoring/performance', '2001-01-27')
    assert.deepEqual(p.model, { name: 'flight_delay', version: 1, role: 'staging' })
    assert.ok(p.realized.auc! > 0.55 && p.realized.auc! < 0.95, `auc ${p.realized.auc}`)
    assert.equal(p.floors.auc!.value, c.performance.auc!.value)
    assert.equal(p.realized.lift, Number((p.realized.auc! - p.realized.baseline_auc!).toFixed(4)))

    const d = await read<import('../../examples/flights/monitoring.js').DayDrift>('monitoring/drift', '2001-01-27')
    for (const [name, f] of Object.entries(d.features)) {
      assert.equal(f.threshold, c.features[name]!.value, name)
      assert.equal(f.calibrated, c.features[name]!.source, name)
    }
    assert.deepEqual(d.drifted.filter((n) => n !== 'prediction'), Object.keys(d.features).filter((n) => d.features[n]!.value > d.features[n]!.threshold!))

    const checks = await ws.storage.getLatestCheckResults('monitoring/drift')
    assert.equal(checks.filter((r) => r.checkName === 'psi:prediction').length, DAYS.length)
    assert.ok(checks.every((r) => !r.blocking))
    for (const r of checks.filter((x) => x.partitionKey === '2001-01-27')) {
      assert.equal(r.passed, !d.drifted.includes(r.checkName.slice('psi:'.length)), r.checkName)
      assert.match(r.message ?? '', /of 16 training days 2001-01-08\.\.2001-01-23/)
    }
    const perfChecks = await ws.storage.getLatestCheckResults('monitoring/performance')
    assert.deepEqual([...new Set(perfChecks.map((r) => r.checkName))].sort(), ['realized_accuracy', 'realized_auc', 'realized_lift'])

    // Visible through the CLI like any check.
    const r = spawnSync(process.execPath, [BIN, 'status', 'monitoring/drift', '-f', DEFS, '--home', ws.home], { encoding: 'utf8', env: process.env })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /psi:/)
  })

  it('calibrated on half the training days, quieter on the other half than a fixed 0.2 threshold', async () => {
    const days = await Promise.all(TRAINING_DAYS.map((d) => read<DayMeasures>('monitoring/calibration_days', d)))
    const calibrated = cal.calibrate(
      days.filter((_, i) => i % 2 === 0),
      { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 },
    )
    const heldOut = days.filter((_, i) => i % 2 === 1)
    const fixed = heldOut.filter((m) => Object.values(m.features).some((v) => v > 0.2) || m.prediction! > 0.2).length
    const warned = heldOut.filter((m) => cal.driftWarnings(m, calibrated).length > 0).length
    // The rolling-rate features carry each week's system-wide delay level: every day is "drifted" from five pooled months at 0.2.
    assert.equal(fixed, heldOut.length)
    assert.ok(warned < fixed, `${warned} of ${heldOut.length} held-out days warn against calibrated thresholds`)
  })

  it('a held-out training day warns once drift is injected: shifted distances (PSI), shuffled origins (realized AUC, not PSI)', async () => {
    const { FEATURE_NAMES } = await import('../../examples/flights/features.js')
    const { float32Column, int8Column } = await import('../../examples/flights/tables.js')
    const { loadModel, mulberry32, toMatrix } = await import('../../examples/flights/model.js')
    const { baselineScores } = await import('../../examples/flights/baseline.js')
    const days = await Promise.all(TRAINING_DAYS.map((d) => read<DayMeasures>('monitoring/calibration_days', d)))
    const calibrated = cal.calibrate(
      days.filter((_, i) => i % 2 === 0),
      { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 },
    )
    const day = TRAINING_DAYS[1]! // held out
    const ref = await read<import('../../examples/flights/monitoring-assets.js').ReferenceValue>('monitoring/reference')
    const pkg = await read<{ model: import('../../examples/flights/model.js').ModelArtifact }>('models/flight_delay')
    const model = await loadModel(pkg.model)
    const stored = (await ws.storage.getLatest('features/flights', day))!
    const table = tableFromIPC(readFileSync(join(ws.home, stored.location)))
    const columns = Object.fromEntries(FEATURE_NAMES.map((n) => [n, float32Column(table, n)]))
    const labels = int8Column(table, 'label_delayed')
    const monitored = Object.keys(ref.features)
    const measure = (cols: Record<string, Float32Array>) =>
      mon.measureDay(day, table.numRows, Object.fromEntries(monitored.map((n) => [n, cols[n]!])), {
        scores: model.predict(toMatrix(FEATURE_NAMES.map((n) => cols[n]!), table.numRows), table.numRows),
        labels,
        baseline: baselineScores(cols.dep_hour!, cols.origin_delayed_rate_7d!, ref.baseline),
      }, ref)
    try {
      const clean = measure(columns)
      assert.deepEqual([cal.driftWarnings(clean, calibrated), cal.performanceWarnings(clean, calibrated)], [[], []], `${day} as it is`)

      const longer = measure({ ...columns, distance: columns.distance!.map((v) => v * 1.25) })
      assert.ok(cal.driftWarnings(longer, calibrated).includes('distance'), `distance PSI ${longer.features.distance} vs ${calibrated.features.distance!.value}`)

      // Each flight gets another flight's origin history: every marginal distribution is unchanged, the signal is gone.
      const rand = mulberry32(1)
      const perm = Uint32Array.from({ length: table.numRows }, (_, i) => i)
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1))
        ;[perm[i], perm[j]] = [perm[j]!, perm[i]!]
      }
      const shuffled = { ...columns }
      for (const n of ['origin_delayed_rate_7d', 'origin_delay_mean_7d', 'origin_flights_7d', 'route_delayed_rate_7d', 'origin_delayed_rate_1d', 'origin_hour_delayed_rate_7d']) {
        shuffled[n] = Float32Array.from(perm, (k) => columns[n]![k]!)
      }
      const broken = measure(shuffled)
      for (const n of monitored) close(broken.features[n]!, clean.features[n]!, 1e-4)
      assert.ok(cal.performanceWarnings(broken, calibrated).includes('auc'), `auc ${broken.auc} vs floor ${calibrated.performance.auc!.value}`)
      assert.ok(cal.performanceWarnings(broken, calibrated).includes('lift'), `lift ${broken.lift} vs floor ${calibrated.performance.lift!.value}`)
    } finally {
      model.free()
    }
  })
})
