/**
 * Flight delays: an ML pipeline over 3 million real US flights (Jan–Jun 2001).
 *
 *   source/flights_file   the parquet file, observed by content hash
 *   landing/flights       decoded once into an Arrow table sorted by date
 *   raw/flights           one immutable Arrow table per day, checked by flights.contract.yaml
 *   features/flights      per flight, point-in-time features from the 7 previous days (features.ts)
 *   training/dataset      a seeded sample of the training days (training.config.json)
 *   training/model        XGBoost, trained in a worker
 *   evaluation/report     held-out later period: model vs baseline vs production, by segment, gate
 *   models/flight_delay   the model package, registered; promoted to staging if the gate passed
 *   monitoring/*          drift and realized performance against thresholds calibrated on the
 *                         training days (monitoring-assets.ts), and the shadow/canary
 *                         comparison of strata serve's logs, serving/logs (shadow-comparison.ts)
 *
 * Run it: `npm start` (examples/flights/run.ts). Inspect it:
 * `strata list -f examples/flights/definitions.ts`, `strata models list`,
 * `strata lineage training/model`. Keep it up to date: `strata daemon`
 * (the automation declared below; README.md, "Automation").
 *
 * Versions are automatic: each asset's version covers its compute function,
 * the code in this folder it uses (only the declarations it reaches, so
 * editing a function of features.ts makes stale exactly the assets that call
 * it, and everything after them; a comment changes nothing) and its
 * definition. The config sections an asset reads at run time are declared as
 * `versionInputs`, so editing the hyperparameters retrains without rebuilding
 * the dataset.
 */
import { readFileSync } from 'node:fs'
import type { Table } from 'apache-arrow'
import { asset, check, cronTickPassed, dailyPartitions, dataContract, defineDefinitions, eager, fileSensor, missing, output, schedule, stale, timeWindowMapping, type AssetContext } from 'strata-engine'
import { daysIn, hashOf, loadConfig, type TrainingConfig } from './config.js'
import { buildTrainingDataset } from './dataset.js'
import { hourRatesOf } from './baseline.js'
import { evaluate, evaluationSet, type EvaluationReport } from './evaluate.js'
import { aggregateDay, buildHistory, computeFeatures, FEATURE_NAMES, FEATURE_SET_VERSION, FEATURES, labels, profileFeature, type DayAggregate, type FeatureProfile } from './features.js'
import { defaultSourcePath, landParquet, observeSource, rowsOutside, sha256, sliceDay, type RowsOutside, type SourceObservation } from './ingest.js'
import { keyRangeMapping } from './mappings.js'
import { metricsOf, rounded } from './metrics.js'
import { monitoringAssets } from './monitoring-assets.js'
import { monitoringConfig } from './monitoring-config.js'
import { loadModel, toMatrix, trainModel, type ModelArtifact } from './model.js'
import { featuresTable, flightColumns, float32Column, int8Column } from './tables.js'
import { flightDelayServing, onlineFeaturesAsset } from './serving.js'
import { shadowComparisonAssets } from './shadow-comparison.js'

// ---------------------------------------------------------------- settings

/** Daily partitions [FIRST_DAY, END): 181 days. FLIGHTS_END shortens the range (tests use 30 days). */
export const FIRST_DAY = '2001-01-01'
export const END = process.env.FLIGHTS_END ?? '2001-07-01'
/** The source file; FLIGHTS_SOURCE points elsewhere (tests use a copy). */
export const SOURCE_PATH = process.env.FLIGHTS_SOURCE ?? defaultSourcePath()

export const config: TrainingConfig = loadConfig()
const days = dailyPartitions({ start: FIRST_DAY, end: END })
const dayKeys = days.keys()

if (config.feature_set !== FEATURE_SET_VERSION) {
  throw new Error(`The training config asks for feature set ${config.feature_set}, but features.ts computes ${FEATURE_SET_VERSION}. Update feature_set in the config (and retrain), or check out the matching code.`)
}
for (const [name, range] of [['training', config.training], ['validation', config.validation]] as const) {
  const missing = daysIn(range).filter((d) => !days.has(d))
  if (missing.length > 0) {
    throw new Error(`The training config's ${name} range ${range.from}..${range.to} includes days outside the data's partitions ${dayKeys[0]}..${dayKeys[dayKeys.length - 1]} (e.g. ${missing[0]}).`)
  }
}

