/**
 * Evaluation on the held-out validation period: the model against a simple,
 * non-learned baseline (baseline.ts: the departure hour's delayed rate, then
 * the origin airport's recent delayed rate) and against the model in
 * production (if any), overall and by segment, and the promotion gate whose
 * criteria the training config fixed before training.
 */
import type { Table } from 'apache-arrow'
import { BASELINE_DESCRIPTION, baselineScores, type HourRates } from './baseline.js'
import type { GateCriteria } from './config.js'
import { FEATURE_NAMES, HOUR_BANDS, hourBand } from './features.js'
import { metricsOf, rounded, type Metrics } from './metrics.js'
import type { LoadedModel } from './model.js'
import { toMatrix } from './model.js'
import { float32Column, int8Column, stringColumn } from './tables.js'

/** Validation rows gathered from the daily feature tables, in partition order. */
export interface EvaluationSet {
  rows: number
  x: Float32Array
  labels: Int8Array
  origin: string[]
  hour: Float32Array
  baseline: Float64Array
}

/** Validation rows and their baseline scores, from the hour table of the training rows. */
export function evaluationSet(tables: readonly Table[], hours: HourRates): EvaluationSet {
  const rows = tables.reduce((n, t) => n + t.numRows, 0)
  const columns = FEATURE_NAMES.map(() => new Float32Array(rows))
  const labels = new Int8Array(rows)
  const origin: string[] = new Array(rows)
  let at = 0
  for (const t of tables) {
    FEATURE_NAMES.forEach((name, c) => columns[c]!.set(float32Column(t, name), at))
    labels.set(int8Column(t, 'label_delayed'), at)
    const o = stringColumn(t, 'origin')
    for (let i = 0; i < o.length; i++) origin[at + i] = o[i]!
    at += t.numRows
  }
  const hour = columns[FEATURE_NAMES.indexOf('dep_hour')]!
  const baseline = baselineScores(hour, columns[FEATURE_NAMES.indexOf('origin_delayed_rate_7d')]!, hours)
  return { rows, x: toMatrix(columns, rows), labels, origin, hour, baseline }
}

type Scores = { model: Float64Array; baseline: Float64Array; production?: Float64Array }

export interface SegmentResult {
  segment: string
  kind: 'all' | 'origin' | 'hour_band'
  rows: number
  positiveRate: number
  model: Record<keyof Metrics, number | null>
  baseline: Record<keyof Metrics, number | null>
  production?: Record<keyof Metrics, number | null>
}

export interface EvaluationReport {
  validation: { from: string; to: string; partitions: number; rows: number; positiveRate: number }
  /** What the baseline is, and its hour table (from the training rows). */
  baseline: { description: string; hours: HourRates }
  overall: SegmentResult
  segments: SegmentResult[]
  production?: { version: number }
  criteria: GateCriteria
  gate: { passed: boolean; reasons: string[] }
}

function segmentResult(segment: string, kind: SegmentResult['kind'], set: EvaluationSet, scores: Scores, mask?: Uint8Array): SegmentResult {
  let rows = 0
  let positives = 0
  for (let i = 0; i < set.rows; i++) {
    if (mask && !mask[i]) continue
    rows++
    positives += set.labels[i]!
  }
  return {
    segment,
    kind,
    rows,
    positiveRate: rows ? Number((positives / rows).toFixed(4)) : 0,
    model: rounded(metricsOf(scores.model, set.labels, mask)),
    baseline: rounded(metricsOf(scores.baseline, set.labels, mask)),
    ...(scores.production ? { production: rounded(metricsOf(scores.production, set.labels, mask)) } : {}),
  }
}

/** Segments: the top origin airports by validation volume, and the four hour bands. */
export function segmentsOf(set: EvaluationSet, topOrigins: number): Array<{ name: string; kind: 'origin' | 'hour_band'; mask: Uint8Array }> {
  const counts = new Map<string, number>()
  for (const o of set.origin) counts.set(o, (counts.get(o) ?? 0) + 1)
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topOrigins).map(([o]) => o)
  const out: Array<{ name: string; kind: 'origin' | 'hour_band'; mask: Uint8Array }> = []
  for (const o of top) {
    const mask = new Uint8Array(set.rows)
    for (let i = 0; i < set.rows; i++) mask[i] = set.origin[i] === o ? 1 : 0
    out.push({ name: `origin ${o}`, kind: 'origin', mask })
  }
  HOUR_BANDS.forEach((band, b) => {
    const mask = new Uint8Array(set.rows)
    for (let i = 0; i < set.rows; i++) mask[i] = hourBand(set.hour[i]!) === b ? 1 : 0
    out.push({ name: `${band} ${String(b * 6).padStart(2, '0')}–${String(b * 6 + 5).padStart(2, '0')}h`, kind: 'hour_band', mask })
  })
  return out
}

