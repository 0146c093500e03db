/**
 * Monitoring of the flight-delay model over its serving period, as assets and
 * non-blocking checks (warnings: visible in `strata status`, `strata why`,
 * `strata list` and the UI through the normal check results).
 *
 *   monitoring/reference    the training distribution: quantile bins of every
 *                           feature (training/dataset) and of the monitored
 *                           model's scores on it; which model is monitored
 *                           (production, else the latest staging version) and
 *                           what its evaluation measured
 *   monitoring/drift        daily: PSI of each feature and of the model's
 *                           scores, that day against the reference; a check
 *                           per feature and one for the predictions warn
 *                           above the configured threshold (0.2)
 *   monitoring/performance  daily, the feedback loop: realized AUC and
 *                           accuracy of the monitored model on that day's
 *                           actual outcomes; warns when they fall below what
 *                           its evaluation measured, minus a tolerance
 *
 * Point in time: a daily partition reads only that day's feature partition
 * (identity mapping; the engine's future-leak guard rejects anything later)
 * and the reference, which is built from the training days only — the
 * monitoring period must start after training ends (checked when the config
 * loads). The pure parts (`referenceOf`, `driftOf`, `performanceOf` and the
 * checks) take arrays and tables, so tests run them on constructed days.
 */
import type { Table } from 'apache-arrow'
import {
  asset,
  binnedDistribution,
  check,
  dailyPartitions,
  output,
  psiAgainst,
  PSI_EPSILON,
  type AssetContext,
  type AssetDefinition,
  type BinnedDistribution,
  type CheckFnResult,
  type ModelRegistryContext,
  type ModelVersion,
} from 'strata'
import { daysIn, type DateRange, type TrainingConfig } from './config.js'
import { BASELINE_FEATURE } from './evaluate.js'
import { FEATURE_NAMES, MISSING } from './features.js'
import { accuracy, auc, logLoss } from './metrics.js'
import { loadModel, toMatrix, type LoadedModel, type ModelArtifact } from './model.js'
import { float32Column, int8Column } from './tables.js'

// ---------------------------------------------------------------- config

