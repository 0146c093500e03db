import type { KeysOptions, PartitionMapping, PartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions, NormalizedInput } from '../../assets/types.js'
import { defaultMapping } from '../../assets/partitions/index.js'

/** One upstream dependency of an asset: an `ins` entry or an order-only `deps` entry. */
export interface UpstreamLink {
  upstream: AssetDefinition<any>
  /** Input name; undefined for `deps`. */
  inputName?: string
  input?: NormalizedInput
  mapping: PartitionMapping
  isSelf: boolean
  /** True when the compute receives one value rather than a Map of partition → value. */
  single: boolean
  allowMissing: boolean
}

const linkCache = new WeakMap<AssetDefinition<any>, UpstreamLink[]>()

/**
 * Whether a step receives a single upstream value: the upstream is
 * unpartitioned, or the mapping pairs each downstream partition with exactly
 * one upstream partition by construction (identity, last, or a time window of
 * the same schedule with equal offsets). Otherwise the input is a Map.
 */
export function isSingleValued(down: PartitionsDefinition | undefined, up: PartitionsDefinition | undefined, mapping: PartitionMapping): boolean {
  if (!up) return true
  if (!down) return mapping.kind === 'last'
  if (mapping.kind === 'identity' || mapping.kind === 'last') return true
  if (mapping.kind === 'time-window' && down.kind === 'time-window' && up.kind === 'time-window') {
    const m = mapping as PartitionMapping & { startOffset: number; endOffset: number }
    const d = down as PartitionsDefinition & { cron: string; timezone: string }
    const u = up as PartitionsDefinition & { cron: string; timezone: string }
    return d.cron === u.cron && d.timezone === u.timezone && m.startOffset === m.endOffset
  }
  return false
}

/** The upstream links of an asset with their effective mappings (explicit, else Dagster's defaults). */
export function upstreamLinks(defs: Definitions, asset: AssetDefinition<any>): UpstreamLink[] {
  const cached = linkCache.get(asset)
  if (cached) return cached
  const links: UpstreamLink[] = []
  const seen = new Set<string>()
  for (const [name, input] of Object.entries(asset.ins)) {
    const upstream = defs.byKey.get(input.assetKey)!
    const mapping = input.mapping ?? defaultMapping(asset.partitions, upstream.partitions)
    links.push({
      upstream,
      inputName: name,
      input,
      mapping,
      isSelf: input.isSelf,
      single: isSingleValued(asset.partitions, upstream.partitions, mapping),
      allowMissing: input.allowMissing,
    })
    seen.add(input.assetKey)
  }
  for (const dep of asset.deps) {
    if (seen.has(dep)) continue
    const upstream = defs.byKey.get(dep)!
    const mapping = defaultMapping(asset.partitions, upstream.partitions)
    links.push({ upstream, mapping, isSelf: false, single: isSingleValued(asset.partitions, upstream.partitions, mapping), allowMissing: false })
  }
  linkCache.set(asset, links)
  return links
}

/** Upstream partition keys a set of downstream keys reads through a link (`['']` for an unpartitioned upstream). */
export function upstreamKeysFor(
  asset: AssetDefinition<any>,
  link: UpstreamLink,
  downstreamKeys: readonly string[],
  opts: KeysOptions,
): { keys: string[]; missing: string[] } {
  const keys = downstreamKeys.length ? downstreamKeys : ['']
  if (!link.upstream.partitions) return { keys: [''], missing: [] }
  return link.mapping.upstreamFor(asset.partitions ? keys : [''], {
    downstream: asset.partitions,
    upstream: link.upstream.partitions,
    now: opts.now,
    dynamicKeys: opts.dynamicKeys,
  })
}
