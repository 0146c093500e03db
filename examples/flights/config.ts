/**
 * The training config: read from `training.config.json` beside this file (or
 * the file named by FLIGHTS_TRAINING_CONFIG, for tests), validated with
 * specific errors, and hashed so that assets built from it are versioned by
 * it.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface DateRange {
  /** First partition key, inclusive (yyyy-MM-dd). */
  from: string
  /** Last partition key, inclusive. */
  to: string
}

export interface Hyperparameters {
  booster: string
  objective: 'binary:logistic'
  tree_method: string
  max_depth: number
  eta: number
  iterations: number
  min_child_weight: number
  subsample: number
  colsample_bytree: number
  lambda: number
}

export interface GateCriteria {
  /** Minimum ROC AUC on the validation period. */
  min_auc: number
  /** The model must beat the baseline's AUC by at least this much. */
  min_auc_lift_over_baseline: number
  max_log_loss: number
  /** The model may not be worse than the production model (if any) by more than this AUC. */
  max_auc_drop_vs_production: number
  /** Every evaluated segment must reach this AUC. */
  min_segment_auc: number
}

export interface TrainingConfig {
  model_name: string
  model_type: 'xgboost'
  feature_set: string
  label: string
  training: DateRange
  validation: DateRange
  sample: { max_rows: number; max_input_mib: number }
  random_seed: number
  hyperparameters: Hyperparameters
  evaluation: { top_origins: number; gate: GateCriteria }
}

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('./training.config.json', import.meta.url))

export function configPath(): string {
  const override = process.env.FLIGHTS_TRAINING_CONFIG
  return override ? resolve(override) : DEFAULT_CONFIG_PATH
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** A training config that cannot be used; `code` is stable for scripts and tests. */
export class ConfigError extends Error {
  readonly code = 'FLIGHTS_INVALID_CONFIG'
  constructor(file: string, message: string) {
    super(`Training config ${file}: ${message}`)
    this.name = 'ConfigError'
  }
}

function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, stripComments(v)]))
  }
  return value
}

/** Validates a parsed config; throws naming the first bad field. */
export function validateConfig(raw: unknown, file = '(inline)'): TrainingConfig {
  const fail = (msg: string): never => {
    throw new ConfigError(file, msg)
  }
  const c = stripComments(raw) as Record<string, any>
  if (typeof c !== 'object' || c === null) fail('must be a JSON object.')
  const str = (path: string, v: unknown) => (typeof v === 'string' && v !== '' ? v : fail(`${path} must be a non-empty string.`))
  const num = (path: string, v: unknown, min = -Infinity, max = Infinity) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(`${path} must be a number in [${min}, ${max}] (got ${JSON.stringify(v)}).`)
  const int = (path: string, v: unknown, min: number) => (Number.isInteger(v) && (v as number) >= min ? (v as number) : fail(`${path} must be a whole number ≥ ${min} (got ${JSON.stringify(v)}).`))
  const range = (path: string, v: any): DateRange => {
    if (typeof v !== 'object' || v === null) fail(`${path} must be { from, to }.`)
    for (const k of ['from', 'to'] as const) if (typeof v[k] !== 'string' || !DATE.test(v[k])) fail(`${path}.${k} must be a date yyyy-MM-dd (got ${JSON.stringify(v[k])}).`)
    if (v.from > v.to) fail(`${path} is backwards: from ${v.from} is after to ${v.to}.`)
    return { from: v.from, to: v.to }
  }
  str('model_name', c.model_name)
  if (!/^[A-Za-z0-9_\-.]+$/.test(c.model_name)) fail(`model_name may only contain letters, digits, _ - . (got ${JSON.stringify(c.model_name)}).`)
  if (c.model_type !== 'xgboost') fail(`model_type must be "xgboost" (got ${JSON.stringify(c.model_type)}).`)
  str('feature_set', c.feature_set)
  str('label', c.label)
  const training = range('training', c.training)
  const validation = range('validation', c.validation)
  if (validation.from <= training.to) {
    fail(`validation (${validation.from}..${validation.to}) must start after training ends (${training.to}): evaluate on a later, held-out period, not on days the model trained on.`)
  }
  const s = c.sample ?? fail('sample must be { max_rows, max_input_mib }.')
  int('sample.max_rows', s.max_rows, 100)
  num('sample.max_input_mib', s.max_input_mib, 0.1, 4.9)
  int('random_seed', c.random_seed, 0)
  const h = c.hyperparameters ?? fail('hyperparameters are missing.')
  str('hyperparameters.booster', h.booster)
  if (h.objective !== 'binary:logistic') fail(`hyperparameters.objective must be "binary:logistic" (the label is delayed or not; got ${JSON.stringify(h.objective)}).`)
  str('hyperparameters.tree_method', h.tree_method)
  int('hyperparameters.max_depth', h.max_depth, 1)
  num('hyperparameters.eta', h.eta, 0.0001, 1)
  int('hyperparameters.iterations', h.iterations, 1)
  num('hyperparameters.min_child_weight', h.min_child_weight, 0)
  num('hyperparameters.subsample', h.subsample, 0.01, 1)
  num('hyperparameters.colsample_bytree', h.colsample_bytree, 0.01, 1)
  num('hyperparameters.lambda', h.lambda, 0)
  const e = c.evaluation ?? fail('evaluation is missing: define the gate before training.')
  int('evaluation.top_origins', e.top_origins, 1)
  const g = e.gate ?? fail('evaluation.gate is missing: define the criteria before training.')
  num('evaluation.gate.min_auc', g.min_auc, 0, 1)
  num('evaluation.gate.min_auc_lift_over_baseline', g.min_auc_lift_over_baseline, -1, 1)
  num('evaluation.gate.max_log_loss', g.max_log_loss, 0)
  num('evaluation.gate.max_auc_drop_vs_production', g.max_auc_drop_vs_production, 0, 1)
  num('evaluation.gate.min_segment_auc', g.min_segment_auc, 0, 1)
  return c as TrainingConfig
}

export function loadConfig(path = configPath()): TrainingConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(path, `cannot be read (${(err as Error).message}).`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(path, `is not valid JSON (${(err as Error).message}).`)
  }
  return validateConfig(parsed, path)
}

/** JSON with sorted keys: equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

export const hashOf = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)

/** Partition keys from..to of a daily range, inclusive. */
export function daysIn(range: DateRange): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= Date.parse(`${range.to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}