// ---------------------------------------------------------------- automation (strata daemon; README.md, "Automation")

/** Every daily partition: a revised source file can change any day, and eager() looks at the latest `lookback` only. */
const everyDay = eager({ lookback: dayKeys.length })
/**
 * Weekly training, Mondays 03:00 UTC: the dataset and the model in one run.
 * They change together: evaluation/report judges the model against a baseline
 * computed from the training rows, so it must never see a new dataset with
 * the model trained on the previous one (README.md, "Automation").
 */
export const TRAINING_CRON = '0 3 * * 1'
/** Daily monitoring: 06:00 UTC. */
export const MONITORING_CRON = '0 6 * * *'

function withoutMonitoring(c: TrainingConfig): TrainingConfig {
  const { monitoring: _monitoring, ...rest } = c as TrainingConfig & { monitoring?: unknown }
  return rest
}

const dayStart = (key: string): number => Date.parse(`${key}T00:00:00Z`)

// ---------------------------------------------------------------- 1. ingestion

const observe = () => {
  const o = observeSource(SOURCE_PATH)
  return output(o, { dataVersion: o.sha256, metadata: { bytes: o.bytes, sha256: o.sha256, path: o.path } })
}

/**
 * The parquet file as the outside world hands it to us. Its data version is
 * the file's sha256, so re-observing an unchanged file changes nothing, and a
 * changed file makes everything downstream stale. `observe: true` makes every
 * `materialize --stale` (and so `npm start`) look at it again first.
 */
export const flightsFile = asset({
  key: 'source/flights_file',
  group: 'ingestion',
  description: 'vega-datasets flights-3m.parquet, observed by content hash (data version = sha256 of the file).',
  tags: { kind: 'source' },
  observe: true,
  compute: observe,
})

const land = async (ctx: AssetContext, { file }: { file: SourceObservation }) => {
  const bytes = readFileSync(file.path)
  const hash = sha256(bytes)
  if (hash !== file.sha256) {
    throw new Error(`${file.path} changed since it was observed (sha256 ${file.sha256.slice(0, 12)} then, ${hash.slice(0, 12)} now). Observe it again (npm start does, or strata materialize source/flights_file) and re-run.`)
  }
  const { table, stats } = await landParquet(bytes)
  ctx.log.info(`landed ${stats.rows.toLocaleString('en-US')} rows (${stats.firstDate} … ${stats.lastDate}), ${stats.origins} origins, decoded in ${stats.decodeMs} ms${stats.alreadySorted ? '' : ', sorted by date'}`)
  if (stats.rowsWithoutDate > 0) ctx.log.warn(`${stats.rowsWithoutDate} rows have no date: kept at the end of the landed table, in no daily partition`)
  const outside = outsidePartitions(table)
  if (outside.rows > 0) ctx.log.warn(`${describeOutside(outside)}: kept in the landed table, in no raw/flights day`)
  return output(table, {
    metadata: { ...stats, rowsOutsidePartitions: outside.rows, rowsOutsidePartitionsRange: outside.first ? `${outside.first}..${outside.last}` : null, partitionsRange: PARTITIONS_RANGE, sourceSha256: file.sha256 },
  })
}

/** What the daily partitions cover, [FIRST_DAY, END), as the inclusive range of their keys. */
const PARTITIONS_RANGE = `${dayKeys[0]}..${dayKeys[dayKeys.length - 1]}`

/** The landed rows no daily partition selects (the source runs to 2001-07-01 00:00, one instant past the last day). */
const outsidePartitions = (table: Table) => rowsOutside(table, new Date(dayStart(FIRST_DAY)), new Date(dayStart(END)))

const describeOutside = (o: RowsOutside) =>
  `${o.rows.toLocaleString('en-US')} row${o.rows === 1 ? '' : 's'} dated ${o.first === o.last ? o.first : `${o.first} … ${o.last}`} ${o.rows === 1 ? 'is' : 'are'} outside every daily partition (${PARTITIONS_RANGE})`

