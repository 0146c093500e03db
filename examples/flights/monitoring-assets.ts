/**
 * Monitoring of the flight-delay model over its serving period, as assets and
 * non-blocking checks (warnings: visible in `strata status`, `strata why`,
 * `strata list` and the UI through the normal check results).
 *
 *   monitoring/reference         the training distribution: quantile bins of
 *                                every feature (training/dataset) and of the
 *                                monitored model's scores on it; the
 *                                monitored model (production, else the latest
 *                                staging version); the baseline's hour table
 *   monitoring/calibration_days  daily over the TRAINING days: each measured as
 *                                a served day is (PSI per feature and of the
 *                                scores, realized AUC, accuracy, lift over the
 *                                baseline): what normal days look like
 *   monitoring/calibration       the bounds from their spread (quantile and
 *                                margin from the config), computed once
 *   monitoring/drift             daily over the serving period: PSI of each
 *                                feature and of the scores; a check per
 *                                feature and one for the scores warn above
 *                                their calibrated thresholds
 *   monitoring/performance       daily, the feedback loop: realized AUC,
 *                                accuracy and lift over the baseline on that
 *                                day's outcomes; warns below calibrated floors
 *
 * Point in time: a daily partition reads only that day's feature partition
 * (identity mapping; the engine's future-leak guard rejects anything later);
 * the reference and the calibration come from the training days only, and
 * the serving period must start after training ends (checked with the config).
 */
import type { Table } from 'apache-arrow'
import { allMapping, asset, check, dailyPartitions, output, type AssetContext, type AssetDefinition, type AutomationCondition } from 'strata-engine'
import { baselineScores, hourRatesOf, type HourRates } from './baseline.js'
import { daysIn, type TrainingConfig } from './config.js'
import { FEATURE_NAMES } from './features.js'
import { calibrate, type Calibration, type DayMeasures } from './monitoring-calibration.js'
import type { MonitoringConfig } from './monitoring-config.js'
import {
  driftOf,
  featureMatrix,
  featurePsiCheck,
  measureDay,
  modelLabel,
  performanceOf,
  predictionPsiCheck,
  realizedCheck,
  referenceOf,
  selectMonitoredVersion,
  type DayDrift,
  type DayPerformance,
  type MonitoredModel,
  type PackageLike,
  type Reference,
} from './monitoring.js'
import { loadModel, sampleIndices, type LoadedModel } from './model.js'
import { float32Column, int8Column } from './tables.js'

/** What the reference asset stores. */
export interface ReferenceValue extends Reference {
  model: MonitoredModel | null
  training: { from: string; to: string }
  /** The baseline's hour table (baseline.ts), from the same training rows as evaluation's. */
  baseline: HourRates
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
  /** When the daemon rebuilds each monitoring asset (definitions.ts: daily); none when omitted. */
  automation?: AutomationCondition
}

const loaded = new Map<string, Promise<LoadedModel>>()

/**
 * The monitored model, loaded once per worker thread (keyed by its stored,
 * content-addressed artifact) and kept for the thread's lifetime: each daily
 * step scores thousands of flights with it.
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

const dayAfter = (key: string): string => new Date(Date.parse(`${key}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

function columnsOf(table: Table, names: readonly string[]): Record<string, Float32Array> {
  return Object.fromEntries(names.map((n) => [n, float32Column(table, n)]))
}

function dayBaseline(table: Table, hours: HourRates): Float64Array {
  return baselineScores(float32Column(table, 'dep_hour'), float32Column(table, 'origin_delayed_rate_7d'), hours)
}

/** Rows `at` of a row-major matrix with `cols` columns. */
function rowsAt(x: Float32Array, cols: number, at: Uint32Array): Float32Array {
  const out = new Float32Array(at.length * cols)
  for (let j = 0; j < at.length; j++) out.set(x.subarray(at[j]! * cols, (at[j]! + 1) * cols), j * cols)
  return out
}

const pick = <T extends { length: number; [i: number]: number }>(values: T, at: Uint32Array): Float64Array => Float64Array.from(at, (i) => values[i]!)

