/**
 * Windowing: lists render only the lines that fit, so 10,000 assets cost as
 * much to draw as 40. Pure functions, shared by the asset list and the runs pane.
 */
import type { AssetRow } from './model.js'

export type ListLine = { kind: 'group'; group: string; count: number; notFresh: number; folded: boolean } | { kind: 'asset'; row: AssetRow; index: number }

export interface ListLines {
  lines: ListLine[]
  /** Line of each row (rows are in group order); a row of a folded group is on its group's header line. */
  lineOfRow: Int32Array
  /** Row index of each key. */
  indexOf: Map<string, number>
  /** Whether any row is partitioned (the list then has a partition bar column). */
  partitioned: boolean
  /** Header line of each group (none in a flat list). */
  groupLine: Map<string, number>
}

export interface BuildOptions {
  /** Groups shown as their header only. */
  folded?: ReadonlySet<string>
  /** No group headers: rows in the order given (search results, best first). */
  flat?: boolean
}

/** Group header lines interleaved with asset lines (rows must already be grouped), or the rows alone when `flat`. */
export function buildLines(rows: readonly AssetRow[], opts: BuildOptions = {}): ListLines {
  const lines: ListLine[] = []
  const lineOfRow = new Int32Array(rows.length)
  const indexOf = new Map<string, number>()
  const groupLine = new Map<string, number>()
  let header: Extract<ListLine, { kind: 'group' }> | undefined
  let headerLine = 0
  let partitioned = false
  rows.forEach((row, index) => {
    if (row.partitions) partitioned = true
    indexOf.set(row.key, index)
    if (opts.flat) {
      lineOfRow[index] = lines.length
      lines.push({ kind: 'asset', row, index })
      return
    }
    if (!header || header.group !== row.group) {
      header = { kind: 'group', group: row.group, count: 0, notFresh: 0, folded: opts.folded?.has(row.group) ?? false }
      headerLine = lines.length
      groupLine.set(row.group, headerLine)
      lines.push(header)
    }
    header.count++
    if (row.status !== 'FRESH') header.notFresh++
    if (header.folded) {
      lineOfRow[index] = headerLine
      return
    }
    lineOfRow[index] = lines.length
    lines.push({ kind: 'asset', row, index })
  })
  return { lines, lineOfRow, indexOf, partitioned, groupLine }
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
