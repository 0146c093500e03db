import type { KeysOptions } from '../assets/partitions/types.js'
import { upstreamLinks } from './partitions/mapping.js'
import type { CorruptObjectRecord, LatestMaterialization, PartitionRunState } from './storage/types.js'
import { describeReason, type AssetStatus, type StaleReason } from './versioning/staleness.js'
import { displayStatus, StatusIndex, type LastFailure, type PartitionDisplayStatus, type StatusLatest } from './versioning/status-index.js'
import { loadVersionExplainer } from './versioning/version-reasons.js'
import type { Workspace } from './workspace.js'

/** An asset's status as shown: a failed last attempt takes precedence over MISSING, STALE and FRESH. */
export type AssetDisplayStatus = AssetStatus | 'FAILED'

export interface AssetSummary {
  key: string
  /** Whether the latest good materialization is fresh, stale or missing (what staleness and --stale go by). */
  status: AssetStatus
  /** What to show: FAILED when the last attempt of an unpartitioned asset failed, else `status`. */
  display: AssetDisplayStatus
  reasons: readonly StaleReason[]
  /** Latest materialization (the newest partition's, for partitioned assets); kept when a later attempt failed. */
  latest?: StatusLatest
  /** The failed last attempt of an unpartitioned asset (partitions count theirs in `partitions.counts.FAILED`). */
  failure?: LastFailure
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
  const unpartitioned: string[] = []
  for (const key of order) {
    const asset = ws.defs.byKey.get(key)!
    if (!asset.partitions) {
      withEdges.push(key)
      unpartitioned.push(key)
      continue
    }
    // An asset reading a production model needs its recorded versions (metadata), which the state index does not hold.
    const leaf = upstreamLinks(ws.defs, asset).length === 0 && !asset.models?.length
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
  const versionChange = await loadVersionExplainer(ws.storage, ws.defs, latest)
  const production = await ws.storage.getProductionVersions([...new Set(order.flatMap((k) => ws.defs.byKey.get(k)!.models ?? []))])
  const corrupt = new Map<string, Map<string, CorruptObjectRecord>>()
  for (const c of await ws.storage.getCorruptObjects()) bucket(corrupt, c.assetKey).set(c.partitionKey, c)
  const failures = new Map<string, LastFailure>()
  for (const f of await ws.storage.getFailedAttempts(unpartitioned)) {
    bucket(runStates, f.assetKey).set('', 'FAILED')
    failures.set(f.assetKey, { message: firstLine(f.message), runId: f.runId, at: f.failedAt })
  }
  return new StatusIndex(ws.defs, order, {
    latestOf: (key, partition) => latest.get(key)?.get(partition),
    runStateOf: (key, partition) => runStates.get(key)?.get(partition),
    failureOf: (key, partition) => (partition === '' ? failures.get(key) : undefined),
    corruptOf: (key, partition) => corrupt.get(key)?.get(partition),
    keysOptions,
    versionChange,
    production,
  })
}

/** The error's first line: the rest (often a stack or a long list) is in `strata logs RUN_ID`. */
function firstLine(message: string | undefined): string {
  const line = message?.split('\n').find((l) => l.trim() !== '')?.trim()
  return line ?? 'no error message was recorded'
}

/** A failed last attempt in one line, worded alike by `strata list`, `strata why` and the UI; `when` is e.g. `3m ago`. */
export function describeFailure(failure: LastFailure, when?: string): string {
  return `last attempt failed${when ? ` ${when}` : ''} in run ${failure.runId.slice(0, 8)}: ${failure.message}`
}

const EXAMPLES = 3

/** One line of status per asset: partitioned assets are summarized over their partitions. */
export function summarize(index: StatusIndex, key: string): AssetSummary {
  const nodes = index.nodes(key)
  if (nodes.length === 1 && nodes[0]!.partitionKey === '') {
    const n = nodes[0]!
    const summary: AssetSummary = { key, status: n.status, display: n.failure ? 'FAILED' : n.status, reasons: n.reasons, latest: n.latest }
    if (n.failure) summary.failure = n.failure
    return summary
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
  return { key, status, display: status, reasons, latest, partitions: { total: nodes.length, counts } }
}

/** Status and reasons of every asset, in topological order. */
export async function readAssetStates(ws: Workspace): Promise<Map<string, AssetSummary>> {
  const index = await loadStatusIndex(ws)
  return new Map(ws.graph.topologicalOrder().map((k) => [k, summarize(index, k)]))
}
