// Calibrated monitoring thresholds (examples/flights/monitoring-calibration.ts):
// the quantile and bound arithmetic, and on a simulated year of days shaped like
// the flights' rolling-rate features (each day a narrow slice around that week's
// delay level): a fixed PSI threshold of 0.2 warns on every day, thresholds
// calibrated on 144 days are quiet on 100 later days of the same process, and
// an injected shift warns. Also the summary npm start prints.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { boundOf, calibrate, driftWarnings, outside, performanceWarnings, quantile, type DayMeasures } from '../../examples/flights/monitoring-calibration.js'
import { driftOf, measureDay, performanceOf, referenceOf } from '../../examples/flights/monitoring.js'
import { summarizeMonitoring } from '../../examples/flights/monitoring-summary.js'
import { mulberry32 } from '../../examples/flights/model.js'

const SETTINGS = { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 }
const dayKey = (i: number) => new Date(Date.UTC(2001, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)
const measured = (i: number, features: Record<string, number>, extra: Partial<DayMeasures> = {}): DayMeasures => ({
  day: dayKey(i),
  rows: 100,
  scored: 100,
  features,
  prediction: null,
  auc: null,
  accuracy: null,
  baseline_auc: null,
  lift: null,
  ...extra,
})

describe('quantiles and bounds', () => {
  it('quantiles interpolate linearly between order statistics', () => {
    assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3)
    assert.equal(quantile([4, 1, 2, 3], 0.5), 2.5)
    assert.equal(quantile([1, 2, 3, 4], 1), 4)
    assert.equal(quantile([1, 2, 3, 4], 0), 1)
    // 144 days: p99 sits at rank 141.57 (0-based), between the two largest but one.
    const days = Array.from({ length: 144 }, (_, i) => i)
    assert.ok(Math.abs(quantile(days, 0.99) - 141.57) < 1e-9)
    assert.throws(() => quantile([], 0.5), /no values/)
    assert.throws(() => quantile([1], 1.5), /q must be in \[0, 1\]/)
  })

  it('a bound is median + margin × (quantile − median), upper for PSI, lower for AUC, with its source', () => {
    const psi = Array.from({ length: 101 }, (_, i) => ({ day: dayKey(i), value: i / 100 })) // 0.00 … 1.00
    const up = boundOf('max', psi, { quantile: 0.99, margin: 1.1 })!
    assert.deepEqual({ value: up.value, quantileValue: up.quantileValue, median: up.median, extreme: up.extreme, days: up.days }, { value: 1.039, quantileValue: 0.99, median: 0.5, extreme: 1, days: 101 })
    assert.equal(up.source, `p99 0.99 of 101 training days ${dayKey(0)}..${dayKey(100)}, widened ×1.1 from the median 0.5`)
    const down = boundOf('min', psi, { quantile: 0.99, margin: 1.1 })!
    assert.equal(down.value, -0.039)
    assert.match(down.source, /^p01 0\.01 of 101 training days/)
    const max = boundOf('max', psi, { quantile: 1, margin: 1 })!
    assert.equal(max.value, 1)
    assert.equal(max.source, `max 1 of 101 training days ${dayKey(0)}..${dayKey(100)}`)
  })

  it('days that did not measure a value are left out; nothing measured gives no bound, and no warning', () => {
    const b = boundOf('min', [{ day: dayKey(0), value: null }, { day: dayKey(1), value: 0.7 }, { day: dayKey(2), value: 0.8 }], { quantile: 1, margin: 1 })!
    assert.equal(b.days, 2)
    assert.equal(b.from, dayKey(1))
    assert.equal(boundOf('min', [{ day: dayKey(0), value: null }], { quantile: 1, margin: 1 }), null)
    assert.equal(outside(0.1, null), false)
    assert.equal(outside(null, b), false)
    assert.equal(outside(0.69, b), true)
    assert.equal(outside(0.7, b), false, 'the bound itself is normal')
  })

  it('calibrate: every measurement gets a bound; the training days are judged in sample', () => {
    const days = [0.1, 0.2, 0.3, 0.4].map((v, i) => measured(i, { a: v, b: v / 10 }, { prediction: v, auc: 0.7 + v / 10, accuracy: 0.8, lift: 0.05 }))
    const c = calibrate(days, { quantile: 1, margin: 1, scored_flights_per_day: 100 })
    assert.deepEqual(c.days, { count: 4, from: dayKey(0), to: dayKey(3) })
    assert.equal(c.features.a!.value, 0.4)
    assert.equal(c.features.b!.value, 0.04)
    assert.equal(c.prediction!.value, 0.4)
    assert.equal(c.performance.auc!.value, 0.71)
    assert.deepEqual(c.inSample, { days: 4, driftDays: 0, performanceDays: 0 })
    assert.deepEqual(driftWarnings(measured(9, { a: 0.5, b: 0.01 }, { prediction: 0.41 }), c), ['a', 'prediction'])
    assert.deepEqual(performanceWarnings(measured(9, {}, { auc: 0.6, accuracy: 0.8, lift: 0.01 }), c), ['auc', 'lift'])
    assert.throws(() => calibrate([], SETTINGS), /no training days were measured; materialize monitoring\/calibration_days first/)
    assert.throws(() => calibrate([measured(0, { a: 1 }), measured(1, {})], SETTINGS), /2001-01-02 lacks a PSI for a/)
  })
})

