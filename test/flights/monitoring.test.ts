// Monitoring of the flights model: PSI maths on synthetic data whose PSI is
// known in advance, the drift checks on both sides of the threshold, the
// feedback loop on a tiny day whose realized AUC is known exactly, and the
// monitoring assets end to end on the reduced 30-day pipeline (non-blocking
// warnings stored as check results, shown by strata status).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { binCounts, binnedDistribution, binOf, psi, psiAgainst, PSI_EPSILON, quantileEdges } from 'strata'
import { BIN, DEFS, REPO, useThirtyDays } from './thirty-days.js'

const { TMP, SOURCE } = useThirtyDays('monitoring')

const mon = await import('../../examples/flights/monitoring.js')
const { loadConfig } = await import('../../examples/flights/config.js')

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

describe('drift checks', () => {
  // Reference: feature a uniform on 0..999, b the same; scores 0..1.
  const refA = range(1000, (i) => i)
  const reference = mon.referenceOf({ a: refA, b: refA }, range(1000, (i) => i / 1000), 2)
  const model = { name: 'm', version: 3, role: 'staging' as const }

  it('warns above the threshold and passes below, per feature and for the predictions', () => {
    const shifted = range(1000, (i) => (i < 900 ? i % 500 : 500 + i)) // 90/10: PSI 0.879
    const slightly = range(1000, (i) => (i < 550 ? i % 500 : 500 + i)) // 55/45: PSI 0.05·ln(11/9) ≈ 0.0100
    const d = mon.driftOf('2001-06-05', { a: shifted, b: slightly }, range(1000, (i) => (i < 900 ? 0.1 : 0.9)), reference, 0.2, model)
    close(d.features.a!.psi, Number((0.4 * Math.log(9)).toFixed(4)))
    close(d.features.b!.psi, Number((0.05 * Math.log(11 / 9)).toFixed(4)))
    assert.deepEqual(d.drifted, ['a', 'prediction'])
    assert.equal(d.maxFeature, 'a')
    const a = mon.featurePsiCheck('a', d) as { passed: boolean; message: string }
    const b = mon.featurePsiCheck('b', d) as { passed: boolean; message: string }
    assert.equal(a.passed, false)
    assert.match(a.message, /PSI 0\.879 > 0\.2/)
    assert.equal(b.passed, true)
    const p = mon.predictionPsiCheck(d) as { passed: boolean; message: string }
    assert.equal(p.passed, false)
    assert.match(p.message, /m v3 \(staging\)/)
    // The same day with a higher threshold passes.
    const lenient = mon.driftOf('2001-06-05', { a: shifted, b: slightly }, null, reference, 1, model)
    assert.equal((mon.featurePsiCheck('a', lenient) as { passed: boolean }).passed, true)
    assert.deepEqual(lenient.drifted, [])
  })
})

