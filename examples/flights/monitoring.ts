/**
 * Monitoring of the flight-delay model, the pure parts: which model is
 * monitored, the reference distribution, what a day measures (PSI of each
 * feature and of the scores, realized AUC, accuracy and lift over the
 * baseline), the day reports against calibrated bounds, and their checks.
 * The assets are in monitoring-assets.ts, the bounds' arithmetic in
 * monitoring-calibration.ts; everything here takes arrays and tables, so
 * tests run it on constructed days.
 */
import type { Table } from 'apache-arrow'
import { binnedDistribution, psiAgainst, PSI_EPSILON, type BinnedDistribution, type CheckFnResult, type ModelRegistryContext, type ModelVersion } from 'strata-engine'
import { FEATURE_NAMES } from './features.js'
import { accuracy, auc, logLoss } from './metrics.js'
import { outside, PERFORMANCE_METRICS, type Bound, type Calibration, type DayMeasures, type PerformanceMetric } from './monitoring-calibration.js'
import { toMatrix, type ModelArtifact } from './model.js'
import { float32Column } from './tables.js'

export { monitoringConfig, type MonitoringConfig, type CalibrationSettings } from './monitoring-config.js'

// ---------------------------------------------------------------- which model

/** The model monitored, and why that one. */
export interface MonitoredModel {
  name: string
  version: number
  /** `production`, or `staging` when there is no production version (the latest staging one). */
  role: 'production' | 'staging'
  /** The registered artifact (a stored object of this home). */
  artifact: string
  modelSha256: string
  /** What the model's own evaluation (its evaluation report, kept in its package) measured: context, not a threshold. */
  evaluated: { from: string; to: string; auc: number | null; accuracy: number | null; log_loss: number | null; baseline_auc: number | null }
}

export type ModelLabel = Pick<MonitoredModel, 'name' | 'version' | 'role'>

/** Production, else the newest staging version, else undefined. */
export async function selectMonitoredVersion(registry: Pick<ModelRegistryContext, 'production' | 'list'>, name: string): Promise<{ version: ModelVersion; role: MonitoredModel['role'] } | undefined> {
  const prod = await registry.production(name)
  if (prod) return { version: prod, role: 'production' }
  const staging = (await registry.list(name)).filter((m) => m.stage === 'staging').sort((a, b) => b.version - a.version)[0]
  return staging && { version: staging, role: 'staging' }
}

/** What models/<name> stores and registers (the part monitoring reads). */
export interface PackageLike {
  model: ModelArtifact
  evaluation: { validation: { from: string; to: string }; overall: { model: Record<string, number | null>; baseline: Record<string, number | null> } }
}

export const modelLabel = (m: ModelLabel | null): string => (m ? `${m.name} v${m.version} (${m.role})` : 'no model')

// ---------------------------------------------------------------- reference

/** Feature columns of a features/flights (or training/dataset) table as a row-major matrix. */
export function featureMatrix(table: Table): Float32Array {
  return toMatrix(
    FEATURE_NAMES.map((n) => float32Column(table, n)),
    table.numRows,
  )
}

/** The reference: per feature and for the scores, quantile bins and shares over the training rows. */
export interface Reference {
  rows: number
  bins: number
  epsilon: number
  features: Record<string, BinnedDistribution & { mean: number }>
  /** The monitored model's scores on the same rows; null when no model is monitored. */
  score: (BinnedDistribution & { mean: number }) | null
}

const mean = (x: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i]!
  return x.length ? s / x.length : NaN
}
const r4 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(4)) : null)

export function referenceOf(columns: Record<string, ArrayLike<number>>, scores: ArrayLike<number> | null, bins: number): Reference {
  const features: Reference['features'] = {}
  let rows = 0
  for (const [name, values] of Object.entries(columns)) {
    features[name] = { ...binnedDistribution(values, bins), mean: r4(mean(values)) ?? NaN }
    rows = values.length
  }
  return { rows, bins, epsilon: PSI_EPSILON, features, score: scores ? { ...binnedDistribution(scores, bins), mean: r4(mean(scores)) ?? NaN } : null }
}

// ---------------------------------------------------------------- what a day measures

/** PSI of each reference feature, rounded as reports store it. */
export function featurePsi(columns: Record<string, ArrayLike<number>>, reference: Reference): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, ref] of Object.entries(reference.features)) {
    const values = columns[name]
    if (!values) throw new Error(`drift: the day has no column ${name}, which the reference has.`)
    out[name] = r4(psiAgainst(ref, values, reference.epsilon))!
  }
  return out
}