/** The whole file decoded ONCE into Arrow (dictionary-encoded airports, Int32 numbers), sorted by date. */
export const landing = asset({
  key: 'landing/flights',
  group: 'ingestion',
  description: 'The parquet decoded once (parquet-wasm, ZSTD) into one Arrow table sorted by date; raw/flights slices it.',
  ins: { file: flightsFile },
  checks: [
    check<Table>({
      name: 'rows_in_partitions',
      blocking: false,
      description: 'Warns when landed rows fall in no daily partition (dated outside them, or without a date): raw/flights never sees them.',
      fn: (_ctx, table) => {
        const outside = outsidePartitions(table)
        const undated = table.getChild('date')?.nullCount ?? 0
        const problems = [...(outside.rows > 0 ? [describeOutside(outside)] : []), ...(undated > 0 ? [`${undated} rows have no date`] : [])]
        return {
          passed: problems.length === 0,
          message: problems.length ? problems.join('; ') : `every dated row is in a daily partition (${PARTITIONS_RANGE})`,
          metadata: { rowsOutsidePartitions: outside.rows, before: outside.before, after: outside.after, rowsWithoutDate: undated },
        }
      },
    }),
  ],
  // What landing reports depends on the partitions' range.
  versionInputs: { partitions: { from: FIRST_DAY, end: END } },
  automation: eager(),
  compute: land,
})

const slice = (ctx: AssetContext, { landed }: { landed: Table }) => {
  const w = ctx.partitionWindow!
  const day = sliceDay(landed, w.start, w.end)
  return output(day, { metadata: { rows: day.numRows } })
}

/**
 * One day of flights, stored immutably (a new content-addressed object per
 * version; the last good one stays if the contract fails).
 */
export const rawFlights = asset({
  key: 'raw/flights',
  group: 'ingestion',
  description: "One day's flights: a zero-copy slice of the landed table by binary search on date, validated against flights.contract.yaml.",
  partitions: days,
  ins: { landed: landing },
  checks: [dataContract({ file: new URL('./flights.contract.yaml', import.meta.url), description: 'flights.contract.yaml: schema, nullability, ranges, daily row count, null rates' })],
  // Every day is re-sliced from a new landed table; a day whose rows did not change keeps its data version.
  automation: everyDay,
  compute: slice,
})

// ---------------------------------------------------------------- 2. features

// The engine shares decoded inputs between the steps of a worker (the same
// immutable Table object), so each day's aggregate is computed once per worker
// rather than once for each of the 7 days that read it.
const aggregates = new WeakMap<Table, DayAggregate>()
function dayAggregate(table: Table, dayStartMs: number): DayAggregate {
  let a = aggregates.get(table)
  if (!a || a.dayStartMs !== dayStartMs) aggregates.set(table, (a = aggregateDay(flightColumns(table), dayStartMs)))
  return a
}

const buildFeatures = (ctx: AssetContext, inputs: { today: Table; history: unknown }) => {
  // A multi-partition input arrives as a Map partition key → value, in partition order.
  const history = inputs.history as Map<string, Table>
  const asOf = ctx.partitionWindow!.start.getTime()
  const rows = flightColumns(inputs.today)
  const past = [...history].map(([key, t]) => dayAggregate(t, dayStart(key)))
  const features = computeFeatures(rows, buildHistory(past, asOf))
  const label = labels(rows)
  let positives = 0
  for (let i = 0; i < label.length; i++) positives += label[i]!
  const profile: Record<string, FeatureProfile> = {}
  for (const spec of FEATURES) profile[spec.name] = roundProfile(profileFeature(spec, features[spec.name]!))
  return output(featuresTable(rows, features, label), {
    metadata: { rows: rows.n, historyDays: past.length, historyPartitions: [...history.keys()], positiveRate: Number((positives / Math.max(1, rows.n)).toFixed(4)), featureSet: FEATURE_SET_VERSION, profile },
  })
}

const roundProfile = (p: FeatureProfile): FeatureProfile => ({
  mean: Number(p.mean.toFixed(4)),
  min: Number(p.min.toFixed(4)),
  max: Number(p.max.toFixed(4)),
  missingRate: Number(p.missingRate.toFixed(4)),
  outOfRangeRate: Number(p.outOfRangeRate.toFixed(4)),
})

/**
 * Per flight of the day: the feature set of features.ts, computed from that
 * day's schedule and the 7 previous days only. `history` is a strict
 * point-in-time input: a mapping that reached the day itself (`endOffset: 0`)
 * or a later day would be rejected when the definitions load
 * (STRATA_FUTURE_LEAK). The engine's default guard alone allows reading the
 * day's own window, which here would leak that day's delays into its
 * features; `buildHistory` re-checks it at run time.
 */