describe('feedback loop', () => {
  const model = (evaluatedAuc: number) => ({
    name: 'flight_delay',
    version: 2,
    role: 'production' as const,
    artifact: 'objects/aa/x.json',
    modelSha256: 'x',
    evaluated: { from: '2001-06-01', to: '2001-06-30', auc: evaluatedAuc, accuracy: 0.6, log_loss: 0.5, baseline_auc: 0.55 },
  })
  // Two delayed flights (scores 0.9, 0.4) and two on time (0.6, 0.1): of the 4 (delayed, on-time) pairs
  // the delayed one scores higher in 3 → AUC exactly 0.75; at 0.5 the predictions are 1,0,1,0 → accuracy 0.5.
  const scores = [0.9, 0.4, 0.6, 0.1]
  const labels = [1, 1, 0, 0]

  it('realized AUC and accuracy of a tiny day with a known outcome', () => {
    const p = mon.performanceOf('2001-06-02', scores, labels, [0.2, 0.2, 0.2, 0.2], model(0.7), { max_auc_drop: 0.03, max_accuracy_drop: 0.02 })
    assert.equal(p.realized.auc, 0.75)
    assert.equal(p.realized.accuracy, 0.5)
    assert.equal(p.realized.baseline_auc, 0.5) // constant baseline: all ties
    assert.equal(p.positiveRate, 0.5)
    assert.deepEqual(p.model, { name: 'flight_delay', version: 2, role: 'production' })
    assert.equal(p.expected!.min_auc, 0.67)
    const ok = mon.realizedAucCheck(p) as { passed: boolean; message: string }
    assert.equal(ok.passed, true)
    assert.match(ok.message, /flight_delay v2 \(production\): realized auc 0\.7500/)
    // Accuracy 0.5 < 0.6 − 0.02: a warning.
    assert.equal((mon.realizedAccuracyCheck(p) as { passed: boolean }).passed, false)
  })

  it('warns when realized AUC falls below the evaluated AUC minus the tolerance', () => {
    const p = mon.performanceOf('2001-06-02', scores, labels, null, model(0.8), { max_auc_drop: 0.03, max_accuracy_drop: 0.02 })
    const r = mon.realizedAucCheck(p) as { passed: boolean; message: string }
    assert.equal(r.passed, false)
    assert.match(r.message, /0\.7500 .* < 0\.7700 \(evaluated 0\.8/)
  })

  it('without a production or staging model: a warning, no numbers', () => {
    const p = mon.performanceOf('2001-06-02', null, labels, null, null, { max_auc_drop: 0.03, max_accuracy_drop: 0.02 })
    assert.equal(p.realized.auc, null)
    assert.match((mon.realizedAucCheck(p) as { message: string }).message, /no production or staging model/)
  })
})

describe('monitoring config', () => {
  const base = loadConfig()
  it('defaults to the validation period; rejects a period overlapping training (point in time)', () => {
    const m = mon.monitoringConfig(base)
    assert.deepEqual(m.period, base.validation)
    assert.equal(m.psi_threshold, 0.2)
    assert.deepEqual(m.ignore_features, ['weekday'])
    assert.throws(() => mon.monitoringConfig({ ...base, monitoring: { period: { from: base.training.to, to: base.validation.to } } }), /must start after training ends/)
    assert.throws(() => mon.monitoringConfig({ ...base, monitoring: { ignore_features: ['nope'] } }), /ignore_features/)
    const real = mon.monitoringConfig(loadConfig(join(REPO, 'examples/flights/training.config.json')))
    assert.deepEqual(real.period, { from: '2001-06-01', to: '2001-06-30' })
  })
})

describe('monitoring assets on the 30-day pipeline', () => {
  it('drift and performance per day, with the monitored model named, warnings stored as non-blocking checks', async () => {
    const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
    copyFileSync(defaultSourcePath(), SOURCE)
    const engine = await import('strata/engine')
    const ws = await engine.openWorkspace({ defsFile: DEFS, home: join(TMP, 'home') })
    try {
      const result = await engine.materialize(ws, { selection: '*monitoring/drift *monitoring/performance', stale: true })
      assert.equal(result.status, 'SUCCESS', JSON.stringify(result.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
      const days = ['2001-01-24', '2001-01-25', '2001-01-26', '2001-01-27', '2001-01-28', '2001-01-29', '2001-01-30']
      for (const key of ['monitoring/drift', 'monitoring/performance']) assert.equal(result.steps.filter((s) => s.key === key && s.status === 'SUCCESS').length, days.length)

      // A fresh home: no production version, so the latest staging one is monitored, and says so.
      const perf = await ws.storage.getLatest('monitoring/performance', '2001-01-27')
      const p = JSON.parse(readFileSync(join(ws.home, perf!.location), 'utf8')) as import('../../examples/flights/monitoring.js').DayPerformance
      assert.deepEqual(p.model, { name: 'flight_delay', version: 1, role: 'staging' })
      assert.ok(p.realized.auc! > 0.55 && p.realized.auc! < 0.95, `auc ${p.realized.auc}`)
      assert.equal(perf!.metadata.monitoredRole, 'staging')

      const drift = await ws.storage.getLatest('monitoring/drift', '2001-01-27')
      const d = JSON.parse(readFileSync(join(ws.home, drift!.location), 'utf8')) as import('../../examples/flights/monitoring.js').DayDrift
      assert.ok(!('weekday' in d.features), 'weekday is constant within a day: not monitored')
      assert.ok(d.score && d.score.psi >= 0)

      const checks = await ws.storage.getLatestCheckResults('monitoring/drift')
      assert.equal(checks.filter((c) => c.checkName === 'psi:prediction').length, days.length)
      assert.ok(checks.every((c) => !c.blocking))
      const warned = checks.filter((c) => !c.passed)
      assert.ok(warned.length > 0, 'some daily PSI of a rolling-rate feature is above 0.2')
      assert.ok(d.drifted.every((f) => warned.some((c) => c.partitionKey === '2001-01-27' && c.checkName === `psi:${f}`)))

      // Visible through the CLI like any failing check.
      const r = spawnSync(process.execPath, [BIN, 'status', 'monitoring/drift', '-f', DEFS, '--home', ws.home], { encoding: 'utf8', env: process.env })
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, /psi:/)
    } finally {
      await ws.close()
    }
  })
})
