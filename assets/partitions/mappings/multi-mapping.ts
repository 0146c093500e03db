/**
 * Mappings for multi-dimensional partitions.
 *
 * multiMapping({ dim: mapping }): both sides multi with the same dimension
 * names; each dimension maps independently and the results combine as a
 * product. Dimensions not mentioned use their default mapping (identity for
 * equal static definitions, time overlap for time windows).
 *
 * dimensionMapping(dim, mapping?): one side multi, the other not; the single
 * definition corresponds to dimension `dim` (Dagster's
 * MultiToSingleDimensionPartitionMapping). Reading a multi upstream from a
 * single downstream reads every key of the other dimensions.
 */
import { StrataError } from '../../errors.js'
import { MULTI_SEPARATOR, MultiPartitions } from '../multi.js'
import type { MappingContext, PartitionMapping, PartitionsDefinition } from '../types.js'
import { describeDef, keysOptions, mismatch, orderKeys, type UpstreamResult } from './common.js'
import { defaultMapping } from './default.js'

type Part = { key: string; missing: boolean }

/** Cartesian product of per-dimension choices, as joined keys flagged missing if any part is. */
function product(choices: Part[][]): Part[] {
  let out: Part[] = [{ key: '', missing: false }]
  choices.forEach((parts, i) => {
    const next: Part[] = []
    for (const prefix of out) {
      for (const p of parts) next.push({ key: i === 0 ? p.key : prefix.key + MULTI_SEPARATOR + p.key, missing: prefix.missing || p.missing })
    }
    out = next
  })
  return out
}

function collect(def: PartitionsDefinition, parts: Part[], ctx: MappingContext): UpstreamResult {
  const opts = keysOptions(ctx)
  const keys = orderKeys(def, parts.filter((p) => !p.missing).map((p) => p.key), opts)
  const have = new Set(keys)
  const missing = orderKeys(def, parts.filter((p) => p.missing && !have.has(p.key)).map((p) => p.key), opts)
  return { keys, missing }
}

function sub(ctx: MappingContext, downstream: PartitionsDefinition | undefined, upstream: PartitionsDefinition | undefined): MappingContext {
  return { downstream, upstream, now: ctx.now, dynamicKeys: ctx.dynamicKeys }
}

export class MultiMapping implements PartitionMapping {
  readonly kind = 'multi'
  readonly description: string
  readonly mappings: Readonly<Record<string, PartitionMapping>>

  constructor(mappings: Record<string, PartitionMapping>) {
    if (typeof mappings !== 'object' || mappings === null) throw new StrataError('STRATA_INVALID_PARTITIONS', 'multiMapping() takes an object { dimension: mapping }.')
    for (const [dim, m] of Object.entries(mappings)) {
      if (typeof m?.upstreamFor !== 'function') throw new StrataError('STRATA_INVALID_PARTITIONS', `multiMapping(): the mapping for dimension "${dim}" is not a partition mapping.`)
    }
    this.mappings = Object.freeze({ ...mappings })
    const inner = Object.entries(mappings).map(([d, m]) => `${d}: ${m.description ?? m.kind}`)
    this.description = `multiMapping({ ${inner.join(', ')} })`
  }

  sides(ctx: MappingContext): [MultiPartitions, MultiPartitions] {
    const { downstream: down, upstream: up } = ctx
    if (!(down instanceof MultiPartitions) || !(up instanceof MultiPartitions)) {
      throw mismatch(`${this.description} needs multi partitions on both sides, but the upstream is ${describeDef(up)} and the downstream is ${describeDef(down)}. Use dimensionMapping() when one side has a single dimension.`)
    }
    const names = (d: MultiPartitions): string => d.dimensions.map((x) => x.name).sort().join(',')
    if (names(down) !== names(up)) {
      throw mismatch(`${this.description}: the upstream dimensions (${up.dimensions.map((d) => d.name).join(', ')}) differ from the downstream's (${down.dimensions.map((d) => d.name).join(', ')}).`)
    }
    for (const dim of Object.keys(this.mappings)) if (!down.dimensions.some((d) => d.name === dim)) throw mismatch(`${this.description}: there is no dimension "${dim}".`)
    return [down, up]
  }