export const features = asset({
  key: 'features/flights',
  group: 'features',
  description: `Feature set ${FEATURE_SET_VERSION} (${FEATURE_NAMES.join(', ')}) and the label delay > 15 min; history from the 7 previous days only.`,
  partitions: days,
  ins: {
    today: rawFlights,
    history: { asset: rawFlights, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }), pointInTime: 'strict' },
  },
  checks: [
    check<Table>({
      name: 'well_formed',
      description: 'Every feature column present, no NaN (ml-xgboost aborts on NaN), labels 0/1.',
      fn: (_ctx, table) => {
        for (const name of FEATURE_NAMES) {
          const col = float32Column(table, name)
          for (let i = 0; i < col.length; i++) if (Number.isNaN(col[i]!)) return { passed: false, message: `${name} is NaN at row ${i}` }
        }
        const y = int8Column(table, 'label_delayed')
        for (let i = 0; i < y.length; i++) if (y[i] !== 0 && y[i] !== 1) return { passed: false, message: `label_delayed is ${y[i]} at row ${i}` }
        return { passed: true, message: `${table.numRows} rows × ${FEATURE_NAMES.length} features` }
      },
    }),
    check<Table>({
      name: 'documented_ranges',
      blocking: false,
      description: 'Drift monitor: each feature within the range documented in features.ts, missing only before history exists.',
      fn: (ctx, table) => {
        const problems: string[] = []
        const firstDay = ctx.partitionKey === dayKeys[0]
        for (const spec of FEATURES) {
          const p = profileFeature(spec, float32Column(table, spec.name))
          if (p.outOfRangeRate > 0) problems.push(`${spec.name}: ${(p.outOfRangeRate * 100).toFixed(2)}% outside [${spec.range.join(', ')}]`)
          if (!firstDay && p.missingRate > spec.maxMissingRate) problems.push(`${spec.name}: ${(p.missingRate * 100).toFixed(2)}% missing (max ${spec.maxMissingRate * 100}%)`)
        }
        return { passed: problems.length === 0, message: problems.length ? problems.join('; ') : 'all features within their documented ranges', metadata: { problems } }
      },
    }),
  ],
  // Only the days whose own rows or 7-day history got a new data version.
  automation: everyDay,
  compute: buildFeatures,
})

// ---------------------------------------------------------------- 3. training

const buildDataset = (ctx: AssetContext, inputs: { features: unknown }) => {
  const { table, stats } = buildTrainingDataset(inputs.features as Map<string, Table>, config)
  ctx.log.info(`sampled ${stats.rows.toLocaleString('en-US')} of ${stats.sampledFrom.toLocaleString('en-US')} rows from ${stats.partitions} days (${stats.firstPartition}..${stats.lastPartition}), seed ${stats.seed}, ${stats.trainingInputMiB} MiB of training input`)
  return output(table, { metadata: { ...stats, featureSet: FEATURE_SET_VERSION, features: [...FEATURE_NAMES] } })
}

const datasetSettings = { feature_set: config.feature_set, training: config.training, sample: config.sample, random_seed: config.random_seed }

/** The exact rows the model trains on: rebuildable from the config (same feature data versions → same data version). */
export const trainingDataset = asset({
  key: 'training/dataset',
  group: 'training',
  description: `A seeded sample (seed ${config.random_seed}, ≤ ${config.sample.max_rows} rows) of features/flights over the training days ${config.training.from}..${config.training.to}.`,
  ins: { features: { asset: features, mapping: keyRangeMapping(config.training, 'training') } },
  versionInputs: datasetSettings,
  compute: buildDataset,
})

/** The parts of the config that determine the trained model (the evaluation criteria do not). */
export type ModelConfig = Pick<TrainingConfig, 'model_name' | 'model_type' | 'feature_set' | 'label' | 'training' | 'sample' | 'random_seed' | 'hyperparameters'>
const modelConfig: ModelConfig = {
  model_name: config.model_name,
  model_type: config.model_type,
  feature_set: config.feature_set,
  label: config.label,
  training: config.training,
  sample: config.sample,
  random_seed: config.random_seed,
  hyperparameters: config.hyperparameters,
}

/** What training/model stores: the model with its config and training record. */
export interface TrainedModel extends ModelArtifact {
  modelName: string
  config: ModelConfig
  configHash: string
  training: {
    rows: number
    positiveRate: number
    partitions: { from: string; to: string; count: number }
    /** In-sample metrics on the training rows (for sanity; judge the model by evaluation/report). */
    metrics: Record<string, number | null>
    wallTimeMs: number
    /** The version of training/model that trained it (ctx.codeVersion): its code, definition and config. */
    codeVersion?: string
  }
}

