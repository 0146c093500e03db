/**
 * Partition bars as Ink text: a compact bar of status proportions for list
 * rows, and a timeline (each cell a bucket of consecutive partitions, coloured
 * by its worst status) with a cursor and a range for the detail pane. Same
 * colours and characters as `strata status` (ui-terminal/cli/partition-bar.ts).
 */
import { Box, Text } from 'ink'
import type { PartitionDisplayStatus } from '../../engine/index.js'
import type { PartitionCounts } from './model.js'
import { PARTITION_STYLE, type Colour } from './theme.js'

export interface Cell {
  char: string
  color: Colour
  status: PartitionDisplayStatus
}

const ORDER: PartitionDisplayStatus[] = ['FRESH', 'STALE', 'IN_PROGRESS', 'FAILED', 'MISSING']
const RANK: Record<PartitionDisplayStatus, number> = { FAILED: 4, IN_PROGRESS: 3, STALE: 2, MISSING: 1, FRESH: 0 }

const cell = (status: PartitionDisplayStatus): Cell => ({ char: PARTITION_STYLE[status].char, color: PARTITION_STYLE[status].color, status })

/** `width` cells in proportion to the counts; a status present at all gets at least one cell. */
export function countCells(counts: PartitionCounts, width: number): Cell[] {
  const total = ORDER.reduce((n, s) => n + counts[s], 0)
  if (total === 0 || width <= 0) return Array.from({ length: Math.max(0, width) }, () => ({ char: '·', color: 'gray' as Colour, status: 'MISSING' as const }))
  const present = ORDER.filter((s) => counts[s] > 0)
  // Largest remainder, with a floor of one cell per present status when there is room.
  const exact = present.map((s) => (counts[s] / total) * width)
  const sizes = exact.map((x) => Math.floor(x))
  if (present.length <= width) sizes.forEach((n, i) => (sizes[i] = Math.max(1, n)))
  let used = sizes.reduce((a, b) => a + b, 0)
  const byRemainder = present.map((_, i) => i).sort((a, b) => exact[b]! - sizes[b]! - (exact[a]! - sizes[a]!))
  for (let k = 0; used < width; k = (k + 1) % byRemainder.length, used++) sizes[byRemainder[k]!]!++
  while (used > width) {
    const biggest = sizes.indexOf(Math.max(...sizes))
    sizes[biggest]!--
    used--
  }
  return present.flatMap((s, i) => Array.from({ length: sizes[i]! }, () => cell(s)))
}

/** Number of cells a timeline of `total` partitions gets in `width` columns. */
export const timelineCells = (total: number, width: number) => Math.max(0, Math.min(width, total))

/** Cells of a timeline: cell c covers partitions [⌊c·N/C⌋, ⌊(c+1)·N/C⌋), shown by its worst status. */
export function partitionCells(statuses: readonly PartitionDisplayStatus[], width: number): Cell[] {
  const n = statuses.length
  const cells = timelineCells(n, width)
  const out: Cell[] = []
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * n) / cells)
    const to = Math.floor(((c + 1) * n) / cells)
    let worst: PartitionDisplayStatus = statuses[from]!
    for (let i = from + 1; i < to; i++) if (RANK[statuses[i]!] > RANK[worst]) worst = statuses[i]!
    out.push(cell(worst))
  }
  return out
}

/** The cell showing partition `index` of `total` in a timeline of `cells` cells. */
export function cellOf(index: number, total: number, cells: number): number {
  if (total <= 0 || cells <= 0) return 0
  return Math.min(cells - 1, Math.max(0, Math.floor(((index + 1) * cells - 1) / total)))
}

/** Renders cells, merging runs of one colour into one Text; the cursor cell is shown inverse. */
export function CellBar({ cells, cursor }: { cells: readonly Cell[]; cursor?: number }) {
  const spans: Array<{ text: string; color: Colour; inverse: boolean }> = []
  cells.forEach((c, i) => {
    const inverse = i === cursor
    const last = spans[spans.length - 1]
    if (last && last.color === c.color && !last.inverse && !inverse) last.text += c.char
    else spans.push({ text: c.char, color: c.color, inverse })
  })
  return (
    <Text wrap="truncate">
      {spans.map((s, i) => (
        <Text key={i} color={s.color} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  )
}

/** The compact proportions bar of a list row. */
export function CountsBar({ counts, width }: { counts: PartitionCounts; width: number }) {
  return <CellBar cells={countCells(counts, width)} />
}

export interface TimelineProps {
  statuses: readonly PartitionDisplayStatus[]
  width: number
  /** Partition index under the cursor. */
  cursor: number
  /** Other end of a range being selected, if any. */
  anchor?: number
}

/** The marker line under a timeline: ▲ under the cursor's cell, ═ under the cells of the selected range. */
export function timelineMarker(total: number, cells: number, cursor: number, anchor?: number): string {
  const cursorCell = cellOf(cursor, total, cells)
  if (anchor === undefined) return ' '.repeat(cursorCell) + '▲'
  const a = cellOf(Math.min(anchor, cursor), total, cells)
  const b = cellOf(Math.max(anchor, cursor), total, cells)
  return ' '.repeat(a) + Array.from({ length: b - a + 1 }, (_, i) => (a + i === cursorCell ? '▲' : '═')).join('')
}

/** The full partition bar with its marker line. */
export function PartitionTimeline({ statuses, width, cursor, anchor }: TimelineProps) {
  const cells = partitionCells(statuses, width)
  return (
    <Box flexDirection="column">
      <CellBar cells={cells} cursor={cellOf(cursor, statuses.length, cells.length)} />
      <Text color="cyan" wrap="truncate">
        {timelineMarker(statuses.length, cells.length, cursor, anchor)}
      </Text>
    </Box>
  )
}