  mappingFor(dim: string, down: MultiPartitions, up: MultiPartitions): PartitionMapping {
    return this.mappings[dim] ?? defaultMapping(down.dimension(dim), up.dimension(dim))
  }

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    const [down, up] = this.sides(ctx)
    const memo = new Map<string, Part[]>()
    const parts: Part[] = []
    for (const key of downstreamKeys) {
      const byDim = down.unchecked(key)
      const choices = up.dimensions.map(({ name, partitions }) => {
        const memoKey = `${name}\u0000${byDim[name]}`
        let c = memo.get(memoKey)
        if (!c) {
          const r = this.mappingFor(name, down, up).upstreamFor([byDim[name]!], sub(ctx, down.dimension(name), partitions))
          c = [...r.keys.map((k) => ({ key: k, missing: false })), ...r.missing.map((k) => ({ key: k, missing: true }))]
          memo.set(memoKey, c)
        }
        return c
      })
      parts.push(...product(choices))
    }
    return collect(up, parts, ctx)
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    const [down, up] = this.sides(ctx)
    const out: Part[] = []
    for (const key of upstreamKeys) {
      const byDim = up.unchecked(key)
      const choices = down.dimensions.map(({ name, partitions }) =>
        this.mappingFor(name, down, up)
          .downstreamFor([byDim[name]!], sub(ctx, partitions, up.dimension(name)))
          .map((k) => ({ key: k, missing: false })),
      )
      out.push(...product(choices))
    }
    return collect(down, out, ctx).keys
  }
}

export class DimensionMapping implements PartitionMapping {
  readonly kind = 'dimension'
  readonly dimension: string
  readonly inner: PartitionMapping | undefined
  readonly description: string

  constructor(dimension: string, inner?: PartitionMapping) {
    if (typeof dimension !== 'string' || dimension === '') throw new StrataError('STRATA_INVALID_PARTITIONS', "dimensionMapping() needs a dimension name, e.g. dimensionMapping('date').")
    this.dimension = dimension
    this.inner = inner
    this.description = `dimensionMapping(${JSON.stringify(dimension)}${inner ? `, ${inner.description ?? inner.kind}` : ''})`
  }

  /** [multi side, its dimension definition, the single side, whether the multi side is downstream]. */
  sides(ctx: MappingContext): { multi: MultiPartitions; dim: PartitionsDefinition; single: PartitionsDefinition; multiIsDown: boolean } {
    const { downstream: down, upstream: up } = ctx
    const downMulti = down instanceof MultiPartitions
    const upMulti = up instanceof MultiPartitions
    if (downMulti === upMulti || !down || !up) {
      throw mismatch(`${this.description} needs multi partitions on exactly one side, but the upstream is ${describeDef(up)} and the downstream is ${describeDef(down)}.`)
    }
    const multi = (downMulti ? down : up) as MultiPartitions
    return { multi, dim: multi.dimension(this.dimension), single: (downMulti ? up : down)!, multiIsDown: downMulti }
  }

  private innerFor(down: PartitionsDefinition, up: PartitionsDefinition): PartitionMapping {
    return this.inner ?? defaultMapping(down, up)
  }

  /** Every combination of `dimKeys` in this dimension with all keys of the other dimensions. */
  private expand(multi: MultiPartitions, dimKeys: Part[], ctx: MappingContext): Part[] {
    const opts = keysOptions(ctx)
    return product(multi.dimensions.map((d) => (d.name === this.dimension ? dimKeys : d.partitions.keys(opts).map((k) => ({ key: k, missing: false })))))
  }

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    const { multi, dim, single, multiIsDown } = this.sides(ctx)
    if (multiIsDown) {
      const parts = [...new Set(downstreamKeys.map((k) => multi.unchecked(k)[this.dimension]!))]
      return this.innerFor(dim, single).upstreamFor(parts, sub(ctx, dim, single))
    }
    const r = this.innerFor(single, dim).upstreamFor(downstreamKeys, sub(ctx, single, dim))
    const dimKeys = [...r.keys.map((k) => ({ key: k, missing: false })), ...r.missing.map((k) => ({ key: k, missing: true }))]
    return collect(multi, this.expand(multi, dimKeys, ctx), ctx)
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    const { multi, dim, single, multiIsDown } = this.sides(ctx)
    if (multiIsDown) {
      const dimKeys = this.innerFor(dim, single).downstreamFor(upstreamKeys, sub(ctx, dim, single))
      return collect(multi, this.expand(multi, dimKeys.map((k) => ({ key: k, missing: false })), ctx), ctx).keys
    }
    const parts = [...new Set(upstreamKeys.map((k) => multi.unchecked(k)[this.dimension]!))]
    return this.innerFor(single, dim).downstreamFor(parts, sub(ctx, single, dim))
  }
}

/** Per-dimension mappings between two multi-partitioned assets with the same dimensions. */
export function multiMapping(mappings: Record<string, PartitionMapping> = {}): PartitionMapping<'many'> {
  return new MultiMapping(mappings)
}

/** Maps between a multi-partitioned asset and a single-dimension one through dimension `dimension`. */
export function dimensionMapping(dimension: string, mapping?: PartitionMapping): PartitionMapping<'many'> {
  return new DimensionMapping(dimension, mapping)
}