describe('a simulated year of days like the rolling-rate features', () => {
  // Each day's delay level follows a persistent random walk (weather, the season); a day's
  // "rate" feature is that level plus a little per-flight noise, so one day is a narrow slice of
  // the pooled distribution. "distance" is the same every day.
  const rand = mulberry32(7)
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const FLIGHTS = 2000
  let level = 0
  const days = Array.from({ length: 244 }, () => {
    level = 0.8 * level + 0.6 * normal()
    const rate = new Float64Array(FLIGHTS)
    const distance = new Float64Array(FLIGHTS)
    for (let i = 0; i < FLIGHTS; i++) {
      rate[i] = Math.min(1, Math.max(0, 0.2 + 0.05 * level + 0.03 * normal()))
      distance[i] = Math.exp(6.3 + 0.7 * normal())
    }
    return { rate, distance }
  })
  // The reference pools the first 144 days (as training/dataset samples the training days).
  const pooled = (k: 'rate' | 'distance') => Float64Array.from(days.slice(0, 144).flatMap((d) => Array.from(d[k].filter((_, i) => i % 10 === 0))))
  const reference = referenceOf({ rate: pooled('rate'), distance: pooled('distance') }, null, 10)
  const measures = days.map((d, i) => measureDay(dayKey(i), FLIGHTS, d, null, reference))
  const training = measures.slice(0, 144)
  const later = measures.slice(144)
  const calibration = calibrate(training, SETTINGS)

  it('a fixed threshold of 0.2 warns on every day, training days included', () => {
    const fixed = (m: DayMeasures) => Object.values(m.features).some((v) => v > 0.2)
    assert.equal(training.filter(fixed).length, 144)
    assert.equal(later.filter(fixed).length, 100)
  })

  it('calibrated on the 144 training days, at most a few of 100 later days of the same process warn', () => {
    const warned = later.filter((m) => driftWarnings(m, calibration).length > 0)
    // Each of the 2 features exceeds its p99 × 1.1 band on about 1% of normal days.
    assert.ok(warned.length <= 3, `${warned.length} of 100 days warn: ${warned.map((m) => `${m.day} ${driftWarnings(m, calibration)}`).join('; ')}`)
    assert.ok(calibration.features.rate!.value > 1, `the rate's normal daily PSI is large: threshold ${calibration.features.rate!.value}`)
  })

  it('an injected shift warns: distances 30% longer, or a delay level far beyond any training day', () => {
    const d = days[200]!
    const longer = measureDay(dayKey(300), FLIGHTS, { rate: d.rate, distance: d.distance.map((v) => v * 1.3) }, null, reference)
    assert.deepEqual(driftWarnings(longer, calibration), ['distance'])
    const storm = measureDay(dayKey(301), FLIGHTS, { rate: d.rate.map(() => Math.min(1, 0.2 + 0.05 * 6 + 0.03 * normal())), distance: d.distance }, null, reference)
    assert.deepEqual(driftWarnings(storm, calibration), ['rate'])
  })
})

describe('monitoring summary', () => {
  const reference = referenceOf({ a: Float64Array.from({ length: 100 }, (_, i) => i) }, Float64Array.from({ length: 100 }, (_, i) => i / 100), 2)
  const calibration = calibrate(
    [0.01, 0.02, 0.03].map((v, i) => measured(i, { a: v }, { prediction: v, auc: 0.7, accuracy: 0.8, lift: 0.05 })),
    { quantile: 1, margin: 1, scored_flights_per_day: 100 },
  )
  const model = { name: 'm', version: 1, role: 'staging' as const, artifact: 'x', modelSha256: 'x', evaluated: { from: 'a', to: 'b', auc: 0.7, accuracy: 0.8, log_loss: 0.5, baseline_auc: 0.6 } }
  const even = Float64Array.from({ length: 100 }, (_, i) => i)
  const skewed = Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? i / 2 : i))

  it('counts the served days that warn, by feature, next to the training days in sample', () => {
    const drift = [driftOf('2001-06-01', { a: even }, even.map((x) => x / 100), reference, calibration, model), driftOf('2001-06-02', { a: skewed }, even.map((x) => x / 100), reference, calibration, model)]
    const perf = [performanceOf('2001-06-01', [0.9, 0.1], [1, 0], [0.5, 0.5], model, calibration), performanceOf('2001-06-02', [0.1, 0.9], [1, 0], [0.5, 0.5], model, calibration)]
    const s = summarizeMonitoring(drift, perf, calibration)
    assert.deepEqual(s.period, { from: '2001-06-01', to: '2001-06-02', days: 2 })
    assert.deepEqual(s.drift, { warnDays: 1, predictionWarnDays: 0, byFeature: { a: 1 }, predictionPsi: [0, 0] })
    assert.deepEqual(s.performance, { belowDays: 1, aucBelowDays: 1, liftBelowDays: 1, auc: [0, 1], lift: [-0.5, 0.5] })
    assert.deepEqual(s.training, { days: 3, driftDays: 0, performanceDays: 0 })
    assert.match(s.lines[0]!, /drift {4}2001-06-01\.\.2001-06-02: 1\/2 days warn \(a 1\); training days: 0\/3 \(in sample\) — thresholds calibrated on 3 training days/)
    assert.match(s.lines[2]!, /realized m v1 \(staging\) AUC 0\.0000–1\.0000 \(floor 0\.7\), lift over the baseline -0\.5000–\+0\.5000 \(floor \+0\.0500\); 1\/2 days below a floor/)
  })

  it('nothing stored yet: no lines', () => {
    assert.deepEqual(summarizeMonitoring([], [], null).lines, [])
  })
})
