// The flights baseline (examples/flights/baseline.ts): the departure hour's
// delayed rate over the training rows, then the origin's 7-day rate within an
// hour. Exact rates on counted rows, the ranking it promises, and evaluation
// judging the model's lift against it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BASELINE_DESCRIPTION, baselineScores, hourRatesOf } from '../../examples/flights/baseline.js'
import { loadConfig } from '../../examples/flights/config.js'
import { evaluate, evaluationSet } from '../../examples/flights/evaluate.js'
import { FEATURE_NAMES, MISSING, PRIOR_FLIGHTS } from '../../examples/flights/features.js'
import { featuresTable } from '../../examples/flights/tables.js'

/** 100 flights at 08h with 10 delayed, 100 at 18h with 40 delayed: overall rate 0.25. */
function trainingRows(): { hours: number[]; labels: number[] } {
  const hours: number[] = []
  const labels: number[] = []
  for (let i = 0; i < 100; i++) {
    hours.push(8, 18)
    labels.push(i < 10 ? 1 : 0, i < 40 ? 1 : 0)
  }
  return { hours, labels }
}

describe('flights baseline', () => {
  it('hour rates are smoothed towards the overall rate; an unseen hour gets the overall rate', () => {
    const { hours, labels } = trainingRows()
    const t = hourRatesOf(hours, labels)
    assert.equal(PRIOR_FLIGHTS, 20)
    assert.equal(t.overallRate, 0.25)
    assert.equal(t.rates[8], (10 + 20 * 0.25) / 120)
    assert.equal(t.rates[18], (40 + 20 * 0.25) / 120)
    assert.equal(t.rates[3], 0.25)
    assert.equal(t.flights[8], 100)
    // Distinct rates 0.125, 0.25, 0.375: the smallest gap is 0.125, half of it per unit of origin rate.
    assert.equal(t.originStep, 0.0625)
  })

  it('ranks by hour first, then by the origin’s recent rate within an hour; no history scores the overall rate', () => {
    const { hours, labels } = trainingRows()
    const t = hourRatesOf(hours, labels)
    const s = baselineScores([8, 8, 18, 8], [0.1, 0.3, 0, MISSING], t)
    assert.equal(s[0], 0.125 + 0.0625 * 0.1)
    assert.ok(s[1]! > s[0]!, 'a worse origin ranks higher within the hour')
    assert.ok(s[2]! > s[1]!, 'a later, worse hour ranks higher whatever the origins')
    assert.equal(s[3], 0.125 + 0.0625 * 0.25)
    // Even the worst origin at 08h stays below the best at the next hour rate.
    assert.ok(baselineScores([8], [1], t)[0]! < baselineScores([3], [0], t)[0]!)
  })

  it('rejects hours outside 0–23 and mismatched inputs, naming the row', () => {
    assert.throws(() => hourRatesOf([8, 24], [0, 1]), /row 1 has hour 24; hours are whole numbers 0–23/)
    assert.throws(() => hourRatesOf([8], [0, 1]), /1 hours but 2 labels/)
    assert.throws(() => hourRatesOf([], []), /no training rows/)
    assert.throws(() => baselineScores([8, 7.5], [0.2, 0.2], hourRatesOf([8], [1])), /row 1 has hour 7\.5/)
  })
})

describe('evaluation against the baseline', () => {
  // Four validation flights where the hour alone separates delayed from on time: 18h delayed, 08h not.
  function validationTable() {
    const hours = [8, 18, 8, 18]
    const dateMs = Float64Array.from(hours, (h) => Date.parse('2001-06-02T00:00:00Z') + h * 3_600_000)
    const rows = { n: 4, dateMs, distance: Float64Array.from([300, 300, 300, 300]), origin: ['SFO', 'SFO', 'ORD', 'ORD'], destination: ['LAX', 'LAX', 'JFK', 'JFK'] }
    const features = Object.fromEntries(FEATURE_NAMES.map((n) => [n, new Float32Array(4).fill(0.2)]))
    features.dep_hour = Float32Array.from(hours)
    features.origin_delayed_rate_7d = Float32Array.from([0.3, 0.1, 0.1, 0.3])
    return featuresTable(rows, features, Uint8Array.from([0, 1, 0, 1]))
  }

  it('the validation set carries the baseline scores of its hours and origins', () => {
    const { hours, labels } = trainingRows()
    const t = hourRatesOf(hours, labels)
    const set = evaluationSet([validationTable()], t)
    // The feature table stores Float32, as the pipeline does.
    assert.deepEqual(Array.from(set.baseline), Array.from(baselineScores([8, 18, 8, 18], Float32Array.from([0.3, 0.1, 0.1, 0.3]), t)))
  })

  it('a model that adds nothing to the hour fails the gate on its lift, and the report names the baseline', () => {
    const { hours, labels } = trainingRows()
    const t = hourRatesOf(hours, labels)
    const set = evaluationSet([validationTable()], t)
    const constant = { predict: (_x: Float32Array, rows: number) => new Float64Array(rows).fill(0.3), free: () => {} }
    const criteria = { ...loadConfig().evaluation.gate, min_auc: 0, max_log_loss: 10, min_segment_auc: 0 }
    const report = evaluate(set, constant, { range: { from: '2001-06-02', to: '2001-06-02' }, hours: t, partitions: 1, criteria, topOrigins: 1 })
    assert.equal(report.overall.baseline.auc, 1)
    assert.equal(report.overall.model.auc, 0.5)
    assert.equal(report.gate.passed, false)
    assert.ok(report.gate.reasons.some((r) => /^FAILED: auc lift over baseline -0\.5000/.test(r)), report.gate.reasons.join('; '))
    assert.deepEqual(report.baseline, { description: BASELINE_DESCRIPTION, hours: t })
  })
})
