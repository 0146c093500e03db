/**
 * The `monitoring` section of the training config: the serving period that is
 * monitored daily, and how the warning thresholds are calibrated on the
 * training days. Validated with specific errors (code FLIGHTS_INVALID_CONFIG).
 *
 * The monitoring period is its own range, not the validation one: evaluation
 * judges the model once on a held-out period before it is registered;
 * monitoring watches it afterwards, day by day, while it serves. (With this
 * data both are June 2001, the only month after training; nothing requires
 * them to be equal.)
 */
import { ConfigError, type DateRange, type TrainingConfig } from './config.js'
import { FEATURE_NAMES } from './features.js'

/** How the thresholds are derived from the training days' own daily values. */
export interface CalibrationSettings {
  /**
   * Which training day bounds a normal one: 0.99 takes the 99th percentile of
   * the training days' daily PSI (and the 1st percentile of their daily AUC,
   * accuracy and lift); 1 takes the most extreme day.
   */
  quantile: number
  /**
   * Widens the band from the median training day to that quantile by this
   * factor: bound = median + margin × (quantile value − median). 1 uses the
   * quantile as it is.
   */
  margin: number
  /**
   * Flights scored per training day (a seeded sample) for the prediction PSI
   * and the realized performance. The model scores ~20 µs a flight, so all
   * 2.4 million training flights would cost ~50 s; feature PSI reads every
   * flight. A number above a day's flights scores all of them.
   */
  scored_flights_per_day: number
}

export interface MonitoringConfig {
  /** The serving period monitored, daily partitions inclusive; must start after training ends. */
  period: DateRange
  /** Quantile bins of the reference distributions. */
  bins: number
  calibration: CalibrationSettings
  /**
   * Features without a drift check. `weekday` is constant within a day, so
   * one day's PSI against the whole training period is always huge (≈ 8),
   * and a calibrated threshold would be as uninformative.
   */
  ignore_features: string[]
}

export const DEFAULT_CALIBRATION: CalibrationSettings = { quantile: 0.99, margin: 1.1, scored_flights_per_day: 4000 }

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Keys of earlier configs and what replaced them: an old config fails saying what to write instead. */
const RETIRED: Record<string, string> = {
  period: 'the period is now monitoring.from and monitoring.to',
  psi_threshold: 'PSI thresholds are calibrated per feature on the training days (monitoring.calibration: { quantile, margin })',
  max_auc_drop: 'the realized-AUC floor is calibrated on the training days’ daily AUC (monitoring.calibration)',
  max_accuracy_drop: 'the realized-accuracy floor is calibrated on the training days’ daily accuracy (monitoring.calibration)',
}

const CALIBRATION_KEYS = Object.keys(DEFAULT_CALIBRATION)

/** Validates `config.monitoring`; throws a ConfigError naming the first bad field. */
export function monitoringConfig(config: TrainingConfig & { monitoring?: unknown }, file = '(training config)'): MonitoringConfig {
  const fail = (msg: string): never => {
    throw new ConfigError(file, `monitoring${msg}`)
  }
  const m = config.monitoring as Record<string, unknown> | undefined
  if (m === undefined) fail(` is missing: give the serving period to monitor, { "from": "yyyy-MM-dd", "to": "yyyy-MM-dd" }, starting after training ends (${config.training.to}).`)
  if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(' must be an object { from, to, bins, calibration, ignore_features }.')
  const s = m as Record<string, unknown>
  for (const [key, why] of Object.entries(RETIRED)) if (key in s) fail(`.${key} is no longer read: ${why}. Remove it.`)
  for (const k of ['from', 'to'] as const) if (typeof s[k] !== 'string' || !DATE.test(s[k] as string)) fail(`.${k} must be a date yyyy-MM-dd (got ${JSON.stringify(s[k])}).`)
  const period = { from: s.from as string, to: s.to as string }
  if (period.from > period.to) fail(` is backwards: from ${period.from} is after to ${period.to}.`)
  if (period.from <= config.training.to) {
    fail(` period (${period.from}..${period.to}) must start after training ends (${config.training.to}): days the model trained on are not serving days, and the reference distribution and the calibration (the training days) would contain them — point in time.`)
  }
  const num = (path: string, v: unknown, min: number, max: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(`.${path} must be a number in [${min}, ${max}] (got ${JSON.stringify(v)}).`)
  const bins = num('bins', s.bins ?? 10, 2, 1000)
  if (!Number.isInteger(bins)) fail(`.bins must be a whole number (got ${bins}).`)
  const ignored = s.ignore_features ?? ['weekday']
  if (!Array.isArray(ignored) || ignored.some((f) => !FEATURE_NAMES.includes(f))) fail(`.ignore_features must be a list of feature names of ${FEATURE_NAMES.join(', ')} (got ${JSON.stringify(ignored)}).`)
  return { period, bins, calibration: calibrationSettings(s.calibration, fail), ignore_features: ignored as string[] }
}

function calibrationSettings(raw: unknown, fail: (msg: string) => never): CalibrationSettings {
  if (raw === undefined) return { ...DEFAULT_CALIBRATION }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`.calibration must be an object { ${CALIBRATION_KEYS.join(', ')} }.`)
  const c = raw as Record<string, unknown>
  const unknown = Object.keys(c).filter((k) => !CALIBRATION_KEYS.includes(k))
  if (unknown.length) fail(`.calibration.${unknown[0]} is not a setting (known: ${CALIBRATION_KEYS.join(', ')}).`)
  const quantile = c.quantile ?? DEFAULT_CALIBRATION.quantile
  // Below the median the "normal" band would exclude most normal days.
  if (typeof quantile !== 'number' || !(quantile >= 0.5 && quantile <= 1)) fail(`.calibration.quantile must be a number in [0.5, 1] (got ${JSON.stringify(quantile)}): 0.99 bounds a normal day by the 99th percentile of the training days, 1 by the most extreme one.`)
  const margin = c.margin ?? DEFAULT_CALIBRATION.margin
  // A margin under 1 would narrow the band: training days themselves would warn.
  if (typeof margin !== 'number' || !(margin >= 1 && margin <= 10)) fail(`.calibration.margin must be a number in [1, 10] (got ${JSON.stringify(margin)}): it widens the band between the median training day and the quantile.`)
  const scored = c.scored_flights_per_day ?? DEFAULT_CALIBRATION.scored_flights_per_day
  if (!Number.isInteger(scored) || (scored as number) < 100) fail(`.calibration.scored_flights_per_day must be a whole number ≥ 100 (got ${JSON.stringify(scored)}).`)
  return { quantile, margin, scored_flights_per_day: scored as number }
}