export function monitoringAssets(o: MonitoringAssetsOptions) {
  const { config, monitoring: mon } = o
  const days = dailyPartitions({ start: mon.period.from, end: dayAfter(mon.period.to) })
  const trainingDays = dailyPartitions({ start: config.training.from, end: dayAfter(config.training.to) })
  const monitored = FEATURE_NAMES.filter((f) => !mon.ignore_features.includes(f))
  const { quantile, margin, scored_flights_per_day: perDay } = mon.calibration

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
      scores = (await monitoredModel(ctx, model)).predict(featureMatrix(dataset), dataset.numRows)
      ctx.log.info(`monitoring ${modelLabel(model)}${chosen.role === 'staging' ? ' — no production version yet, so the latest staging one' : ''}; evaluated auc ${model.evaluated.auc} on ${model.evaluated.from}..${model.evaluated.to}`)
    }
    const ref = referenceOf(columnsOf(dataset, monitored), scores, mon.bins)
    const value: ReferenceValue = { ...ref, model, training: config.training, baseline: hourRatesOf(float32Column(dataset, 'dep_hour'), int8Column(dataset, 'label_delayed')) }
    return output(value, {
      metadata: { rows: ref.rows, bins: mon.bins, model: model ? modelLabel(model) : null, monitoredRole: model?.role ?? null, evaluatedAuc: model?.evaluated.auc ?? null, training: `${config.training.from}..${config.training.to}` },
    })
  }

  /**
   * The training distribution and the monitored model. Which model is chosen
   * at build time; it reads the registry's production version (`models`), so
   * a promotion or a rollback makes it stale (`production model flight_delay
   * changed: v2 → v3`) and `materialize --stale` rebuilds it; its data version
   * changes with the model, so the calibration and every daily partition
   * follow.
   */
  const reference = asset({
    key: 'monitoring/reference',
    group: 'monitoring',
    description: `Training distribution (training/dataset, ${config.training.from}..${config.training.to}) of each feature and of the monitored model's scores, ${mon.bins} quantile bins; the monitored model (production, else latest staging); the baseline's hour table.`,
    ins: { dataset: o.trainingDataset },
    deps: [o.modelPackage],
    models: [config.model_name],
    versionInputs: { bins: mon.bins, model_name: config.model_name, ignore_features: mon.ignore_features },
    automation: o.automation,
    compute: buildReference,
  })

  const measureTrainingDay = async (ctx: AssetContext, { day, reference: ref }: { day: Table; reference: ReferenceValue }) => {
    const key = ctx.partitionKey!
    let scored: Parameters<typeof measureDay>[3] = null
    if (ref.model) {
      // A seeded sample per day: the same rows on every rebuild, different rows on different days.
      const at = sampleIndices(day.numRows, perDay, config.random_seed + Date.parse(`${key}T00:00:00Z`) / 86_400_000)
      const model = await monitoredModel(ctx, ref.model)
      const scores = model.predict(rowsAt(featureMatrix(day), FEATURE_NAMES.length, at), at.length)
      scored = { scores, labels: pick(int8Column(day, 'label_delayed'), at), baseline: pick(dayBaseline(day, ref.baseline), at) }
    }
    const m = measureDay(key, day.numRows, columnsOf(day, monitored), scored, ref)
    ctx.log.debug(`${key}: prediction PSI ${m.prediction ?? '–'}, auc ${m.auc ?? '–'} (lift ${m.lift ?? '–'}) on ${m.scored} of ${m.rows} flights`)
    return output(m, { metadata: { rows: m.rows, scored: m.scored, predictionPsi: m.prediction, auc: m.auc, lift: m.lift } })
  }

  const calibrationDays = asset({
    key: 'monitoring/calibration_days',
    group: 'monitoring',
    description: `Each training day measured as a served day is (PSI per feature and of the scores; realized AUC, accuracy and lift on ${perDay} sampled flights): what normal days look like.`,
    partitions: trainingDays,
    ins: { day: o.features, reference },
    versionInputs: { scored_flights_per_day: perDay, random_seed: config.random_seed },
    automation: o.automation,
    compute: measureTrainingDay,
  })

  const buildCalibration = (ctx: AssetContext, { days: measured }: { days: Map<string, DayMeasures> }) => {
    const c = calibrate([...measured.values()], mon.calibration)
    ctx.log.info(`thresholds from ${c.days.count} training days ${c.days.from}..${c.days.to} (quantile ${quantile}, margin ${margin}); in sample ${c.inSample.driftDays} of them exceed a drift threshold, ${c.inSample.performanceDays} a performance floor`)
    return output(c, { metadata: { days: c.days.count, quantile, margin, aucFloor: c.performance.auc?.value ?? null, liftFloor: c.performance.lift?.value ?? null, predictionPsi: c.prediction?.value ?? null, inSample: c.inSample } })
  }

  const calibration = asset({
    key: 'monitoring/calibration',
    group: 'monitoring',
    description: `Warning thresholds from the training days' own daily spread: per feature and for the scores, PSI above median + ${margin} × (q${quantile} − median); AUC, accuracy and lift below the mirror bound.`,
    ins: { days: { asset: calibrationDays, mapping: allMapping() } },
    versionInputs: { quantile, margin },
    automation: o.automation,
    compute: buildCalibration,
  })

  const scoreDay = async (ctx: AssetContext, day: Table, ref: ReferenceValue): Promise<Float64Array | null> => {
    if (!ref.model) return null
    const model = await monitoredModel(ctx, ref.model)
    return model.predict(featureMatrix(day), day.numRows)
  }

  type DayInputs = { day: Table; reference: ReferenceValue; calibration: Calibration }

  const measureDrift = async (ctx: AssetContext, { day, reference: ref, calibration: cal }: DayInputs) => {
    const scores = await scoreDay(ctx, day, ref)
    const d = driftOf(ctx.partitionKey!, columnsOf(day, monitored), scores, ref, cal, ref.model && { name: ref.model.name, version: ref.model.version, role: ref.model.role })
    ctx.log.info(`${d.day}: prediction PSI ${d.score?.value ?? '–'} (threshold ${d.score?.threshold ?? '–'}) for ${modelLabel(d.model)}; ${d.drifted.length ? `above their calibrated thresholds: ${d.drifted.join(', ')}` : 'every feature within its calibrated threshold'}`)
    return output(d, { metadata: { rows: d.rows, worst: d.worst, predictionPsi: d.score?.value ?? null, drifted: d.drifted, model: modelLabel(d.model) } })
  }

  const drift = asset({
    key: 'monitoring/drift',
    group: 'monitoring',
    description: `Daily PSI of every feature and of the monitored model's scores against the training distribution; non-blocking checks warn above thresholds calibrated on the training days (monitoring/calibration).`,
    partitions: days,
    ins: { day: o.features, reference, calibration },
    checks: [
      ...monitored.map((f) => check<DayDrift>({ name: `psi:${f}`, blocking: false, description: `PSI of ${f} against training within what training days show`, fn: (_ctx, d) => featurePsiCheck(f, d) })),
      check<DayDrift>({ name: 'psi:prediction', blocking: false, description: `PSI of the monitored model's scores within what training days show`, fn: (_ctx, d) => predictionPsiCheck(d) }),
    ],
    automation: o.automation,
    compute: measureDrift,
  })

  const measurePerformance = async (ctx: AssetContext, { day, reference: ref, calibration: cal }: DayInputs) => {
    const scores = await scoreDay(ctx, day, ref)
    const p = performanceOf(ctx.partitionKey!, scores, int8Column(day, 'label_delayed'), dayBaseline(day, ref.baseline), ref.model, cal)
    ctx.log.info(`${p.day}: ${modelLabel(p.model)} realized auc ${p.realized.auc} (floor ${p.floors.auc?.value ?? '–'}), lift over the baseline ${p.realized.lift} (floor ${p.floors.lift?.value ?? '–'}) on ${p.rows} outcomes`)
    return output(p, {
      metadata: { rows: p.rows, model: modelLabel(p.model), monitoredRole: p.model?.role ?? null, auc: p.realized.auc, accuracy: p.realized.accuracy, baselineAuc: p.realized.baseline_auc, lift: p.realized.lift, aucFloor: p.floors.auc?.value ?? null, below: p.below },
    })
  }

  const performance = asset({
    key: 'monitoring/performance',
    group: 'monitoring',
    description: `Daily realized AUC, accuracy and AUC lift over the baseline of the monitored model (production, else latest staging) on the day's actual outcomes; warns below floors calibrated on the training days.`,
    partitions: days,
    ins: { day: o.features, reference, calibration },
    checks: [
      check<DayPerformance>({ name: 'realized_auc', blocking: false, description: 'realized AUC within what training days show', fn: (_ctx, p) => realizedCheck('auc', p) }),
      check<DayPerformance>({ name: 'realized_accuracy', blocking: false, description: 'realized accuracy within what training days show', fn: (_ctx, p) => realizedCheck('accuracy', p) }),
      check<DayPerformance>({ name: 'realized_lift', blocking: false, description: 'realized AUC lift over the baseline within what training days show', fn: (_ctx, p) => realizedCheck('lift', p) }),
    ],
    automation: o.automation,
    compute: measurePerformance,
  })

  return { days, dayKeys: daysIn(mon.period), reference, calibrationDays, calibration, drift, performance }
}