const train = async (ctx: AssetContext, { dataset }: { dataset: Table }) => {
  const rows = dataset.numRows
  const x = toMatrix(
    FEATURE_NAMES.map((n) => float32Column(dataset, n)),
    rows,
  )
  const y = int8Column(dataset, 'label_delayed')
  const hp = config.hyperparameters
  ctx.log.info(`training XGBoost (${hp.tree_method}, ${hp.iterations} rounds, depth ${hp.max_depth}, eta ${hp.eta}) on ${rows.toLocaleString('en-US')} rows × ${FEATURE_NAMES.length} features`)
  const { artifact, wallTimeMs } = await trainModel(x, y, hp, config.random_seed, { maxInputMiB: config.sample.max_input_mib, log: (line) => ctx.log.debug(line) })
  const model = await loadModel(artifact)
  const inSample = rounded(metricsOf(model.predict(x, rows), y))
  model.free()
  let positives = 0
  for (let i = 0; i < rows; i++) positives += y[i]!
  const value: TrainedModel = {
    ...artifact,
    modelName: config.model_name,
    config: modelConfig,
    configHash: hashOf(modelConfig),
    training: {
      rows,
      positiveRate: Number((positives / rows).toFixed(4)),
      partitions: { from: config.training.from, to: config.training.to, count: daysIn(config.training).length },
      metrics: inSample,
      wallTimeMs: Math.round(wallTimeMs),
      codeVersion: ctx.codeVersion,
    },
  }
  ctx.log.info(`trained in ${(wallTimeMs / 1000).toFixed(1)} s; in-sample auc ${inSample.auc}`)
  // The data version is the model's identity (bytes + config), not the stored JSON: the wall time differs between identical retrains.
  return output(value, {
    dataVersion: hashOf({ model: artifact.modelSha256, config: value.configHash, features: artifact.featureNames }),
    metadata: { modelSha256: artifact.modelSha256, trainingWallTimeMs: Math.round(wallTimeMs), rows, inSampleAuc: inSample.auc, modelBytes: Math.round((artifact.modelBase64.length * 3) / 4) },
  })
}


/** XGBoost trained on training/dataset inside a worker thread; stores the model, its config, training metrics and wall time. */
export const trainedModel = asset({
  key: 'training/model',
  group: 'training',
  description: `XGBoost (${config.hyperparameters.iterations} rounds, depth ${config.hyperparameters.max_depth}) predicting delay > 15 min.`,
  ins: { dataset: trainingDataset },
  versionInputs: modelConfig,
  compute: train,
})

// ---------------------------------------------------------------- 4. evaluation

const evaluateModel = async (ctx: AssetContext, inputs: { model: TrainedModel; training: Table; validation: unknown }) => {
  const days = inputs.validation as Map<string, Table>
  // The baseline's hour table comes from the training rows, as the model does.
  const hours = hourRatesOf(float32Column(inputs.training, 'dep_hour'), int8Column(inputs.training, 'label_delayed'))
  const set = evaluationSet([...days.values()], hours)
  const model = await loadModel(inputs.model)
  let production: { version: number; model: Awaited<ReturnType<typeof loadModel>> } | undefined
  const current = await ctx.registry.production(config.model_name)
  if (current) {
    try {
      const pkg = (await ctx.registry.loadArtifact(current)) as ModelPackage
      production = { version: current.version, model: await loadModel(pkg.model) }
    } catch (err) {
      ctx.log.warn(`production model v${current.version} cannot be scored on these features (${(err as Error).message}); comparing with the baseline only`)
    }
  }
  try {
    const started = performance.now()
    const report = evaluate(set, model, {
      range: config.validation,
      hours,
      partitions: days.size,
      criteria: config.evaluation.gate,
      topOrigins: config.evaluation.top_origins,
      production,
    })
    const evaluationMs = Math.round(performance.now() - started)
    const o = report.overall
    ctx.log.info(`validation ${config.validation.from}..${config.validation.to}: ${set.rows.toLocaleString('en-US')} flights; auc ${o.model.auc} vs baseline ${o.baseline.auc}${o.production ? ` vs production v${production!.version} ${o.production.auc}` : ''}`)
    for (const r of report.gate.reasons) ctx.log.info(`gate: ${r}`)
    // The wall time goes in metadata: in the value it would change the data version of an identical report (and rebuild and re-register everything after it).
    return output(report, { metadata: { auc: o.model.auc, baselineAuc: o.baseline.auc, logLoss: o.model.log_loss, accuracy: o.model.accuracy, gatePassed: report.gate.passed, rows: set.rows, evaluationMs } })
  } finally {
    model.free()
    production?.model.free()
  }
}

