/**
 * The structural mappings: identity (same key on both sides), all (every
 * upstream partition) and last (the latest upstream partition).
 *
 * Unpartitioned sides: an `undefined` definition has one value, named by the
 * key `''` (UNPARTITIONED_KEY). Mapping to an unpartitioned upstream yields
 * `{ keys: [''], missing: [] }`; mapping to an unpartitioned downstream yields
 * `['']`. Empty input always maps to nothing.
 */
import type { MappingContext, PartitionMapping } from '../types.js'
import { UNPARTITIONED_KEY, describeDef, keysOptions, lastKeyOf, mismatch, splitExisting, type UpstreamResult } from './common.js'

class IdentityMapping implements PartitionMapping {
  readonly kind = 'identity'
  readonly description = 'identityMapping()'

  private sides(ctx: MappingContext): boolean {
    if (!ctx.upstream && !ctx.downstream) return false
    if (!ctx.upstream || !ctx.downstream) {
      throw mismatch(
        `identityMapping() needs both sides partitioned or both unpartitioned, but the upstream is ${describeDef(ctx.upstream)} and the downstream is ${describeDef(ctx.downstream)}. Use allMapping() instead.`,
      )
    }
    return true
  }

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    if (downstreamKeys.length === 0) return { keys: [], missing: [] }
    if (!this.sides(ctx)) return { keys: [UNPARTITIONED_KEY], missing: [] }
    return splitExisting(ctx.upstream!, downstreamKeys, keysOptions(ctx))
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    if (upstreamKeys.length === 0) return []
    if (!this.sides(ctx)) return [UNPARTITIONED_KEY]
    return splitExisting(ctx.downstream!, upstreamKeys, keysOptions(ctx)).keys
  }
}

class AllMapping implements PartitionMapping {
  readonly kind = 'all'
  readonly description = 'allMapping()'

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    if (downstreamKeys.length === 0) return { keys: [], missing: [] }
    if (!ctx.upstream) return { keys: [UNPARTITIONED_KEY], missing: [] }
    return { keys: ctx.upstream.keys(keysOptions(ctx)), missing: [] }
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    if (upstreamKeys.length === 0) return []
    if (!ctx.downstream) return [UNPARTITIONED_KEY]
    return ctx.downstream.keys(keysOptions(ctx))
  }
}

class LastMapping implements PartitionMapping {
  readonly kind = 'last'
  readonly description = 'lastMapping()'

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    if (downstreamKeys.length === 0) return { keys: [], missing: [] }
    if (!ctx.upstream) return { keys: [UNPARTITIONED_KEY], missing: [] }
    const last = lastKeyOf(ctx.upstream, keysOptions(ctx))
    return { keys: last === undefined ? [] : [last], missing: [] }
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    if (upstreamKeys.length === 0) return []
    const last = ctx.upstream ? lastKeyOf(ctx.upstream, keysOptions(ctx)) : UNPARTITIONED_KEY
    if (last === undefined || !upstreamKeys.includes(last)) return []
    return ctx.downstream ? ctx.downstream.keys(keysOptions(ctx)) : [UNPARTITIONED_KEY]
  }
}

/** Each downstream partition reads the upstream partition with the same key. */
export function identityMapping(): PartitionMapping<'one'> {
  return new IdentityMapping()
}

/** Each downstream partition reads every upstream partition. */
export function allMapping(): PartitionMapping<'many'> {
  return new AllMapping()
}

/**
 * Each downstream partition reads the latest existing upstream partition.
 * Typed as one value: the step fails if that partition was never
 * materialized (it only gets none when the upstream has no partition at all).
 */
export function lastMapping(): PartitionMapping<'one'> {
  return new LastMapping()
}

export { IdentityMapping, AllMapping, LastMapping }