export interface Realized {
  auc: number | null
  accuracy: number | null
  log_loss: number | null
  baseline_auc: number | null
  /** auc − baseline_auc: what the model adds over the baseline (baseline.ts) that day. */
  lift: number | null
}

/** The model's and the baseline's results on the day's outcomes (null where one class is missing). */
export function realizedOf(scores: ArrayLike<number> | null, labels: ArrayLike<number>, baseline: ArrayLike<number> | null): Realized {
  const a = scores ? r4(auc(scores, labels)) : null
  const b = baseline ? r4(auc(baseline, labels)) : null
  return {
    auc: a,
    accuracy: scores ? r4(accuracy(scores, labels)) : null,
    log_loss: scores ? r4(logLoss(scores, labels)) : null,
    baseline_auc: b,
    lift: a !== null && b !== null ? r4(a - b) : null,
  }
}

/** Everything calibration needs from one day (a training day, or a held-out one in tests). */
export function measureDay(
  day: string,
  rows: number,
  columns: Record<string, ArrayLike<number>>,
  scored: { scores: ArrayLike<number>; labels: ArrayLike<number>; baseline: ArrayLike<number> } | null,
  reference: Reference,
): DayMeasures {
  const r = scored ? realizedOf(scored.scores, scored.labels, scored.baseline) : null
  return {
    day,
    rows,
    scored: scored ? scored.scores.length : 0,
    features: featurePsi(columns, reference),
    prediction: scored && reference.score ? r4(psiAgainst(reference.score, scored.scores, reference.epsilon)) : null,
    auc: r?.auc ?? null,
    accuracy: r?.accuracy ?? null,
    baseline_auc: r?.baseline_auc ?? null,
    lift: r?.lift ?? null,
  }
}

// ---------------------------------------------------------------- served days: drift

/** A measurement against its calibrated bound. */
export interface Judged {
  value: number
  /** The bound it is held to, and where it came from; null when the training days did not measure it. */
  threshold: number | null
  calibrated: string | null
}

const judged = (value: number, bound: Bound | null): Judged => ({ value, threshold: bound?.value ?? null, calibrated: bound?.source ?? null })

/** One served day's drift: PSI against the reference, per feature and for the scores, each against its calibrated threshold. */
export interface DayDrift {
  day: string
  rows: number
  model: ModelLabel | null
  features: Record<string, Judged & { mean: number | null; referenceMean: number }>
  score: (Judged & { mean: number | null; referenceMean: number }) | null
  /** The feature whose PSI is largest relative to its threshold. */
  worst: { feature: string; psi: number; threshold: number | null } | null
  /** Features (and `prediction`) above their thresholds. */
  drifted: string[]
  /** The training days the thresholds come from. */
  calibration: Calibration['days'] & Pick<Calibration['settings'], 'quantile' | 'margin'>
}

export function driftOf(day: string, columns: Record<string, ArrayLike<number>>, scores: ArrayLike<number> | null, reference: Reference, calibration: Calibration, model: ModelLabel | null = null): DayDrift {
  const psis = featurePsi(columns, reference)
  const features: DayDrift['features'] = {}
  let worst: DayDrift['worst'] = null
  let worstRatio = -Infinity
  let rows = 0
  for (const [name, value] of Object.entries(psis)) {
    const bound = calibration.features[name] ?? null
    features[name] = { ...judged(value, bound), mean: r4(mean(columns[name]!)), referenceMean: reference.features[name]!.mean }
    rows = columns[name]!.length
    const ratio = bound ? value / Math.max(bound.value, 1e-9) : value
    if (ratio > worstRatio) [worst, worstRatio] = [{ feature: name, psi: value, threshold: bound?.value ?? null }, ratio]
  }
  const score = scores && reference.score ? { ...judged(r4(psiAgainst(reference.score, scores, reference.epsilon))!, calibration.prediction), mean: r4(mean(scores)), referenceMean: reference.score.mean } : null
  const drifted = Object.entries(features)
    .filter(([name, f]) => outside(f.value, calibration.features[name] ?? null))
    .map(([name]) => name)
  if (score && outside(score.value, calibration.prediction)) drifted.push('prediction')
  const { quantile, margin } = calibration.settings
  return { day, rows, model, features, score, worst, drifted, calibration: { ...calibration.days, quantile, margin } }
}