const evaluationSettings = { validation: config.validation, evaluation: config.evaluation, model_name: config.model_name }

/**
 * The held-out later period (not a random split): AUC, log loss and accuracy
 * of the model, the baseline (baseline.ts: the departure hour's delayed rate
 * over the training rows, then the origin's 7-day delayed rate) and the
 * production model, overall and by segment, and the gate decided in the
 * config before training.
 */
export const evaluationReport = asset({
  key: 'evaluation/report',
  group: 'evaluation',
  description: `Model vs baseline vs production on ${config.validation.from}..${config.validation.to}, by top origins and hour bands; gate from the training config.`,
  ins: { model: trainedModel, training: trainingDataset, validation: { asset: features, mapping: keyRangeMapping(config.validation, 'validation') } },
  versionInputs: evaluationSettings,
  // After each training (once the weekly run has ended), and when a validation day gets new data.
  automation: eager(),
  compute: evaluateModel,
})

// ---------------------------------------------------------------- 5. registry

/** A registered version's artifact: everything needed to serve and audit the model. */
export interface ModelPackage {
  name: string
  featureSet: string
  featureNames: string[]
  model: ModelArtifact
  /** The whole config in force at registration (the model's part is `model.config`). */
  config: TrainingConfig
  configHash: string
  training: TrainedModel['training']
  evaluation: Pick<EvaluationReport, 'validation' | 'baseline' | 'overall' | 'gate'>
  codeVersions: Record<string, string>
}

const register = (ctx: AssetContext, { model, report }: { model: TrainedModel; report: EvaluationReport }) => {
  const { modelName, config: trainedWith, configHash: modelConfigHash, training, ...artifact } = model
  if (modelConfigHash !== hashOf(modelConfig)) {
    throw new Error(`training/model was trained with another config (${modelConfigHash} ≠ ${hashOf(modelConfig)}): it is stale. Materialize it first, e.g. strata materialize "*models/${config.model_name}" --stale.`)
  }
  void trainedWith
  const cfg = config
  const configHash = hashOf(cfg)
  // Registered with the model: the versions of the training and of this registration (the engine records every upstream's in the lineage).
  const codeVersions = { 'training/model': training.codeVersion ?? 'unknown', [ctx.assetKey]: ctx.codeVersion }
  const pkg: ModelPackage = {
    name: modelName,
    featureSet: artifact.featureSet,
    featureNames: artifact.featureNames,
    model: artifact,
    config: cfg,
    configHash,
    training,
    evaluation: { validation: report.validation, baseline: report.baseline, overall: report.overall, gate: report.gate },
    codeVersions,
  }
  const o = report.overall
  ctx.registry.register({
    name: modelName,
    description: `XGBoost delay > 15 min, feature set ${artifact.featureSet}, trained on ${training.partitions.from}..${training.partitions.to}`,
    metrics: {
      auc: o.model.auc,
      log_loss: o.model.log_loss,
      accuracy: o.model.accuracy,
      baseline_auc: o.baseline.auc,
      auc_lift_over_baseline: o.model.auc !== null && o.baseline.auc !== null ? Number((o.model.auc - o.baseline.auc).toFixed(4)) : null,
      ...(o.production ? { production_auc: o.production.auc, compared_with_version: report.production?.version ?? null } : {}),
      validation_rows: report.validation.rows,
      train_rows: training.rows,
      train_in_sample_auc: training.metrics.auc,
      training_wall_time_ms: training.wallTimeMs,
      segments: Object.fromEntries(report.segments.map((s) => [s.segment, { auc: s.model.auc, baseline_auc: s.baseline.auc, rows: s.rows }])),
    },
    config: { ...cfg, config_hash: configHash, model_config_hash: modelConfigHash, feature_names: artifact.featureNames, model_sha256: artifact.modelSha256 },
    gate: report.gate,
    lineage: {
      training: { from: training.partitions.from, to: training.partitions.to, partitions: training.partitions.count, rows: training.rows, seed: cfg.random_seed },
      validation: { from: report.validation.from, to: report.validation.to, partitions: report.validation.partitions, rows: report.validation.rows },
      featureSet: artifact.featureSet,
      codeVersions,
    },
    codeVersion: training.codeVersion ?? ctx.codeVersion,
    stage: report.gate.passed ? 'staging' : 'development',
  })
  if (report.gate.passed) ctx.log.info(`gate passed: registering ${modelName} and promoting it to staging`)
  else ctx.log.warn(`gate failed: registering ${modelName} in development, not promoted — ${report.gate.reasons.filter((r) => r.startsWith('FAILED')).join('; ')}`)
  // The package's data version leaves out the training wall time, which differs between identical trainings: an identical
  // retrain keeps the data version, and the registry recognises the version it repeats instead of registering a copy.
  const { wallTimeMs: _wallTime, ...trainingRecord } = training
  return output(pkg, {
    dataVersion: hashOf({ ...pkg, training: trainingRecord }),
    metadata: { gatePassed: report.gate.passed, auc: o.model.auc, modelSha256: artifact.modelSha256 },
  })
}

