/** Glyphs, colours and text helpers shared by the UI's components. */
import type { BackfillStatus, PartitionDisplayStatus, RunStatus } from '../../engine/index.js'
import type { RowStatus, StepStatus } from './model.js'

/** Ink colour names. */
export type Colour = 'green' | 'yellow' | 'gray' | 'blue' | 'red' | 'cyan' | 'magenta' | 'white'

export const ROW_GLYPH: Record<RowStatus, { glyph: string; color: Colour; label: string }> = {
  FRESH: { glyph: '●', color: 'green', label: 'fresh' },
  STALE: { glyph: '◐', color: 'yellow', label: 'stale' },
  MISSING: { glyph: '○', color: 'gray', label: 'missing' },
  RUNNING: { glyph: '▶', color: 'blue', label: 'running' },
  FAILED: { glyph: '✗', color: 'red', label: 'failed' },
}

export const PARTITION_STYLE: Record<PartitionDisplayStatus, { char: string; color: Colour; label: string }> = {
  FRESH: { char: '█', color: 'green', label: 'materialized' },
  STALE: { char: '█', color: 'yellow', label: 'stale' },
  IN_PROGRESS: { char: '█', color: 'blue', label: 'running' },
  FAILED: { char: '█', color: 'red', label: 'failed' },
  MISSING: { char: '░', color: 'gray', label: 'missing' },
}

export const STEP_GLYPH: Record<StepStatus, { glyph: string; color: Colour }> = {
  PENDING: { glyph: '·', color: 'gray' },
  RUNNING: { glyph: '▶', color: 'blue' },
  RETRYING: { glyph: '↻', color: 'yellow' },
  SUCCESS: { glyph: '✓', color: 'green' },
  FAILURE: { glyph: '✗', color: 'red' },
  SKIPPED: { glyph: '⊘', color: 'gray' },
  UP_TO_DATE: { glyph: '=', color: 'gray' },
  CANCELED: { glyph: '⊘', color: 'yellow' },
}

export const RUN_GLYPH: Record<RunStatus, { glyph: string; color: Colour }> = {
  RUNNING: { glyph: '▶', color: 'blue' },
  SUCCESS: { glyph: '✓', color: 'green' },
  FAILURE: { glyph: '✗', color: 'red' },
  CANCELED: { glyph: '⊘', color: 'yellow' },
}

export const BACKFILL_GLYPH: Record<BackfillStatus, { glyph: string; color: Colour }> = {
  REQUESTED: { glyph: '…', color: 'yellow' },
  RUNNING: { glyph: '▶', color: 'blue' },
  COMPLETED_SUCCESS: { glyph: '✓', color: 'green' },
  COMPLETED_FAILED: { glyph: '✗', color: 'red' },
  CANCELED: { glyph: '⊘', color: 'yellow' },
}

export const LOG_COLOUR: Record<'debug' | 'info' | 'warn' | 'error', Colour | undefined> = { debug: 'gray', info: undefined, warn: 'yellow', error: 'red' }

/** Cuts or pads to exactly `width` columns (keys and messages are single-width text). */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length > width) return width === 1 ? '…' : text.slice(0, width - 1) + '…'
  return text + ' '.repeat(width - text.length)
}

/** Cuts to at most `width` columns without padding. */
export function clip(text: string, width: number): string {
  if (width <= 0) return ''
  return text.length > width ? (width === 1 ? '…' : text.slice(0, width - 1) + '…') : text
}

// The same wording as the CLI's output.
export { formatAge as age, formatDuration as duration } from '../cli/output.js'

export function clock(ts: number): string {
  return new Date(ts).toTimeString().slice(0, 8)
}

export const shortId = (id: string) => id.slice(0, 8)
export const shortVersion = (v: string | undefined) => (v === undefined ? '—' : v.length > 12 ? v.slice(0, 12) : v)

/** Word-wraps to lines of at most `width` columns; the last kept line ends with … when text is cut. */
export function wrapText(text: string, width: number, maxLines = Infinity): string[] {
  if (width <= 0) return []
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let w = word
      while (w.length > width) {
        if (line) lines.push(line)
        lines.push(w.slice(0, width))
        w = w.slice(width)
        line = ''
      }
      if (!line) line = w
      else if (line.length + 1 + w.length <= width) line += ' ' + w
      else {
        lines.push(line)
        line = w
      }
    }
    lines.push(line)
  }
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines)
    kept[maxLines - 1] = clip(kept[maxLines - 1]! + ' …', width)
    return kept
  }
  return lines
}

/** A metadata value in one short line. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