const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(4))

/** Applies the config's criteria; every criterion gives one reason line, failures marked FAILED. */
export function applyGate(overall: SegmentResult, segments: readonly SegmentResult[], criteria: GateCriteria, production?: { version: number }): { passed: boolean; reasons: string[] } {
  const reasons: string[] = []
  let passed = true
  const judge = (ok: boolean, text: string) => {
    if (!ok) passed = false
    reasons.push(ok ? text : `FAILED: ${text}`)
  }
  const a = overall.model.auc ?? NaN
  const b = overall.baseline.auc ?? NaN
  judge(a >= criteria.min_auc, `auc ${f(a)} ${a >= criteria.min_auc ? '≥' : '<'} ${criteria.min_auc} (min_auc)`)
  const lift = a - b
  judge(lift >= criteria.min_auc_lift_over_baseline, `auc lift over baseline ${f(lift)} (${f(a)} vs ${f(b)}) ${lift >= criteria.min_auc_lift_over_baseline ? '≥' : '<'} ${criteria.min_auc_lift_over_baseline} (min_auc_lift_over_baseline)`)
  const ll = overall.model.log_loss ?? NaN
  judge(ll <= criteria.max_log_loss, `log loss ${f(ll)} ${ll <= criteria.max_log_loss ? '≤' : '>'} ${criteria.max_log_loss} (max_log_loss)`)
  if (production && overall.production) {
    const p = overall.production.auc ?? NaN
    const drop = p - a
    judge(drop <= criteria.max_auc_drop_vs_production, `auc vs production v${production.version}: ${f(a)} vs ${f(p)} (drop ${f(Math.max(0, drop))} ${drop <= criteria.max_auc_drop_vs_production ? '≤' : '>'} ${criteria.max_auc_drop_vs_production}, max_auc_drop_vs_production)`)
  } else {
    reasons.push('no production model to compare with (max_auc_drop_vs_production not applicable)')
  }
  const worst = segments.reduce<SegmentResult | undefined>((w, s) => ((s.model.auc ?? 1) < (w?.model.auc ?? Infinity) ? s : w), undefined)
  if (worst) {
    const w = worst.model.auc ?? NaN
    judge(!(w < criteria.min_segment_auc), `worst segment ${worst.segment}: auc ${f(w)} ${w < criteria.min_segment_auc ? '<' : '≥'} ${criteria.min_segment_auc} (min_segment_auc)`)
  }
  return { passed, reasons }
}

export interface EvaluateOptions {
  range: { from: string; to: string }
  /** The hour table the set's baseline scores came from (recorded in the report). */
  hours: HourRates
  partitions: number
  criteria: GateCriteria
  topOrigins: number
  production?: { version: number; model: LoadedModel }
}

/**
 * Scores the validation set with the model, the baseline and production, and
 * applies the gate. A pure function of its inputs (no clock): the report's
 * data version is the hash of this value, so timings belong in metadata.
 */
export function evaluate(set: EvaluationSet, model: LoadedModel, opts: EvaluateOptions): EvaluationReport {
  const scores: Scores = {
    model: model.predict(set.x, set.rows),
    baseline: set.baseline,
    production: opts.production ? opts.production.model.predict(set.x, set.rows) : undefined,
  }
  const overall = segmentResult('all flights', 'all', set, scores)
  const segments = segmentsOf(set, opts.topOrigins).map((s) => segmentResult(s.name, s.kind, set, scores, s.mask))
  const production = opts.production ? { version: opts.production.version } : undefined
  return {
    validation: { from: opts.range.from, to: opts.range.to, partitions: opts.partitions, rows: set.rows, positiveRate: overall.positiveRate },
    baseline: { description: BASELINE_DESCRIPTION, hours: opts.hours },
    overall,
    segments,
    ...(production ? { production } : {}),
    criteria: opts.criteria,
    gate: applyGate(overall, segments, opts.criteria, production),
  }
}
