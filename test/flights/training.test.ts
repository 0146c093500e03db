// Training, evaluation and config pieces of the flights example, on small inputs.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions } from 'strata-engine'
import { BASELINE_DESCRIPTION, hourRatesOf } from '../../examples/flights/baseline.js'
import { aucChart } from '../../examples/flights/chart.js'
import { validateConfig, loadConfig, DEFAULT_CONFIG_PATH, daysIn, hashOf } from '../../examples/flights/config.js'
import { applyGate, type SegmentResult } from '../../examples/flights/evaluate.js'
import { FEATURE_NAMES } from '../../examples/flights/features.js'
import { keyRangeMapping } from '../../examples/flights/mappings.js'
import { accuracy, auc, logLoss } from '../../examples/flights/metrics.js'
import { assertTrainingInputFits, loadModel, mulberry32, sampleIndices, trainModel } from '../../examples/flights/model.js'

const base = JSON.parse(JSON.stringify(loadConfig(DEFAULT_CONFIG_PATH)))

describe('flights training config', () => {
  it('the shipped config is valid and names the current feature set', () => {
    const c = loadConfig(DEFAULT_CONFIG_PATH)
    assert.equal(c.feature_set, 'v1')
    assert.ok(c.validation.from > c.training.to)
  })

  it('rejects a validation period that is not after the training period, with the reason', () => {
    assert.throws(() => validateConfig({ ...base, validation: { from: '2001-05-15', to: '2001-06-30' } }), /must start after training ends .* not on days the model trained on/)
  })

  it('names the first bad field', () => {
    assert.throws(() => validateConfig({ ...base, hyperparameters: { ...base.hyperparameters, max_depth: 0 } }), /hyperparameters\.max_depth must be a whole number ≥ 1/)
    assert.throws(() => validateConfig({ ...base, hyperparameters: { ...base.hyperparameters, objective: 'reg:linear' } }), /binary:logistic/)
    assert.throws(() => validateConfig({ ...base, evaluation: { top_origins: 5 } }), /evaluation\.gate is missing: define the criteria before training/)
    assert.throws(() => validateConfig({ ...base, training: { from: '2001-02-30x', to: '2001-03-01' } }), /training\.from must be a date/)
    assert.throws(() => validateConfig({ ...base, sample: { max_rows: 100000, max_input_mib: 6 } }), /sample\.max_input_mib/)
  })

  it('ignores $comment keys and hashes independently of key order', () => {
    const withComment = validateConfig({ ...base, $comment: 'x', training: { $comment: 'y', ...base.training } })
    assert.equal(hashOf(withComment), hashOf(validateConfig(base)))
    const reordered = Object.fromEntries(Object.entries(base).reverse())
    assert.equal(hashOf(validateConfig(reordered)), hashOf(validateConfig(base)))
  })

  it('daysIn lists the inclusive range', () => {
    assert.deepEqual(daysIn({ from: '2001-02-27', to: '2001-03-02' }), ['2001-02-27', '2001-02-28', '2001-03-01', '2001-03-02'])
  })
})

describe('flights key-range mapping', () => {
  const days = dailyPartitions({ start: '2001-01-01', end: '2001-01-11' })
  const m = keyRangeMapping({ from: '2001-01-03', to: '2001-01-05' })

  it('maps the unpartitioned downstream to exactly the configured days', () => {
    assert.deepEqual(m.upstreamFor([''], { downstream: undefined, upstream: days }), { keys: ['2001-01-03', '2001-01-04', '2001-01-05'], missing: [] })
  })

  it('reports configured days that do not exist', () => {
    const beyond = keyRangeMapping({ from: '2001-01-09', to: '2001-01-12' })
    assert.deepEqual(beyond.upstreamFor([''], { downstream: undefined, upstream: days }), { keys: ['2001-01-09', '2001-01-10'], missing: ['2001-01-11', '2001-01-12'] })
  })

  it('makes the downstream depend only on days in the range', () => {
    assert.deepEqual(m.downstreamFor(['2001-01-04'], { downstream: undefined, upstream: days }), [''])
    assert.deepEqual(m.downstreamFor(['2001-01-06', '2001-01-01'], { downstream: undefined, upstream: days }), [])
  })
})

describe('flights metrics', () => {
  /** AUC by definition: over all positive/negative pairs. */
  function bruteAuc(s: number[], y: number[]): number {
    let wins = 0
    let pairs = 0
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
      if (y[i] === 1 && y[j] === 0) {
        pairs++
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0
      }
    }
    return wins / pairs
  }

  it('AUC equals the pairwise definition, ties counting half', () => {
    const rand = mulberry32(3)
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rand() * 40)
      const s = Array.from({ length: n }, () => Math.round(rand() * 6) / 6) // many ties
      const y = Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0))
      if (!y.includes(1) || !y.includes(0)) continue
      assert.ok(Math.abs(auc(s, y) - bruteAuc(s, y)) < 1e-12)
    }
    assert.equal(auc([0.1, 0.9], [0, 1]), 1)
    assert.equal(auc([0.9, 0.1], [0, 1]), 0)
    assert.ok(Number.isNaN(auc([0.1, 0.2], [1, 1])))
  })

  it('AUC of a segment uses only its rows', () => {
    const s = [0.1, 0.9, 0.8, 0.2]
    const y = [0, 1, 0, 1]
    assert.equal(auc(s, y, [1, 1, 0, 0]), 1)
    assert.equal(auc(s, y, [0, 0, 1, 1]), 0)
  })

  it('log loss and accuracy', () => {
    assert.ok(Math.abs(logLoss([0.8, 0.3], [1, 0]) - -(Math.log(0.8) + Math.log(0.7)) / 2) < 1e-12)
    assert.ok(Number.isFinite(logLoss([0, 1], [1, 0])), 'clipped, not infinite')
    assert.equal(accuracy([0.8, 0.3, 0.6, 0.4], [1, 0, 0, 0]), 0.75)
  })
})

