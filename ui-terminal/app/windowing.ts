/**
 * Windowing: lists render only the lines that fit, so 10,000 assets cost as
 * much to draw as 40. Pure functions, shared by the asset list and the runs pane.
 */
import type { AssetRow } from './model.js'

export type ListLine = { kind: 'group'; group: string; count: number; notFresh: number } | { kind: 'asset'; row: AssetRow; index: number }

export interface ListLines {
  lines: ListLine[]
  /** Line of each row (rows are in group order). */
  lineOfRow: Int32Array
  /** Row index of each key. */
  indexOf: Map<string, number>
  /** Whether any row is partitioned (the list then has a partition bar column). */
  partitioned: boolean
}

/** Group header lines interleaved with asset lines; rows must already be grouped. */
export function buildLines(rows: readonly AssetRow[]): ListLines {
  const lines: ListLine[] = []
  const lineOfRow = new Int32Array(rows.length)
  const indexOf = new Map<string, number>()
  let header: Extract<ListLine, { kind: 'group' }> | undefined
  let partitioned = false
  rows.forEach((row, index) => {
    if (row.partitions) partitioned = true
    if (!header || header.group !== row.group) {
      header = { kind: 'group', group: row.group, count: 0, notFresh: 0 }
      lines.push(header)
    }
    header.count++
    if (row.status !== 'FRESH') header.notFresh++
    lineOfRow[index] = lines.length
    indexOf.set(row.key, index)
    lines.push({ kind: 'asset', row, index })
  })
  return { lines, lineOfRow, indexOf, partitioned }
}

/**
 * First visible line, moving the window as little as possible to show
 * `selected` (and the group header right above it when scrolling up to it).
 */
export function windowTop(prevTop: number, selected: number, height: number, total: number, headerAbove = false): number {
  if (height <= 0 || total <= height) return 0
  let top = Math.min(Math.max(0, prevTop), total - height)
  if (selected < top) top = headerAbove ? Math.max(0, selected - 1) : selected
  else if (selected >= top + height) top = selected - height + 1
  return Math.min(Math.max(0, top), total - height)
}

/** A window of `height` lines that keeps `selected` a few lines from the edges where possible. */
export function windowAround(selected: number, height: number, total: number): number {
  if (height <= 0 || total <= height) return 0
  const top = selected - Math.floor(height / 2)
  return Math.min(Math.max(0, top), total - height)
}
