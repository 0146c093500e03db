/** Helpers shared by the partition mappings. */
import { StrataError } from '../../errors.js'
import { DynamicPartitions } from '../dynamic.js'
import { MultiPartitions } from '../multi.js'
import { StaticPartitions } from '../static.js'
import { TimeWindowPartitions } from '../time-window.js'
import type { KeysOptions, MappingContext, PartitionsDefinition } from '../types.js'

/** The key standing for the single value of an unpartitioned asset. */
export const UNPARTITIONED_KEY = ''

export interface UpstreamResult {
  keys: string[]
  missing: string[]
}

export function keysOptions(ctx: MappingContext): KeysOptions {
  return { now: ctx.now, dynamicKeys: ctx.dynamicKeys }
}

export function mismatch(message: string, details?: Record<string, unknown>): StrataError {
  return new StrataError('STRATA_PARTITION_MISMATCH', message, details)
}

export function describeDef(def: PartitionsDefinition | undefined): string {
  return def ? def.id : 'unpartitioned'
}

/** A sort key per partition key: its position in the definition's order (Infinity when unknown). */
function ranker(def: PartitionsDefinition, opts: KeysOptions): (key: string) => number[] {
  if (def instanceof TimeWindowPartitions) return (k) => [def.indexOf(k) ?? Infinity]
  if (def instanceof StaticPartitions) return (k) => [def.indexOf(k) ?? Infinity]
  if (def instanceof DynamicPartitions) {
    const pos = new Map(def.keys(opts).map((k, i) => [k, i]))
    return (k) => [pos.get(k) ?? Infinity]
  }
  if (def instanceof MultiPartitions) {
    const dims = def.dimensions.map((d) => ranker(d.partitions, opts))
    return (k) => {
      const parts = def.split(k)
      return parts ? parts.flatMap((p, i) => dims[i]!(p)) : [Infinity]
    }
  }
  const pos = new Map(def.keys(opts).map((k, i) => [k, i]))
  return (k) => [pos.get(k) ?? Infinity]
}

/** Deduplicated keys in the definition's partition order; unknown keys last, in the order given. */
export function orderKeys(def: PartitionsDefinition | undefined, keys: Iterable<string>, opts: KeysOptions = {}): string[] {
  const unique = [...new Set(keys)]
  if (!def || unique.length < 2) return unique
  const rank = ranker(def, opts)
  const ranked = unique.map((key, i) => ({ key, r: rank(key), i }))
  ranked.sort((a, b) => {
    for (let j = 0; j < Math.max(a.r.length, b.r.length); j++) {
      const x = a.r[j] ?? -1
      const y = b.r[j] ?? -1
      if (x !== y) return x < y ? -1 : 1
    }
    return a.i - b.i
  })
  return ranked.map((r) => r.key)
}

/** The last existing key, without listing every key of a time-window definition. */
export function lastKeyOf(def: PartitionsDefinition, opts: KeysOptions): string | undefined {
  if (def instanceof TimeWindowPartitions) return def.lastKey(opts)
  if (def instanceof MultiPartitions) {
    const parts = def.dimensions.map((d) => lastKeyOf(d.partitions, opts))
    return parts.every((p) => p !== undefined) ? parts.join('|') : undefined
  }
  const keys = def.keys(opts)
  return keys[keys.length - 1]
}

/** Splits keys into those that exist in `def` and those that do not, each in partition order. */
export function splitExisting(def: PartitionsDefinition, keys: Iterable<string>, opts: KeysOptions): UpstreamResult {
  const ordered = orderKeys(def, keys, opts)
  const out: UpstreamResult = { keys: [], missing: [] }
  for (const k of ordered) (def.has(k, opts) ? out.keys : out.missing).push(k)
  return out
}