/** The `monitoring` section of training.config.json. */
export interface MonitoringConfig {
  /** The serving period monitored, daily partitions inclusive; must start after training ends. */
  period: DateRange
  /** PSI above which a feature (or the score distribution) warns. */
  psi_threshold: number
  /** Quantile bins of the reference distributions. */
  bins: number
  /** Realized AUC may fall this far below the evaluated AUC before it warns. */
  max_auc_drop: number
  /** Realized accuracy may fall this far below the evaluated accuracy before it warns. */
  max_accuracy_drop: number
  /**
   * Features without a drift check. Default `weekday`: it is constant within
   * a day, so one day's PSI against a whole week is always huge (≈ 8).
   */
  ignore_features: string[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/**
 * Validates `config.monitoring` (specific errors, like the rest of the
 * config). Without a monitoring section (the test fixtures) the validation
 * period is monitored with the defaults below.
 */
export function monitoringConfig(config: TrainingConfig & { monitoring?: unknown }, file = '(training config)'): MonitoringConfig {
  const fail = (msg: string): never => {
    throw new Error(`Training config ${file}: monitoring.${msg}`)
  }
  const m = (config.monitoring ?? {}) as Record<string, any>
  if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(' must be an object { period, psi_threshold, bins, max_auc_drop, max_accuracy_drop }.')
  const num = (k: string, dflt: number, min: number, max: number): number => {
    const v = m[k] ?? dflt
    return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(`${k} must be a number in [${min}, ${max}] (got ${JSON.stringify(v)}).`)
  }
  const p = ((m as Record<string, any>).period ?? config.validation) as Record<string, any>
  for (const k of ['from', 'to'] as const) if (typeof p?.[k] !== 'string' || !DATE.test(p[k])) fail(`period.${k} must be a date yyyy-MM-dd (got ${JSON.stringify(p?.[k])}).`)
  if (p.from > p.to) fail(`period is backwards: from ${p.from} is after to ${p.to}.`)
  if (p.from <= config.training.to) {
    fail(`period (${p.from}..${p.to}) must start after training ends (${config.training.to}): days the model trained on are not serving days, and the reference distribution (the training days) would contain them — point-in-time.`)
  }
  const ignored = ((m as Record<string, any>).ignore_features ?? ['weekday']) as string[]
  if (!Array.isArray(ignored) || ignored.some((f) => !FEATURE_NAMES.includes(f))) fail(`ignore_features must be a list of feature names of ${FEATURE_NAMES.join(', ')} (got ${JSON.stringify(ignored)}).`)
  const bins = num('bins', 10, 2, 1000)
  if (!Number.isInteger(bins)) fail(`bins must be a whole number (got ${bins}).`)
  return {
    period: { from: p.from, to: p.to },
    psi_threshold: num('psi_threshold', 0.2, 0, 100),
    bins,
    max_auc_drop: num('max_auc_drop', 0.03, 0, 1),
    max_accuracy_drop: num('max_accuracy_drop', 0.02, 0, 1),
    ignore_features: ignored,
  }
}

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
  /** What the model's own evaluation (its evaluation report, kept in its package) measured. */
  evaluated: { from: string; to: string; auc: number | null; accuracy: number | null; log_loss: number | null; baseline_auc: number | null }
}

/** Production, else the newest staging version, else undefined. */
export async function selectMonitoredVersion(registry: Pick<ModelRegistryContext, 'production' | 'list'>, name: string): Promise<{ version: ModelVersion; role: MonitoredModel['role'] } | undefined> {
  const prod = await registry.production(name)
  if (prod) return { version: prod, role: 'production' }
  const staging = (await registry.list(name)).filter((m) => m.stage === 'staging').sort((a, b) => b.version - a.version)[0]
  return staging && { version: staging, role: 'staging' }
}

/** What models/<name> stores and registers (the part monitoring reads). */
interface PackageLike {
  model: ModelArtifact
  evaluation: { validation: { from: string; to: string }; overall: { model: Record<string, number | null>; baseline: Record<string, number | null> } }
}

const loaded = new Map<string, Promise<LoadedModel>>()

/**
 * The monitored model, loaded once per worker thread (keyed by its stored,
 * content-addressed artifact) and kept for the thread's lifetime: each daily
 * step scores ~16k flights with it.
 */
async function monitoredModel(ctx: AssetContext, m: MonitoredModel): Promise<LoadedModel> {
  const key = `${m.artifact}#${m.modelSha256}`
  let p = loaded.get(key)
  if (!p) {
    p = (async () => {
      const version = await ctx.registry.get(m.name, m.version)
      if (!version) throw new Error(`${m.name} v${m.version} (monitored by monitoring/reference) is no longer in the registry: rebuild monitoring/reference.`)
      const pkg = (await ctx.registry.loadArtifact(version)) as PackageLike
      return loadModel(pkg.model)
    })()
    loaded.set(key, p)
    p.catch(() => loaded.delete(key))
  }
  return p
}

// ---------------------------------------------------------------- pure parts

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

/** One day's drift: PSI against the reference, per feature and for the scores. */
export interface DayDrift {
  day: string
  rows: number
  threshold: number
  model: Pick<MonitoredModel, 'name' | 'version' | 'role'> | null
  features: Record<string, { psi: number; mean: number | null; referenceMean: number }>
  score: { psi: number; mean: number | null; referenceMean: number } | null
  maxFeaturePsi: number
  maxFeature: string
  /** Features (and `prediction`) whose PSI is above the threshold. */
  drifted: string[]
}

export function driftOf(day: string, columns: Record<string, ArrayLike<number>>, scores: ArrayLike<number> | null, reference: Reference, threshold: number, model: DayDrift['model'] = null): DayDrift {
  const features: DayDrift['features'] = {}
  let maxFeaturePsi = 0
  let maxFeature = ''
  let rows = 0
  for (const [name, ref] of Object.entries(reference.features)) {
    const values = columns[name]
    if (!values) throw new Error(`drift: the day has no column ${name}, which the reference has.`)
    rows = values.length
    const p = psiAgainst(ref, values, reference.epsilon)
    features[name] = { psi: r4(p)!, mean: r4(mean(values)), referenceMean: ref.mean }
    if (p > maxFeaturePsi || maxFeature === '') [maxFeaturePsi, maxFeature] = [p, name]
  }
  const score = scores && reference.score ? { psi: r4(psiAgainst(reference.score, scores, reference.epsilon))!, mean: r4(mean(scores)), referenceMean: reference.score.mean } : null
  const drifted = Object.entries(features)
    .filter(([, f]) => f.psi > threshold)
    .map(([n]) => n)
  if (score && score.psi > threshold) drifted.push('prediction')
  return { day, rows, threshold, model, features, score, maxFeaturePsi: r4(maxFeaturePsi)!, maxFeature, drifted }
}

/** One day's realized performance: the feedback loop. */
export interface DayPerformance {
  day: string
  rows: number
  positiveRate: number | null
  model: Pick<MonitoredModel, 'name' | 'version' | 'role'> | null
  /** On this day's actual outcomes (delay > 15 min). */
  realized: { auc: number | null; accuracy: number | null; log_loss: number | null; baseline_auc: number | null }
  /** What the model's evaluation measured (its held-out period), and the warning floors. */
  expected: { from: string; to: string; auc: number | null; accuracy: number | null; min_auc: number | null; min_accuracy: number | null } | null
}

export function performanceOf(
  day: string,
  scores: ArrayLike<number> | null,
  labels: ArrayLike<number>,
  baselineScores: ArrayLike<number> | null,
  model: MonitoredModel | null,
  tolerances: Pick<MonitoringConfig, 'max_auc_drop' | 'max_accuracy_drop'>,
): DayPerformance {
  let positives = 0
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0
  const e = model?.evaluated
  return {
    day,
    rows: labels.length,
    positiveRate: labels.length ? r4(positives / labels.length) : null,
    model: model && { name: model.name, version: model.version, role: model.role },
    realized: {
      auc: scores ? r4(auc(scores, labels)) : null,
      accuracy: scores ? r4(accuracy(scores, labels)) : null,
      log_loss: scores ? r4(logLoss(scores, labels)) : null,
      baseline_auc: baselineScores ? r4(auc(baselineScores, labels)) : null,
    },
    expected: e
      ? {
          from: e.from,
          to: e.to,
          auc: e.auc,
          accuracy: e.accuracy,
          min_auc: e.auc === null ? null : r4(e.auc - tolerances.max_auc_drop),
          min_accuracy: e.accuracy === null ? null : r4(e.accuracy - tolerances.max_accuracy_drop),
        }
      : null,
  }
}

// ---------------------------------------------------------------- checks (pure, exported for tests)

export function featurePsiCheck(feature: string, d: DayDrift): CheckFnResult {
  const f = d.features[feature]
  if (!f) return { passed: false, message: `no PSI for ${feature}` }
  const passed = f.psi <= d.threshold
  return {
    passed,
    message: `${feature}: PSI ${f.psi.toFixed(3)} ${passed ? '≤' : '>'} ${d.threshold} (mean ${f.mean ?? '–'} vs ${f.referenceMean} in training)`,
    metadata: { psi: f.psi, threshold: d.threshold, mean: f.mean, referenceMean: f.referenceMean },
  }
}

export function predictionPsiCheck(d: DayDrift): CheckFnResult {
  if (!d.score || !d.model) return { passed: false, message: 'no production or staging model to monitor: prediction drift not measured' }
  const passed = d.score.psi <= d.threshold
  const who = `${d.model.name} v${d.model.version} (${d.model.role})`
  return {
    passed,
    message: `scores of ${who}: PSI ${d.score.psi.toFixed(3)} ${passed ? '≤' : '>'} ${d.threshold} vs its scores on the training data (mean ${d.score.mean} vs ${d.score.referenceMean})`,
    metadata: { psi: d.score.psi, threshold: d.threshold, model: d.model },
  }
}

function floorCheck(metric: 'auc' | 'accuracy', p: DayPerformance): CheckFnResult {
  if (!p.model || !p.expected) return { passed: false, message: 'no production or staging model to monitor: no realized performance' }
  const value = p.realized[metric]
  const floor = metric === 'auc' ? p.expected.min_auc : p.expected.min_accuracy
  const evaluated = p.expected[metric]
  const who = `${p.model.name} v${p.model.version} (${p.model.role})`
  if (value === null || floor === null) return { passed: true, message: `${who}: realized ${metric} not measurable on ${p.day} (${p.rows} flights, one class only)` }
  const passed = value >= floor
  return {
    passed,
    message: `${who}: realized ${metric} ${value.toFixed(4)} on ${p.day}'s ${p.rows} outcomes ${passed ? '≥' : '<'} ${floor.toFixed(4)} (evaluated ${evaluated} on ${p.expected.from}..${p.expected.to}, minus ${(evaluated! - floor).toFixed(3)})`,
    metadata: { value, floor, evaluated, model: p.model },
  }
}

export const realizedAucCheck = (p: DayPerformance) => floorCheck('auc', p)
export const realizedAccuracyCheck = (p: DayPerformance) => floorCheck('accuracy', p)

// ---------------------------------------------------------------- assets

/** What the reference asset stores. */
export interface ReferenceValue extends Reference {
  model: MonitoredModel | null
  training: { from: string; to: string }
}

export interface MonitoringAssetsOptions {
  config: TrainingConfig
  monitoring: MonitoringConfig
  /** features/flights (daily). */
  features: AssetDefinition<any>
  /** training/dataset (the reference rows). */
  trainingDataset: AssetDefinition<any>
  /** models/<name>: monitoring runs after registration. */
  modelPackage: AssetDefinition<any>
}

const dayAfter = (key: string): string => new Date(Date.parse(`${key}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

function columnsOf(table: Table, names: readonly string[] = FEATURE_NAMES): Record<string, Float32Array> {
  return Object.fromEntries(names.map((n) => [n, float32Column(table, n)]))
}

function baselineScores(table: Table): Float64Array {
  const base = float32Column(table, BASELINE_FEATURE)
  const out = new Float64Array(base.length)
  // As in evaluate.ts: no history → the overall rate.
  for (let i = 0; i < base.length; i++) out[i] = base[i] === MISSING ? 0.2 : base[i]!
  return out
}

export function monitoringAssets(o: MonitoringAssetsOptions) {
  const { config, monitoring: mon } = o
  const days = dailyPartitions({ start: mon.period.from, end: dayAfter(mon.period.to) })
  const monitored = FEATURE_NAMES.filter((f) => !mon.ignore_features.includes(f))
  const modelLabel = (m: { name: string; version: number; role: string } | null) => (m ? `${m.name} v${m.version} (${m.role})` : 'no model')

  const buildReference = async (ctx: AssetContext, { dataset }: { dataset: Table }) => {
    const chosen = await selectMonitoredVersion(ctx.registry, config.model_name)
    let model: MonitoredModel | null = null
    let scores: Float64Array | null = null
    if (!chosen) {
      ctx.log.warn(`no production or staging version of ${config.model_name}: monitoring drift of the features only`)
    } else {
      const pkg = (await ctx.registry.loadArtifact(chosen.version)) as PackageLike
      const ev = pkg.evaluation
      model = {
        name: chosen.version.name,
        version: chosen.version.version,
        role: chosen.role,
        artifact: chosen.version.artifact!,
        modelSha256: pkg.model.modelSha256,
        evaluated: {
          from: ev.validation.from,
          to: ev.validation.to,
          auc: ev.overall.model.auc ?? null,
          accuracy: ev.overall.model.accuracy ?? null,
          log_loss: ev.overall.model.log_loss ?? null,
          baseline_auc: ev.overall.baseline.auc ?? null,
        },
      }
      const loadedModel = await monitoredModel(ctx, model)
      scores = loadedModel.predict(featureMatrix(dataset), dataset.numRows)
      ctx.log.info(`monitoring ${modelLabel(model)}${chosen.role === 'staging' ? ' — no production version yet, so the latest staging one' : ''}; evaluated auc ${model.evaluated.auc} on ${model.evaluated.from}..${model.evaluated.to}`)
    }
    const ref = referenceOf(columnsOf(dataset, monitored), scores, mon.bins)
    const value: ReferenceValue = { ...ref, model, training: config.training }
    return output(value, {
      metadata: { rows: ref.rows, bins: mon.bins, model: model ? modelLabel(model) : null, monitoredRole: model?.role ?? null, evaluatedAuc: model?.evaluated.auc ?? null, training: `${config.training.from}..${config.training.to}` },
    })
  }

  /**
   * The training distribution and the monitored model. Which model is chosen
   * at build time: after `strata models promote … production`, rebuild it
   * (`strata materialize "monitoring/reference*"`); its data version changes
   * with the model, so every daily monitoring partition becomes stale.
   */
  const reference = asset({
    key: 'monitoring/reference',
    group: 'monitoring',
    description: `Training distribution (training/dataset, ${config.training.from}..${config.training.to}) of each feature and of the monitored model's scores, ${mon.bins} quantile bins; the monitored model (production, else latest staging).`,
    ins: { dataset: o.trainingDataset },
    deps: [o.modelPackage],
    versionInputs: { bins: mon.bins, model_name: config.model_name, ignore_features: mon.ignore_features },
    compute: buildReference,
  })

