/**
 * What `npm start` prints about monitoring: how many served days warned, of
 * drift and of realized performance, next to how many training days exceed
 * the same calibrated bounds. Pure: the stored daily values in, counts and
 * lines out.
 */
import type { Calibration } from './monitoring-calibration.js'
import { modelLabel, type DayDrift, type DayPerformance } from './monitoring.js'

export interface MonitoringSummary {
  period: { from: string; to: string; days: number } | null
  drift: { warnDays: number; predictionWarnDays: number; byFeature: Record<string, number>; predictionPsi: [number, number] | null } | null
  performance: { belowDays: number; aucBelowDays: number; liftBelowDays: number; auc: [number, number] | null; lift: [number, number] | null } | null
  /** The training days against the same bounds (in sample: they made them). */
  training: Calibration['inSample'] | null
  lines: string[]
}

const span = (xs: number[]): [number, number] | null => (xs.length ? [Math.min(...xs), Math.max(...xs)] : null)
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`

export function summarizeMonitoring(drift: readonly DayDrift[], perf: readonly DayPerformance[], calibration: Calibration | null): MonitoringSummary {
  const keys = [...new Set([...drift.map((d) => d.day), ...perf.map((p) => p.day)])].sort()
  const out: MonitoringSummary = { period: keys.length ? { from: keys[0]!, to: keys[keys.length - 1]!, days: keys.length } : null, drift: null, performance: null, training: calibration?.inSample ?? null, lines: [] }
  if (!out.period) return out
  const c = calibration
  const rule = c ? `calibrated on ${c.days.count} training days ${c.days.from}..${c.days.to}, quantile ${c.settings.quantile}, margin ${c.settings.margin}` : 'not calibrated'
  if (drift.length) {
    const byFeature: Record<string, number> = {}
    for (const d of drift) for (const f of d.drifted) byFeature[f] = (byFeature[f] ?? 0) + 1
    const scores = drift.flatMap((d) => (d.score ? [d.score.value] : []))
    out.drift = {
      warnDays: drift.filter((d) => d.drifted.length > 0).length,
      predictionWarnDays: byFeature.prediction ?? 0,
      byFeature,
      predictionPsi: span(scores),
    }
    const which = Object.entries(byFeature)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([f, n]) => `${f} ${n}`)
      .join(', ')
    const training = c ? `; training days: ${c.inSample.driftDays}/${c.inSample.days} (in sample)` : ''
    out.lines.push(`  drift    ${out.period.from}..${out.period.to}: ${out.drift.warnDays}/${drift.length} days warn${which ? ` (${which})` : ''}${training} — thresholds ${rule}`)
    if (out.drift.predictionPsi) {
      const t = drift.find((d) => d.score)?.score?.threshold
      out.lines.push(`           prediction PSI ${out.drift.predictionPsi[0].toFixed(3)}–${out.drift.predictionPsi[1].toFixed(3)} (threshold ${t ?? '–'}), above it on ${out.drift.predictionWarnDays} days`)
    }
  }
  const measured = perf.filter((p) => p.model && p.realized.auc !== null)
  if (measured.length) {
    const auc = span(measured.map((p) => p.realized.auc!))
    const lift = span(measured.flatMap((p) => (p.realized.lift === null ? [] : [p.realized.lift])))
    out.performance = {
      belowDays: measured.filter((p) => p.below.length > 0).length,
      aucBelowDays: measured.filter((p) => p.below.includes('auc')).length,
      liftBelowDays: measured.filter((p) => p.below.includes('lift')).length,
      auc,
      lift,
    }
    const first = measured[0]!
    const training = c ? `; training days: ${c.inSample.performanceDays}/${c.inSample.days} (in sample)` : ''
    out.lines.push(
      `  realized ${modelLabel(first.model)} AUC ${auc![0].toFixed(4)}–${auc![1].toFixed(4)} (floor ${first.floors.auc?.value ?? '–'}), lift over the baseline ${lift ? `${signed(lift[0])}–${signed(lift[1])}` : '–'} (floor ${first.floors.lift ? signed(first.floors.lift.value) : '–'}); ${out.performance.belowDays}/${measured.length} days below a floor${training}`,
    )
  } else if (perf.length) out.lines.push('  realized no production or staging model to monitor')
  return out
}
