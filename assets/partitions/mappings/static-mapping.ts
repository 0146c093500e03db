/**
 * staticMapping({ upKey: downKey | downKey[] }): explicit key-to-key edges,
 * for static or dynamic partitions. Upstream keys not listed map to nothing.
 */
import { StrataError } from '../../errors.js'
import type { MappingContext, PartitionMapping } from '../types.js'
import { describeDef, keysOptions, mismatch, orderKeys, splitExisting, type UpstreamResult } from './common.js'

export class StaticMapping implements PartitionMapping {
  readonly kind = 'static'
  readonly description: string
  /** upstream key → downstream keys */
  readonly edges: ReadonlyMap<string, readonly string[]>

  constructor(map: Record<string, string | readonly string[]>) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', "staticMapping() takes an object { upstreamKey: downstreamKey | downstreamKey[] }, e.g. staticMapping({ us: 'americas' }).")
    }
    const edges = new Map<string, readonly string[]>()
    for (const [up, down] of Object.entries(map)) {
      const list = typeof down === 'string' ? [down] : down
      if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
        throw new StrataError('STRATA_INVALID_PARTITIONS', `staticMapping(): the value for ${JSON.stringify(up)} must be a downstream key or a non-empty array of keys.`)
      }
      edges.set(up, Object.freeze([...new Set(list as string[])]))
    }
    this.edges = edges
    this.description = `staticMapping(${JSON.stringify(map)})`
  }

  private check(ctx: MappingContext): void {
    if (!ctx.upstream || !ctx.downstream) {
      throw mismatch(`staticMapping() needs both sides partitioned, but the upstream is ${describeDef(ctx.upstream)} and the downstream is ${describeDef(ctx.downstream)}.`)
    }
  }

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    this.check(ctx)
    const wanted = new Set(downstreamKeys)
    const ups: string[] = []
    for (const [up, downs] of this.edges) if (downs.some((d) => wanted.has(d))) ups.push(up)
    return splitExisting(ctx.upstream!, ups, keysOptions(ctx))
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    this.check(ctx)
    const opts = keysOptions(ctx)
    const downs = upstreamKeys.flatMap((u) => this.edges.get(u) ?? [])
    return orderKeys(ctx.downstream, downs, opts).filter((k) => ctx.downstream!.has(k, opts))
  }
}

/** Explicit edges from upstream keys to the downstream keys that read them. */
export function staticMapping(map: Record<string, string | readonly string[]>): PartitionMapping<'many'> {
  return new StaticMapping(map)
}