describe('flights training', () => {
  it('samples k of n indices without replacement, increasing, reproducibly by seed', () => {
    const a = sampleIndices(1_000_000, 1000, 42)
    assert.equal(a.length, 1000)
    for (let i = 1; i < a.length; i++) assert.ok(a[i]! > a[i - 1]!)
    assert.deepEqual(sampleIndices(1_000_000, 1000, 42), a)
    assert.notDeepEqual(sampleIndices(1_000_000, 1000, 43), a)
    assert.equal(sampleIndices(10, 1000, 1).length, 10, 'all rows when there are fewer than k')
    // Roughly uniform: the mean index is near the middle.
    const mean = a.reduce((x, y) => x + y, 0) / a.length
    assert.ok(Math.abs(mean - 500_000) < 30_000)
  })

  it('fails with a clear error when the training input would overflow ml-xgboost’s WASM stack', () => {
    assert.doesNotThrow(() => assertTrainingInputFits(100_000, FEATURE_NAMES.length, 4.5))
    assert.throws(() => assertTrainingInputFits(120_000, FEATURE_NAMES.length, 4.5), /120000 rows × \(10 features \+ label\) × 4 bytes = 5\.04 MiB, over the 4\.50 MiB limit .* Lower sample\.max_rows .* to at most 107240/)
  })

  it('trains deterministically: same data, hyperparameters and seed → same model bytes; it learns the signal', async () => {
    const rand = mulberry32(9)
    const rows = 2000
    const cols = FEATURE_NAMES.length
    const x = new Float32Array(rows * cols)
    const y = new Uint8Array(rows)
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) x[r * cols + c] = rand()
      if (r % 10 === 0) x[r * cols + 3] = -1 // missing values are -1
      y[r] = rand() < (x[r * cols] ?? 0) ? 1 : 0 // depends on the first feature
    }
    const hp = { ...base.hyperparameters, iterations: 20, max_depth: 3 }
    const a = await trainModel(x, y, hp, 1, { maxInputMiB: 4.5 })
    const b = await trainModel(x, y, hp, 1, { maxInputMiB: 4.5 })
    assert.equal(a.artifact.modelSha256, b.artifact.modelSha256)
    const model = await loadModel(a.artifact)
    try {
      const p = model.predict(x, rows)
      assert.ok(auc(p, y) > 0.7)
    } finally {
      model.free()
    }
    const nan = x.slice()
    nan[5] = NaN
    await assert.rejects(trainModel(nan, y, hp, 1, { maxInputMiB: 4.5 }), /NaN.*missing values must be -1/)
  })
})

describe('flights evaluation gate and chart', () => {
  const seg = (name: string, model: number, baseline: number, production?: number): SegmentResult => ({
    segment: name,
    kind: name === 'all flights' ? 'all' : 'origin',
    rows: 1000,
    positiveRate: 0.2,
    model: { auc: model, log_loss: 0.45, accuracy: 0.8 },
    baseline: { auc: baseline, log_loss: 0.5, accuracy: 0.79 },
    ...(production !== undefined ? { production: { auc: production, log_loss: 0.45, accuracy: 0.8 } } : {}),
  })
  const criteria = base.evaluation.gate

  it('passes when every criterion holds, one reason per criterion', () => {
    const g = applyGate(seg('all flights', 0.7, 0.56), [seg('origin ORD', 0.66, 0.5)], criteria)
    assert.equal(g.passed, true)
    assert.equal(g.reasons.length, 5)
    assert.ok(g.reasons.every((r) => !r.startsWith('FAILED')))
  })

  it('fails on any criterion, naming it: no lift over the baseline, worse than production, a weak segment', () => {
    const noLift = applyGate(seg('all flights', 0.61, 0.6), [], criteria)
    assert.equal(noLift.passed, false)
    assert.ok(noLift.reasons.some((r) => r.startsWith('FAILED: auc lift over baseline')))
    const worse = applyGate(seg('all flights', 0.7, 0.56, 0.72), [], criteria, { version: 4 })
    assert.equal(worse.passed, false)
    assert.ok(worse.reasons.some((r) => r.startsWith('FAILED: auc vs production v4')))
    const weak = applyGate(seg('all flights', 0.7, 0.56), [seg('origin XYZ', 0.52, 0.5)], criteria)
    assert.ok(weak.reasons.some((r) => r.startsWith('FAILED: worst segment origin XYZ')))
  })

  it('renders AUC by segment as bars, baseline vs model (vs production)', () => {
    const overall = seg('all flights', 0.7, 0.56, 0.68)
    const text = aucChart({
      validation: { from: '2001-06-01', to: '2001-06-30', partitions: 30, rows: 1000, positiveRate: 0.2 },
      baseline: { description: BASELINE_DESCRIPTION, hours: hourRatesOf([8, 18], [0, 1]) },
      overall,
      segments: [seg('origin ORD', 0.66, 0.5, 0.65)],
      production: { version: 1 },
      criteria,
      gate: { passed: true, reasons: [] },
    })
    assert.match(text, /all flights\s+baseline\s+░+\s+0\.560/)
    assert.match(text, /model\s+█+\s+0\.700/)
    assert.match(text, /production v1 ▓+\s+0\.680/)
    assert.match(text, /origin ORD/)
  })
})