// ---------------------------------------------------------------- served days: realized performance

/** One served day's realized performance: the feedback loop. */
export interface DayPerformance {
  day: string
  rows: number
  positiveRate: number | null
  model: ModelLabel | null
  /** On this day's actual outcomes (delay > 15 min). */
  realized: Realized
  /** The calibrated floors (from the training days' daily values) of AUC, accuracy and lift. */
  floors: Record<PerformanceMetric, { value: number; calibrated: string } | null>
  /** Metrics below their floors. */
  below: PerformanceMetric[]
  /** What the model's evaluation measured on its held-out period (context; the floors are calibrated). */
  evaluated: MonitoredModel['evaluated'] | null
}

export function performanceOf(day: string, scores: ArrayLike<number> | null, labels: ArrayLike<number>, baseline: ArrayLike<number> | null, model: MonitoredModel | null, calibration: Calibration): DayPerformance {
  let positives = 0
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0
  const realized = realizedOf(scores, labels, baseline)
  const floors = Object.fromEntries(
    PERFORMANCE_METRICS.map((k) => {
      const b = calibration.performance[k]
      return [k, b ? { value: b.value, calibrated: b.source } : null]
    }),
  ) as DayPerformance['floors']
  return {
    day,
    rows: labels.length,
    positiveRate: labels.length ? r4(positives / labels.length) : null,
    model: model && { name: model.name, version: model.version, role: model.role },
    realized,
    floors,
    below: model ? PERFORMANCE_METRICS.filter((k) => outside(realized[k], calibration.performance[k])) : [],
    evaluated: model?.evaluated ?? null,
  }
}

// ---------------------------------------------------------------- checks (pure, exported for tests)

function psiMessage(what: string, j: Judged, passed: boolean, means: string): string {
  if (j.threshold === null) return `${what}: PSI ${j.value.toFixed(3)}, no calibrated threshold (the training days did not measure it)${means}`
  return `${what}: PSI ${j.value.toFixed(3)} ${passed ? '≤' : '>'} ${j.threshold} (${j.calibrated})${means}`
}

export function featurePsiCheck(feature: string, d: DayDrift): CheckFnResult {
  const f = d.features[feature]
  if (!f) return { passed: false, message: `no PSI for ${feature}` }
  const passed = !d.drifted.includes(feature)
  return {
    passed,
    message: psiMessage(feature, f, passed, `; mean ${f.mean ?? '–'} vs ${f.referenceMean} in training`),
    metadata: { psi: f.value, threshold: f.threshold, calibrated: f.calibrated, mean: f.mean, referenceMean: f.referenceMean },
  }
}

export function predictionPsiCheck(d: DayDrift): CheckFnResult {
  if (!d.score || !d.model) return { passed: false, message: 'no production or staging model to monitor: prediction drift not measured' }
  const passed = !d.drifted.includes('prediction')
  return {
    passed,
    message: psiMessage(`scores of ${modelLabel(d.model)}`, d.score, passed, ` vs its scores on the training rows; mean ${d.score.mean} vs ${d.score.referenceMean}`),
    metadata: { psi: d.score.value, threshold: d.score.threshold, calibrated: d.score.calibrated, model: d.model },
  }
}

export function realizedCheck(metric: PerformanceMetric, p: DayPerformance): CheckFnResult {
  if (!p.model) return { passed: false, message: 'no production or staging model to monitor: no realized performance' }
  const value = p.realized[metric]
  const floor = p.floors[metric]
  const who = modelLabel(p.model)
  const name = metric === 'lift' ? 'AUC lift over the baseline' : metric === 'auc' ? 'AUC' : 'accuracy'
  if (value === null) return { passed: true, message: `${who}: realized ${name} not measurable on ${p.day} (${p.rows} flights, one class only)` }
  if (floor === null) return { passed: true, message: `${who}: realized ${name} ${value.toFixed(4)} on ${p.day}; no calibrated floor (the training days did not measure it)` }
  const passed = !p.below.includes(metric)
  return {
    passed,
    message: `${who}: realized ${name} ${value.toFixed(4)} on ${p.day}'s ${p.rows} outcomes ${passed ? '≥' : '<'} ${floor.value.toFixed(4)} (${floor.calibrated})`,
    metadata: { value, floor: floor.value, calibrated: floor.calibrated, model: p.model },
  }
}
