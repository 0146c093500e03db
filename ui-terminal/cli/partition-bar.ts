import type { PartitionDisplayStatus } from '../../engine/index.js'
import { color } from './output.js'

/** Colour per partition status: green fresh, yellow stale, blue running, red failed, grey missing. */
export const PAINT: Record<PartitionDisplayStatus, (s: string) => string> = {
  FRESH: color.green,
  STALE: color.yellow,
  IN_PROGRESS: color.blue,
  FAILED: color.red,
  MISSING: color.grey,
}
const ORDER: PartitionDisplayStatus[] = ['FRESH', 'STALE', 'IN_PROGRESS', 'FAILED', 'MISSING']

/** A fixed-width bar of status proportions (counts view, for lists). */
export function partitionBar(counts: Record<PartitionDisplayStatus, number>, width: number): string {
  const total = ORDER.reduce((n, s) => n + counts[s], 0)
  if (total === 0) return color.grey('·'.repeat(width))
  let out = ''
  let used = 0
  ORDER.forEach((s, i) => {
    const cells = i === ORDER.length - 1 ? width - used : Math.round((counts[s] / total) * width)
    const n = Math.max(0, Math.min(cells, width - used))
    if (counts[s] > 0 && n === 0 && used < width) {
      out += PAINT[s]('█')
      used++
      return
    }
    out += PAINT[s]((s === 'MISSING' ? '░' : '█').repeat(n))
    used += n
  })
  return out
}

/** A bar where each cell is a bucket of consecutive partitions, coloured by its worst status (timeline view). */
export function partitionTimeline(statuses: readonly PartitionDisplayStatus[], width: number): string {
  if (statuses.length === 0) return ''
  const cells = Math.min(width, statuses.length)
  const rank: Record<PartitionDisplayStatus, number> = { FAILED: 4, IN_PROGRESS: 3, STALE: 2, MISSING: 1, FRESH: 0 }
  let out = ''
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * statuses.length) / cells)
    const to = Math.floor(((c + 1) * statuses.length) / cells)
    let worst: PartitionDisplayStatus = 'FRESH'
    for (let i = from; i < to; i++) if (rank[statuses[i]!] > rank[worst]) worst = statuses[i]!
    out += PAINT[worst](worst === 'MISSING' ? '░' : '█')
  }
  return out
}
