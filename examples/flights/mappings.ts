import type { MappingContext, PartitionMapping } from 'strata-engine'
import { daysIn, type DateRange } from './config.js'

/**
 * Reads a fixed, configured range of an upstream's daily partitions (e.g. the
 * training period) into an unpartitioned asset. A custom `PartitionMapping`:
 * the engine loads exactly these partitions (as a Map in partition order),
 * records them as the step's lineage, and marks the asset stale when any of
 * them gets a new data version — and only then.
 */
export function keyRangeMapping(range: DateRange, label = 'range'): PartitionMapping {
  const wanted = daysIn(range)
  const inRange = new Set(wanted)
  return {
    kind: 'key-range',
    description: `keyRangeMapping(${label}: ${range.from}..${range.to})`,
    upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext) {
      if (downstreamKeys.length === 0 || !ctx.upstream) return { keys: [], missing: [] }
      const opts = { now: ctx.now, dynamicKeys: ctx.dynamicKeys }
      const keys: string[] = []
      const missing: string[] = []
      for (const k of wanted) (ctx.upstream.has(k, opts) ? keys : missing).push(k)
      return { keys, missing }
    },
    downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext) {
      if (!upstreamKeys.some((k) => inRange.has(k))) return []
      return ctx.downstream ? ctx.downstream.keys({ now: ctx.now, dynamicKeys: ctx.dynamicKeys }) : ['']
    },
  }
}
