/**
 * From "materialize this selection (these partitions)" to run requests: the
 * (asset, partition) slots it covers, minus those a request of the daemon
 * already has queued or running (merged, never duplicated), split so that
 * every run builds exactly its slots (assets needing different partitions
 * go to different runs; unpartitioned assets ride with the first).
 */
import { randomUUID } from 'node:crypto'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { Definitions } from '../../assets/types.js'
import { StrataError } from '../../assets/errors.js'
import type { AssetGraph } from '../graph/asset-graph.js'
import { resolveSelection } from '../graph/selection.js'
import { partitionsFor } from '../partitions/targets.js'
import type { AutomationSourceKind, NewAutomationRequest, SlotKey } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { OpenSlot } from './context.js'

/** asset key → its partitions (`['']` when unpartitioned), in selection order. */
export type SlotPlan = Map<string, string[]>

/** The slots of a selection; a partitioned asset needs `partitionKeys` (keys of its own or of another selected time-window asset). */
export function planSlots(defs: Definitions, graph: AssetGraph, selection: string, partitionKeys: readonly string[] | undefined, keysOptions: KeysOptions): SlotPlan {
  const keys = resolveSelection(selection, graph, defs)
  const selected = keys.map((k) => defs.byKey.get(k)!)
  const plan: SlotPlan = new Map()
  for (const asset of selected) {
    if (!asset.partitions) {
      plan.set(asset.key, [''])
      continue
    }
    if (!partitionKeys?.length) {
      throw new StrataError('STRATA_INVALID_PARTITION_KEY', `"${asset.key}" is partitioned: the run request for "${selection}" must give partitionKeys.`, { key: asset.key })
    }
    const parts = partitionsFor(asset, { keys: partitionKeys }, selected, keysOptions)
    if (parts.length) plan.set(asset.key, parts)
  }
  return plan
}

export interface RequestGroup {
  assetKeys: string[]
  partitionKeys?: string[]
  slots: SlotKey[]
}

export interface SplitPlan {
  groups: RequestGroup[]
  /** Slots left out because a request already has them. */
  merged: Array<SlotKey & { open: OpenSlot }>
}

export function splitRequest(plan: SlotPlan, open: ReadonlyMap<string, OpenSlot>): SplitPlan {
  const merged: SplitPlan['merged'] = []
  const byPartitions = new Map<string, RequestGroup>()
  const unpartitioned: string[] = []
  for (const [assetKey, partitions] of plan) {
    const left = partitions.filter((p) => {
      const o = open.get(nodeLabel(assetKey, p))
      if (o) merged.push({ assetKey, partitionKey: p, open: o })
      return !o
    })
    if (left.length === 0) continue
    if (left.length === 1 && left[0] === '') {
      unpartitioned.push(assetKey)
      continue
    }
    const id = JSON.stringify(left)
    let g = byPartitions.get(id)
    if (!g) byPartitions.set(id, (g = { assetKeys: [], partitionKeys: left, slots: [] }))
    g.assetKeys.push(assetKey)
    for (const p of left) g.slots.push({ assetKey, partitionKey: p })
  }
  const groups = [...byPartitions.values()]
  if (unpartitioned.length) {
    const host = groups[0] ?? { assetKeys: [], slots: [] }
    if (groups.length === 0) groups.push(host)
    host.assetKeys.push(...unpartitioned)
    host.slots.push(...unpartitioned.map((assetKey) => ({ assetKey, partitionKey: '' })))
    // Selection order (upstream first) within the run's description.
    const order = [...plan.keys()]
    host.assetKeys.sort((a, b) => order.indexOf(a) - order.indexOf(b))
  }
  return { groups, merged }
}

/** Run tags naming what launched a run (`strata runs` shows them). */
export function launchTags(kind: AutomationSourceKind, name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'strata/launched-by': `${kind === 'conditions' ? 'condition' : kind}:${name}`, ...extra }
}

/** The requests of one decision; a decision split in several runs gets `#2`, `#3`… keys. */
export function toRequests(
  split: SplitPlan,
  base: { requestKey: string; sourceKind: AutomationSourceKind; sourceName: string; reason: string; tags: Record<string, string>; runKey?: string; createdAt: number },
): NewAutomationRequest[] {
  return split.groups.map((g, i) => ({
    requestKey: i === 0 ? base.requestKey : `${base.requestKey}#${i + 1}`,
    runId: randomUUID(),
    sourceKind: base.sourceKind,
    sourceName: base.sourceName,
    selection: g.assetKeys.join(' '),
    assetKeys: g.assetKeys,
    ...(g.partitionKeys ? { partitionKeys: g.partitionKeys } : {}),
    slots: g.slots,
    reason: base.reason,
    tags: base.tags,
    ...(base.runKey !== undefined ? { runKey: base.runKey } : {}),
    createdAt: base.createdAt,
  }))
}
