import type { KeysOptions } from '../assets/partitions/types.js'
import { upstreamLinks } from './partitions/mapping.js'
import type { LatestMaterialization, PartitionRunState } from './storage/types.js'
import { describeReason, type AssetStatus, type StaleReason } from './versioning/staleness.js'
import { displayStatus, StatusIndex, type PartitionDisplayStatus, type StatusLatest } from './versioning/status-index.js'
import type { Workspace } from './workspace.js'

export interface AssetSummary {
  key: string
  status: AssetStatus
  reasons: readonly StaleReason[]
  /** Latest materialization (the newest partition's, for partitioned assets). */
  latest?: StatusLatest
  partitions?: { total: number; counts: Record<PartitionDisplayStatus, number> }
}

/** `now` and the stored dynamic partition keys, for evaluating partition definitions. */
export async function keysOptionsFor(ws: Workspace, now = new Date()): Promise<KeysOptions> {
  return { now, dynamicKeys: await ws.storage.getDynamicPartitions() }
}

/**
 * Builds the status index for the given assets and everything upstream of
 * them. Partitioned assets without upstreams are read from the partition
 * state index alone (no lineage edges needed), which keeps 100,000-partition
 * assets fast.
 */
export async function loadStatusIndex(ws: Workspace, opts: { keys?: readonly string[]; keysOptions?: KeysOptions } = {}): Promise<StatusIndex> {
  const keysOptions = opts.keysOptions ?? (await keysOptionsFor(ws))
  const wanted = opts.keys ? new Set([...opts.keys, ...ws.graph.upstreamClosure(opts.keys)]) : undefined
  const order = wanted ? ws.graph.topologicalOrder(wanted) : ws.graph.topologicalOrder()
  // Nested maps (asset → partition → value): no composite string per partition.
  const latest = new Map<string, Map<string, StatusLatest>>()
  const runStates = new Map<string, Map<string, Exclude<PartitionRunState, 'MATERIALIZED'>>>()
  const bucket = <V>(m: Map<string, Map<string, V>>, key: string) => {
    let b = m.get(key)
    if (!b) m.set(key, (b = new Map()))
    return b
  }
  const withEdges: string[] = []
  for (const key of order) {
    const asset = ws.defs.byKey.get(key)!
    if (!asset.partitions) {
      withEdges.push(key)
      continue
    }
    const leaf = upstreamLinks(ws.defs, asset).length === 0
    if (!leaf) withEdges.push(key)
    const states = await ws.storage.getPartitionStates(key)
    const latestOfAsset = bucket(latest, key)
    for (const s of states) {
      if (s.state !== 'MATERIALIZED') bucket(runStates, key).set(s.partitionKey, s.state)
      if (leaf && s.materializationId !== undefined && s.dataVersion !== undefined && s.codeVersion !== undefined) {
        latestOfAsset.set(s.partitionKey, { id: s.materializationId, codeVersion: s.codeVersion, dataVersion: s.dataVersion, consumed: [], endedAt: s.updatedAt, runId: s.runId })
      }
    }
  }
  const many: LatestMaterialization[] = withEdges.length ? await ws.storage.getLatestMany(wanted ? withEdges : undefined) : []
  for (const m of many) bucket(latest, m.assetKey).set(m.partitionKey, m)
  return new StatusIndex(ws.defs, order, {
    latestOf: (key, partition) => latest.get(key)?.get(partition),
    runStateOf: (key, partition) => runStates.get(key)?.get(partition),
    keysOptions,
  })
}

const EXAMPLES = 3

/** One line of status per asset: partitioned assets are summarized over their partitions. */
export function summarize(index: StatusIndex, key: string): AssetSummary {
  const nodes = index.nodes(key)
  if (nodes.length === 1 && nodes[0]!.partitionKey === '') {
    const n = nodes[0]!
    return { key, status: n.status, reasons: n.reasons, latest: n.latest }
  }
  const counts: Record<PartitionDisplayStatus, number> = { FRESH: 0, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 }
  const missing: string[] = []
  const stale: Array<{ partitionKey: string; reasons: string[] }> = []
  let missingCount = 0
  let staleCount = 0
  let latest: StatusLatest | undefined
  for (const n of nodes) {
    counts[displayStatus(n)]++
    if (n.status === 'MISSING') {
      missingCount++
      if (missing.length < EXAMPLES) missing.push(n.partitionKey)
    } else if (n.status === 'STALE') {
      staleCount++
      if (stale.length < EXAMPLES) stale.push({ partitionKey: n.partitionKey, reasons: n.reasons.map(describeReason) })
    }
    if (n.latest && (!latest || n.latest.endedAt > latest.endedAt)) latest = n.latest
  }
  const reasons: StaleReason[] = []
  if (staleCount) reasons.push({ kind: 'PARTITIONS_STALE', count: staleCount, total: nodes.length, examples: stale })
  if (missingCount) reasons.push({ kind: 'PARTITIONS_MISSING', count: missingCount, total: nodes.length, examples: missing })
  const status: AssetStatus = staleCount ? 'STALE' : missingCount ? 'MISSING' : 'FRESH'
  return { key, status, reasons, latest, partitions: { total: nodes.length, counts } }
}

/** Status and reasons of every asset, in topological order. */
export async function readAssetStates(ws: Workspace): Promise<Map<string, AssetSummary>> {
  const index = await loadStatusIndex(ws)
  return new Map(ws.graph.topologicalOrder().map((k) => [k, summarize(index, k)]))
}