  const scoreDay = async (ctx: AssetContext, day: Table, ref: ReferenceValue): Promise<Float64Array | null> => {
    if (!ref.model) return null
    const model = await monitoredModel(ctx, ref.model)
    return model.predict(featureMatrix(day), day.numRows)
  }

  const measureDrift = async (ctx: AssetContext, { day, reference: ref }: { day: Table; reference: ReferenceValue }) => {
    const scores = await scoreDay(ctx, day, ref)
    const d = driftOf(ctx.partitionKey!, columnsOf(day, monitored), scores, ref, mon.psi_threshold, ref.model && { name: ref.model.name, version: ref.model.version, role: ref.model.role })
    ctx.log.info(`${d.day}: max feature PSI ${d.maxFeaturePsi} (${d.maxFeature}), prediction PSI ${d.score?.psi ?? '–'} for ${modelLabel(d.model)}${d.drifted.length ? `; above ${mon.psi_threshold}: ${d.drifted.join(', ')}` : ''}`)
    return output(d, { metadata: { rows: d.rows, maxFeaturePsi: d.maxFeaturePsi, maxFeature: d.maxFeature, predictionPsi: d.score?.psi ?? null, drifted: d.drifted, model: modelLabel(d.model) } })
  }

  const drift = asset({
    key: 'monitoring/drift',
    group: 'monitoring',
    description: `Daily PSI of every feature and of the monitored model's scores against the training distribution; non-blocking checks warn above ${mon.psi_threshold}.`,
    partitions: days,
    ins: { day: o.features, reference },
    checks: [
      ...monitored.map((f) =>
        check<DayDrift>({ name: `psi:${f}`, blocking: false, description: `PSI of ${f} against training ≤ ${mon.psi_threshold}`, fn: (_ctx, d) => featurePsiCheck(f, d) }),
      ),
      check<DayDrift>({ name: 'psi:prediction', blocking: false, description: `PSI of the monitored model's scores against its scores on the training data ≤ ${mon.psi_threshold}`, fn: (_ctx, d) => predictionPsiCheck(d) }),
    ],
    versionInputs: { psi_threshold: mon.psi_threshold },
    compute: measureDrift,
  })

