/** A terminal bar chart of AUC by segment: baseline vs model (vs production). */
import type { EvaluationReport, SegmentResult } from './evaluate.js'

export interface ChartOptions {
  /** Width of the longest bar, in characters. @defaultValue 36 */
  width?: number
  color?: boolean
}

const paint = (on: boolean, code: number, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s)

/**
 * One group of bars per segment. Bars start at AUC 0.5 (a coin flip), so the
 * visible length is the skill above chance; ▏ marks the gate's min_segment_auc.
 */
export function aucChart(report: EvaluationReport, opts: ChartOptions = {}): string {
  const width = opts.width ?? 36
  const useColor = opts.color ?? false
  const rows: SegmentResult[] = [report.overall, ...report.segments]
  const series: Array<{ name: string; code: number; glyph: string; get: (s: SegmentResult) => number | null | undefined }> = [
    { name: 'baseline', code: 90, glyph: '░', get: (s) => s.baseline.auc },
    { name: 'model', code: 32, glyph: '█', get: (s) => s.model.auc },
  ]
  if (report.production) series.push({ name: `production v${report.production.version}`, code: 34, glyph: '▓', get: (s) => s.production?.auc })
  const values = rows.flatMap((r) => series.map((s) => s.get(r) ?? 0.5))
  const top = Math.max(0.6, Math.ceil(Math.max(...values) * 20) / 20)
  const scale = (auc: number) => Math.max(0, Math.round(((auc - 0.5) / (top - 0.5)) * width))
  const threshold = scale(report.criteria.min_segment_auc)
  const labelWidth = Math.max(...rows.map((r) => r.segment.length), 10)
  const nameWidth = Math.max(...series.map((s) => s.name.length))
  const lines: string[] = []
  lines.push(`AUC by segment on ${report.validation.from}..${report.validation.to} (${report.validation.rows.toLocaleString('en-US')} flights; bars start at 0.5 = chance, ▏ = gate ${report.criteria.min_segment_auc})`)
  for (const r of rows) {
    series.forEach((s, i) => {
      const v = s.get(r)
      const n = v === null || v === undefined ? 0 : scale(v)
      let bar = s.glyph.repeat(n).padEnd(width, ' ')
      if (threshold > 0 && threshold <= width && n < threshold) bar = bar.slice(0, threshold - 1) + '▏' + bar.slice(threshold)
      const label = i === 0 ? r.segment.padEnd(labelWidth) : ' '.repeat(labelWidth)
      const rowsText = i === 0 ? `  ${r.rows.toLocaleString('en-US')} flights` : ''
      lines.push(`${label}  ${s.name.padEnd(nameWidth)} ${paint(useColor, s.code, bar)} ${v === null || v === undefined ? ' n/a ' : v.toFixed(3)}${rowsText}`)
    })
  }
  return lines.join('\n')
}
