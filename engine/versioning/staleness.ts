import type { Definitions } from '../../assets/types.js'
import { StatusIndex, type StatusLatest } from './status-index.js'
import type { LatestMaterialization } from '../storage/types.js'

export type AssetStatus = 'MISSING' | 'STALE' | 'FRESH'

/** A cause that lies in the asset itself (not inherited from upstream). */
export type DirectReason =
  | { kind: 'NEVER_MATERIALIZED' }
  /** `changes`: what changed in the code the compute uses (`helper ./lib.ts (factor)`), when both versions' components are known. */
  | { kind: 'CODE_VERSION_CHANGED'; previous: string; current: string; changes?: string[] }
  /** A part of the asset's definition changed, e.g. `mapping of input "history" changed: -7..-1 → -7..0`. */
  | { kind: 'DEFINITION_CHANGED'; change: string }
  | { kind: 'DEPENDENCY_ADDED'; dep: string }
  | { kind: 'DEPENDENCY_REMOVED'; dep: string }
  | { kind: 'UPSTREAM_DATA_CHANGED'; dep: string; consumed: string; current: string }
  /** The registry's production version of a model the asset reads (`asset({ models })`) is not the one it was built with; null: none. */
  | { kind: 'PRODUCTION_MODEL_CHANGED'; model: string; consumed: number | null; current: number | null }
  /** The latest materialization's stored object was found damaged (see Storage.markCorruptObjects): its value cannot be read until rebuilt. */
  | { kind: 'CORRUPT_OBJECT'; location: string; problem: string }

export interface RootCause {
  key: string
  reason: DirectReason
}

export type StaleReason =
  | DirectReason
  | { kind: 'UPSTREAM_STALE' | 'UPSTREAM_MISSING'; dep: string; rootCauses: RootCause[] }
  /** More upstream partitions are stale or missing than are listed. */
  | { kind: 'MORE_UPSTREAM'; count: number }
  /** Summary for a partitioned asset: some partitions were never materialized. */
  | { kind: 'PARTITIONS_MISSING'; count: number; total: number; examples: string[] }
  /** Summary for a partitioned asset: some partitions are stale; first reasons of a few. */
  | { kind: 'PARTITIONS_STALE'; count: number; total: number; examples: Array<{ partitionKey: string; reasons: string[] }> }

export interface AssetState {
  key: string
  status: AssetStatus
  reasons: readonly StaleReason[]
  latest?: StatusLatest
}

/**
 * Status of every unpartitioned asset from a map of latest materializations
 * (see StatusIndex for the partition-aware computation this delegates to).
 */
export function computeStates(
  defs: Definitions,
  order: readonly string[],
  latestByKey: ReadonlyMap<string, LatestMaterialization>,
): Map<string, AssetState> {
  const index = new StatusIndex(defs, order, {
    latestOf: (key, partitionKey) => (partitionKey === '' ? latestByKey.get(key) : undefined),
    keysOptions: {},
  })
  const states = new Map<string, AssetState>()
  for (const key of order) {
    const node = index.node(key)!
    states.set(key, { key, status: node.status, reasons: node.reasons, latest: node.latest })
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
      if (reason.changes?.length) return `${who}code changed: ${reason.changes.join('; ')}`
      return `${who}code version changed (${short(reason.previous)} → ${short(reason.current)})`
    case 'DEFINITION_CHANGED':
      return `${who}${reason.change}`
    case 'DEPENDENCY_ADDED':
      return `${who}new dependency ${reason.dep}`
    case 'DEPENDENCY_REMOVED':
      return `${who}dependency ${reason.dep} was removed`
    case 'UPSTREAM_DATA_CHANGED':
      return `${who}upstream ${reason.dep} has new data (consumed ${short(reason.consumed)}, now ${short(reason.current)})`
    case 'CORRUPT_OBJECT':
      return `${who}stored object ${reason.location} is corrupt (${reason.problem})`
    case 'PRODUCTION_MODEL_CHANGED': {
      const v = (n: number | null) => (n === null ? 'none' : `v${n}`)
      return `${who}production model ${reason.model} changed: ${v(reason.consumed)} → ${v(reason.current)}`
    }
  }
}

/** One line per reason, as shown by `strata list` and `strata why`. */
export function describeReason(reason: StaleReason): string {
  if (reason.kind === 'MORE_UPSTREAM') return `and ${reason.count} more upstream partition(s) stale or missing`
  if (reason.kind === 'PARTITIONS_MISSING') {
    return `${reason.count} of ${reason.total} partitions never materialized (${reason.examples.join(', ')}${reason.count > reason.examples.length ? ', …' : ''})`
  }
  if (reason.kind === 'PARTITIONS_STALE') {
    const first = reason.examples[0]
    return `${reason.count} of ${reason.total} partitions stale${first ? ` (e.g. ${first.partitionKey}: ${first.reasons[0]})` : ''}`
  }
  if (reason.kind === 'UPSTREAM_STALE' || reason.kind === 'UPSTREAM_MISSING') {
    const what = reason.kind === 'UPSTREAM_MISSING' ? 'is missing' : 'is stale'
    const roots = reason.rootCauses.map((r) => describeDirect(r.reason, r.key))
    return `upstream ${reason.dep} ${what}${roots.length ? ` (root cause: ${roots.join('; ')})` : ''}`
  }
  return describeDirect(reason as DirectReason)
}