  const measurePerformance = async (ctx: AssetContext, { day, reference: ref }: { day: Table; reference: ReferenceValue }) => {
    const scores = await scoreDay(ctx, day, ref)
    const p = performanceOf(ctx.partitionKey!, scores, int8Column(day, 'label_delayed'), baselineScores(day), ref.model, mon)
    ctx.log.info(`${p.day}: ${modelLabel(p.model)} realized auc ${p.realized.auc} accuracy ${p.realized.accuracy} on ${p.rows} outcomes (evaluated auc ${p.expected?.auc ?? '–'}); baseline heuristic auc ${p.realized.baseline_auc}`)
    return output(p, { metadata: { rows: p.rows, model: modelLabel(p.model), monitoredRole: p.model?.role ?? null, auc: p.realized.auc, accuracy: p.realized.accuracy, baselineAuc: p.realized.baseline_auc, evaluatedAuc: p.expected?.auc ?? null, minAuc: p.expected?.min_auc ?? null } })
  }

  const performance = asset({
    key: 'monitoring/performance',
    group: 'monitoring',
    description: `Daily realized AUC and accuracy of the monitored model (production, else latest staging) on the day's actual outcomes; warns below its evaluated AUC − ${mon.max_auc_drop} or accuracy − ${mon.max_accuracy_drop}.`,
    partitions: days,
    ins: { day: o.features, reference },
    checks: [
      check<DayPerformance>({ name: 'realized_auc', blocking: false, description: `realized AUC ≥ evaluated AUC − ${mon.max_auc_drop}`, fn: (_ctx, p) => realizedAucCheck(p) }),
      check<DayPerformance>({ name: 'realized_accuracy', blocking: false, description: `realized accuracy ≥ evaluated accuracy − ${mon.max_accuracy_drop}`, fn: (_ctx, p) => realizedAccuracyCheck(p) }),
    ],
    versionInputs: { max_auc_drop: mon.max_auc_drop, max_accuracy_drop: mon.max_accuracy_drop },
    compute: measurePerformance,
  })

  return { days, dayKeys: daysIn(mon.period), reference, drift, performance }
}
