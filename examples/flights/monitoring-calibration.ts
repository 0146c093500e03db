/**
 * Calibrated monitoring thresholds: each bound comes from the spread of the
 * same daily measurement over the training days.
 *
 * Why: one day's history features are a narrow slice of the pooled training
 * distribution (they carry that week's system-wide delay level, the same for
 * every flight of the day), so a fixed PSI threshold of 0.2 fires on every
 * training day as well as on every served day, and a realized-AUC floor of
 * "pooled AUC minus a constant" sits inside the normal day-to-day spread.
 * Measured the same way on the training days, "normal" is what those days
 * look like; a served day warns only when it is outside that.
 *
 * A bound is median + margin × (q − median), with q the training days'
 * quantile (upper, e.g. p99, for PSI; lower, e.g. p01, for AUC, accuracy and
 * lift). Quantiles interpolate linearly between order statistics (the usual
 * "type 7" definition): with 144 days, p99 lies between the two largest.
 * Pure: tests calibrate on some days and judge others.
 */
import type { CalibrationSettings } from './monitoring-config.js'

/** What one day measures, served or training day alike (monitoring.ts computes it). */
export interface DayMeasures {
  day: string
  /** Flights that day. */
  rows: number
  /** Flights scored (a seeded sample on training days; every flight on served days). */
  scored: number
  /** PSI of each monitored feature against the reference. */
  features: Record<string, number>
  /** PSI of the monitored model's scores against its scores on the training rows; null without a model. */
  prediction: number | null
  /** Realized on the day's outcomes; null without a model or when the day has one class only. */
  auc: number | null
  accuracy: number | null
  baseline_auc: number | null
  /** auc − baseline_auc. */
  lift: number | null
}

/** One threshold and where it came from. */
export interface Bound {
  /** A served day warns above it (`max`) or below it (`min`). */
  kind: 'max' | 'min'
  value: number
  /** The training days it was computed from. */
  days: number
  from: string
  to: string
  quantile: number
  /** The training days' quantile (the upper one for `max`, the lower one for `min`). */
  quantileValue: number
  median: number
  /** The most extreme training day. */
  extreme: number
  margin: number
  /** One line for reports: the rule and the numbers. */
  source: string
}

export type PerformanceMetric = 'auc' | 'accuracy' | 'lift'
export const PERFORMANCE_METRICS: readonly PerformanceMetric[] = ['auc', 'accuracy', 'lift']

export interface Calibration {
  settings: CalibrationSettings
  days: { count: number; from: string; to: string }
  features: Record<string, Bound>
  prediction: Bound | null
  performance: Record<PerformanceMetric, Bound | null>
  /**
   * The training days judged by these bounds. In-sample (they made the
   * bounds), so a low count only shows the bounds are consistent; the tests
   * judge held-out days.
   */
  inSample: { days: number; driftDays: number; performanceDays: number }
}

/** The q-quantile of `values` (any order), linear between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values.')
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1] (got ${q}).`)
  const s = [...values].sort((a, b) => a - b)
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(s.length - 1, lo + 1)
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!)
}

const r4 = (x: number): number => Number(x.toFixed(4))

/**
 * The bound of one daily measurement from its values on the training days
 * (nulls left out), or null when no day measured it.
 */
export function boundOf(kind: Bound['kind'], samples: ReadonlyArray<{ day: string; value: number | null }>, settings: Pick<CalibrationSettings, 'quantile' | 'margin'>): Bound | null {
  const measured = samples.filter((s): s is { day: string; value: number } => s.value !== null && Number.isFinite(s.value))
  if (measured.length === 0) return null
  const values = measured.map((s) => s.value)
  const days = measured.map((s) => s.day).sort()
  const q = kind === 'max' ? settings.quantile : 1 - settings.quantile
  const quantileValue = quantile(values, q)
  const median = quantile(values, 0.5)
  const extreme = kind === 'max' ? Math.max(...values) : Math.min(...values)
  const value = median + settings.margin * (quantileValue - median)
  const pct = Math.round(q * 1000) / 10
  const rule = settings.quantile === 1 ? (kind === 'max' ? 'max' : 'min') : `p${Number.isInteger(pct) ? String(pct).padStart(2, '0') : pct}`
  const from = days[0]!
  const to = days[days.length - 1]!
  const margin = settings.margin === 1 ? '' : `, widened ×${settings.margin} from the median ${r4(median)}`
  return {
    kind,
    value: r4(value),
    days: measured.length,
    from,
    to,
    quantile: settings.quantile,
    quantileValue: r4(quantileValue),
    median: r4(median),
    extreme: r4(extreme),
    margin: settings.margin,
    source: `${rule} ${r4(quantileValue)} of ${measured.length} training days ${from}..${to}${margin}`,
  }
}

/** Whether a measured value is outside its bound (a missing value or bound never is). */
export function outside(value: number | null, bound: Bound | null): boolean {
  if (value === null || bound === null) return false
  return bound.kind === 'max' ? value > bound.value : value < bound.value
}

/** The drift measurements of a day that are outside their bounds: feature names, and `prediction`. */
export function driftWarnings(m: DayMeasures, c: Calibration): string[] {
  const out = Object.entries(c.features)
    .filter(([name, bound]) => outside(m.features[name] ?? null, bound))
    .map(([name]) => name)
  if (outside(m.prediction, c.prediction)) out.push('prediction')
  return out
}

/** The realized-performance metrics of a day below their floors. */
export function performanceWarnings(m: DayMeasures, c: Calibration): PerformanceMetric[] {
  return PERFORMANCE_METRICS.filter((k) => outside(m[k], c.performance[k]))
}

/** Thresholds for every measurement from the training days' measurements. */
export function calibrate(days: readonly DayMeasures[], settings: CalibrationSettings): Calibration {
  if (days.length === 0) throw new Error('calibrate: no training days were measured; materialize monitoring/calibration_days first.')
  const keys = days.map((d) => d.day).sort()
  const names = Object.keys(days[0]!.features)
  const missing = days.find((d) => names.some((n) => !(n in d.features)))
  if (missing) throw new Error(`calibrate: ${missing.day} lacks a PSI for ${names.find((n) => !(n in missing.features))}; every day must measure the same features.`)
  const series = (get: (d: DayMeasures) => number | null) => days.map((d) => ({ day: d.day, value: get(d) }))
  const features: Record<string, Bound> = {}
  for (const n of names) features[n] = boundOf('max', series((d) => d.features[n]!), settings)!
  const performance = Object.fromEntries(PERFORMANCE_METRICS.map((k) => [k, boundOf('min', series((d) => d[k]), settings)])) as Record<PerformanceMetric, Bound | null>
  const c: Calibration = {
    settings,
    days: { count: days.length, from: keys[0]!, to: keys[keys.length - 1]! },
    features,
    prediction: boundOf('max', series((d) => d.prediction), settings),
    performance,
    inSample: { days: days.length, driftDays: 0, performanceDays: 0 },
  }
  c.inSample.driftDays = days.filter((d) => driftWarnings(d, c).length > 0).length
  c.inSample.performanceDays = days.filter((d) => performanceWarnings(d, c).length > 0).length
  return c
}
