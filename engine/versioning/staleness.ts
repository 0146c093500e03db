import type { AssetDefinition, Definitions } from '../../assets/types.js'
import type { LatestMaterialization } from '../storage/types.js'

export type AssetStatus = 'MISSING' | 'STALE' | 'FRESH'

/** A cause that lies in the asset itself (not inherited from upstream). */
export type DirectReason =
  | { kind: 'NEVER_MATERIALIZED' }
  | { kind: 'CODE_VERSION_CHANGED'; previous: string; current: string }
  | { kind: 'DEPENDENCY_ADDED'; dep: string }
  | { kind: 'DEPENDENCY_REMOVED'; dep: string }
  | { kind: 'UPSTREAM_DATA_CHANGED'; dep: string; consumed: string; current: string }

export interface RootCause {
  key: string
  reason: DirectReason
}

export type StaleReason =
  | DirectReason
  | { kind: 'UPSTREAM_STALE' | 'UPSTREAM_MISSING'; dep: string; rootCauses: RootCause[] }

export interface AssetState {
  key: string
  status: AssetStatus
  reasons: StaleReason[]
  latest?: LatestMaterialization
}

/**
 * The asset's own reasons to be rebuilt, judged against the latest
 * materializations of its upstreams. Upstream staleness is not included:
 * that is inherited, see computeStates.
 */
export function directReasons(
  asset: AssetDefinition<any>,
  latest: LatestMaterialization | undefined,
  latestOf: (key: string) => LatestMaterialization | undefined,
): DirectReason[] {
  if (!latest) return [{ kind: 'NEVER_MATERIALIZED' }]
  const reasons: DirectReason[] = []
  if (latest.codeVersion !== asset.codeVersion) {
    reasons.push({ kind: 'CODE_VERSION_CHANGED', previous: latest.codeVersion, current: asset.codeVersion })
  }
  const consumed = new Map<string, string>()
  for (const edge of latest.consumed) {
    if (edge.upstreamAssetKey !== asset.key) consumed.set(edge.upstreamAssetKey, edge.upstreamDataVersion)
  }
  for (const dep of asset.upstreamKeys) {
    const consumedVersion = consumed.get(dep)
    if (consumedVersion === undefined) {
      reasons.push({ kind: 'DEPENDENCY_ADDED', dep })
      continue
    }
    const current = latestOf(dep)
    if (current && current.dataVersion !== consumedVersion) {
      reasons.push({ kind: 'UPSTREAM_DATA_CHANGED', dep, consumed: consumedVersion, current: current.dataVersion })
    }
  }
  const declared = new Set(asset.upstreamKeys)
  for (const dep of consumed.keys()) {
    if (!declared.has(dep)) reasons.push({ kind: 'DEPENDENCY_REMOVED', dep })
  }
  return reasons
}

const MAX_ROOT_CAUSES = 20

/**
 * Status of every asset, in one pass over a topological order: an asset is
 * STALE for its own reasons, or because an upstream is stale or missing, in
 * which case the root causes found upstream are carried along.
 */
export function computeStates(
  defs: Definitions,
  order: readonly string[],
  latestByKey: ReadonlyMap<string, LatestMaterialization>,
): Map<string, AssetState> {
  const states = new Map<string, AssetState>()
  const rootsOf = new Map<string, RootCause[]>()
  const latestOf = (key: string) => latestByKey.get(key)
  for (const key of order) {
    const asset = defs.byKey.get(key)!
    const latest = latestByKey.get(key)
    const direct = directReasons(asset, latest, latestOf)
    const reasons: StaleReason[] = [...direct]
    const roots: RootCause[] = direct.map((reason) => ({ key, reason }))
    for (const dep of asset.upstreamKeys) {
      const up = states.get(dep)
      if (!up || up.status === 'FRESH') continue
      const upRoots = rootsOf.get(dep) ?? []
      reasons.push({ kind: up.status === 'MISSING' ? 'UPSTREAM_MISSING' : 'UPSTREAM_STALE', dep, rootCauses: upRoots })
      for (const r of upRoots) {
        if (roots.length >= MAX_ROOT_CAUSES) break
        if (!roots.some((x) => x.key === r.key && x.reason.kind === r.reason.kind)) roots.push(r)
      }
    }
    const status: AssetStatus = !latest ? 'MISSING' : reasons.length > 0 ? 'STALE' : 'FRESH'
    states.set(key, { key, status, reasons, latest })
    rootsOf.set(key, roots)
  }
  return states
}

const short = (v: string) => (v.length > 12 ? v.slice(0, 12) : v)

export function describeDirect(reason: DirectReason, key?: string): string {
  const who = key ? `${key}: ` : ''
  switch (reason.kind) {
    case 'NEVER_MATERIALIZED':
      return `${who}never materialized`
    case 'CODE_VERSION_CHANGED':
      return `${who}code version changed (${short(reason.previous)} → ${short(reason.current)})`
    case 'DEPENDENCY_ADDED':
      return `${who}new dependency ${reason.dep}`
    case 'DEPENDENCY_REMOVED':
      return `${who}dependency ${reason.dep} was removed`
    case 'UPSTREAM_DATA_CHANGED':
      return `${who}upstream ${reason.dep} has new data (consumed ${short(reason.consumed)}, now ${short(reason.current)})`
  }
}

/** One line per reason, as shown by `strata list` and `strata why`. */
export function describeReason(reason: StaleReason): string {
  if (reason.kind === 'UPSTREAM_STALE' || reason.kind === 'UPSTREAM_MISSING') {
    const what = reason.kind === 'UPSTREAM_MISSING' ? 'is missing' : 'is stale'
    const roots = reason.rootCauses.map((r) => describeDirect(r.reason, r.key))
    return `upstream ${reason.dep} ${what}${roots.length ? ` (root cause: ${roots.join('; ')})` : ''}`
  }
  return describeDirect(reason as DirectReason)
}