/**
 * The model package, registered in the model registry with its config,
 * metrics, lineage (the engine adds the exact upstream materializations: the
 * model, the evaluation and the training dataset, with data versions) and
 * code version: promoted to staging when the gate passed, left in development
 * (with the reasons) when it did not. Production is a deliberate step:
 * `strata models promote flight_delay <version> production`.
 */
export const modelPackage = asset({
  key: `models/${config.model_name}`,
  group: 'registry',
  description: 'The registered model package (model + config + evaluation); staging if the gate passed.',
  tags: { kind: 'model' },
  ins: { model: trainedModel, report: evaluationReport },
  // Not loaded: listed so that the registered lineage names the exact training data (its data version).
  deps: [trainingDataset],
  // The monitoring section does not determine the model: editing it must not re-register one.
  versionInputs: { config: withoutMonitoring(config) },
  automation: eager(),
  compute: register,
})

// ---------------------------------------------------------------- 6. monitoring (monitoring-assets.ts)

/** The serving period, daily: drift (PSI) of features and scores, and realized performance on the day's outcomes. */
export const monitoring = monitoringConfig(config)
{
  const missing = daysIn(monitoring.period).filter((d) => !days.has(d))
  if (missing.length > 0) throw new Error(`The training config's monitoring period ${monitoring.period.from}..${monitoring.period.to} includes days outside the data's partitions ${dayKeys[0]}..${dayKeys[dayKeys.length - 1]} (e.g. ${missing[0]}).`)
}
// Monitoring each morning: whatever of it is stale or missing. onCron() would wait for every upstream to be updated
// after the tick, and the reference and the calibration change only with a new model.
export const {
  reference: monitoringReference,
  calibrationDays: monitoringCalibrationDays,
  calibration: monitoringCalibration,
  drift: monitoringDrift,
  performance: monitoringPerformance,
} = monitoringAssets({ config, monitoring, features, trainingDataset, modelPackage, automation: cronTickPassed(MONITORING_CRON).and(stale().or(missing())) })

/** strata serve's shadow/canary logs (observed) and their comparison on the real outcomes (shadow-comparison.ts). */
export const { servingLogs, shadowComparison } = shadowComparisonAssets({ config, monitoring, rawFlights })

const modelAssets = [flightsFile, landing, rawFlights, features, trainingDataset, trainedModel, evaluationReport, modelPackage]
const all = [...modelAssets, monitoringReference, monitoringCalibrationDays, monitoringCalibration, monitoringDrift, monitoringPerformance, servingLogs, shadowComparison]

// ---------------------------------------------------------------- 7. serving (serving.ts)

/** The online feature store read by `strata serve`: the last days' aggregates, from the same feature module as training. */
export const onlineFeatures = onlineFeaturesAsset({ rawFlights, dayKeys, automation: eager() })

export default defineDefinitions({
  assets: [...all, onlineFeatures],
  serving: { [config.model_name]: flightDelayServing(onlineFeatures) },
  // A changed file is observed (source/flights_file); eager() takes it from there.
  sensors: [fileSensor({ name: 'flights_file', path: SOURCE_PATH, target: 'source/flights_file', intervalSeconds: 10 })],
  schedules: [schedule({ name: 'weekly_training', cron: TRAINING_CRON, target: 'training/dataset training/model' })],
})
