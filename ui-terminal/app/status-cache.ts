/**
 * Asset status for the UI: the engine's status index, summarized per asset,
 * kept between polls and recomputed only for what changed (the changed
 * assets and everything downstream of them) unless most of the graph did.
 */
import { displayStatus, loadStatusIndex, summarize, type AssetSummary, type NodeState, type PartitionDisplayStatus, type Workspace } from '../../engine/index.js'
import { groupOrder, reasonLines, type AssetDetail, type AssetRow, type FreshnessCheck, type LineageEntry, type PartitionInfo, type RowStatus } from './model.js'

/** Above this share of the graph, a partial refresh costs about as much as a full one. */
const PARTIAL_LIMIT = 0.3

export class StatusCache {
  private readonly summaries = new Map<string, AssetSummary>()
  private readonly nodes = new Map<string, readonly NodeState[]>()
  /** Running attempts of unpartitioned assets (the status index keeps these for partitions, and failed ones for all). */
  private readonly runStates = new Map<string, 'IN_PROGRESS'>()
  /** Keys in display order: grouped, topological within a group. */
  readonly order: readonly string[]
  private rowCache = new Map<string, AssetRow>()
  private partitionCache = new Map<string, { nodes: readonly NodeState[]; value: NonNullable<AssetDetail['partitions']>; position?: Map<string, number> }>()
  /** Duration of the last refresh, ms. */
  lastRefreshMs = 0

  constructor(private readonly ws: Workspace) {
    const topo = ws.graph.topologicalOrder()
    this.order = groupOrder(topo.map((key) => ({ key, group: ws.defs.byKey.get(key)!.group }))).map((x) => x.key)
  }

  get ready(): boolean {
    return this.summaries.size > 0 || this.order.length === 0
  }

  /** Recomputes the status of `keys` and their downstream, or of everything. Returns the keys recomputed. */
  async refresh(keys?: Iterable<string>): Promise<readonly string[]> {
    const started = performance.now()
    let target: string[] | undefined
    if (keys) {
      const start = [...keys].filter((k) => this.ws.graph.has(k))
      if (start.length === 0) return []
      const affected = new Set([...start, ...this.ws.graph.downstreamClosure(start)])
      if (affected.size < this.order.length * PARTIAL_LIMIT) target = [...affected]
    }
    const index = await loadStatusIndex(this.ws, target ? { keys: target } : {})
    const done = target ?? this.order
    for (const key of done) {
      this.summaries.set(key, summarize(index, key))
      this.nodes.set(key, index.nodes(key))
      this.rowCache.delete(key)
      if (!this.ws.defs.byKey.get(key)!.partitions) {
        const c = await this.ws.storage.countPartitionStates(key)
        if (c.IN_PROGRESS > 0) this.runStates.set(key, 'IN_PROGRESS')
        else this.runStates.delete(key)
      }
    }
    this.lastRefreshMs = performance.now() - started
    return done
  }

  /** Row status: running and failed attempts first, then the asset's status. */
  rowStatus(key: string, running: ReadonlySet<string>): RowStatus {
    const s = this.summaries.get(key)
    if (running.has(key)) return 'RUNNING'
    if (!s) return 'MISSING'
    if (s.partitions) {
      if (s.partitions.counts.IN_PROGRESS > 0) return 'RUNNING'
      if (s.partitions.counts.FAILED > 0) return 'FAILED'
      return s.status
    }
    const runState = this.nodes.get(key)?.[0]?.runState ?? this.runStates.get(key)
    if (runState === 'IN_PROGRESS') return 'RUNNING'
    if (runState === 'FAILED') return 'FAILED'
    return s.status
  }

  /** Every row in display order; unchanged rows keep their identity. */
  rows(running: ReadonlySet<string>): AssetRow[] {
    return this.order.map((key) => {
      const status = this.rowStatus(key, running)
      const cached = this.rowCache.get(key)
      if (cached && cached.status === status) return cached
      const s = this.summaries.get(key)
      const freshnessCheck = this.freshnessCheck(key)
      const row: AssetRow = { key, group: this.ws.defs.byKey.get(key)!.group, status, materializedAt: s?.latest?.endedAt, partitions: s?.partitions, ...(freshnessCheck ? { freshnessCheck } : {}) }
      this.rowCache.set(key, row)
      return row
    })
  }

  detail(key: string, running: ReadonlySet<string>): AssetDetail | undefined {
    const asset = this.ws.defs.byKey.get(key)
    if (!asset) return undefined
    const s = this.summaries.get(key)
    const latest = s?.latest
    const entry = (k: string): LineageEntry => ({ key: k, status: this.rowStatus(k, running) })
    return {
      key,
      group: asset.group,
      description: asset.description,
      tags: asset.tags,
      codeVersion: asset.codeVersion,
      codeVersionSource: asset.codeVersionSource,
      status: this.rowStatus(key, running),
      freshness: s?.status,
      failure: s?.failure,
      dataVersion: latest?.dataVersion,
      materializedAt: latest?.endedAt,
      runId: latest?.runId,
      metadata: latest?.metadata,
      reasons: reasonLines(s?.reasons ?? []),
      upstream: this.ws.graph.upstream(key).map(entry),
      downstream: this.ws.graph.downstream(key).map(entry),
      consumed: (latest?.consumed ?? []).map((c) => ({ key: c.upstreamAssetKey, partitionKey: c.upstreamPartitionKey, dataVersion: c.upstreamDataVersion })),
      partitions: asset.partitions ? this.partitionsOf(key, asset.partitions.id) : undefined,
      freshnessCheck: this.freshnessCheck(key),
    }
  }

  /** The asset's freshness policy and the update it judges, as strata list takes it: a partitioned asset's latest partition, not its newest materialization. */
  freshnessCheck(key: string): FreshnessCheck | undefined {
    const asset = this.ws.defs.byKey.get(key)
    const policy = asset?.freshness
    if (!policy) return undefined
    if (!asset.partitions) return { policy, lastUpdated: this.summaries.get(key)?.latest?.endedAt, partitionKey: null }
    const last = this.nodes.get(key)?.at(-1)
    return { policy, lastUpdated: last?.latest?.endedAt, partitionKey: last?.partitionKey ?? null }
  }

  /** The latest materialization's partition and id, for loading what the index lacks (metadata). */
  latestRef(key: string): { partitionKey: string; id?: number } | undefined {
    const nodes = this.nodes.get(key)
    if (!nodes) return undefined
    let best: NodeState | undefined
    for (const n of nodes) if (n.latest && (!best || n.latest.endedAt > best.latest!.endedAt)) best = n
    return best && { partitionKey: best.partitionKey, id: best.latest!.id }
  }

  partition(key: string, partitionKey: string): PartitionInfo | undefined {
    const nodes = this.nodes.get(key)
    const asset = this.ws.defs.byKey.get(key)
    if (!nodes || !asset) return undefined
    let node: NodeState | undefined
    if (asset.partitions) {
      this.partitionsOf(key, asset.partitions.id)
      const entry = this.partitionCache.get(key)!
      entry.position ??= new Map(nodes.map((n, i) => [n.partitionKey, i]))
      const i = entry.position.get(partitionKey)
      node = i === undefined ? undefined : nodes[i]
    } else {
      node = nodes[0]
    }
    if (!node) return undefined
    return {
      partitionKey,
      status: displayStatus(node),
      reasons: reasonLines(node.reasons),
      dataVersion: node.latest?.dataVersion,
      materializedAt: node.latest?.endedAt,
      runId: node.latest?.runId,
      consumed: node.latest?.consumed.map((c) => ({ key: c.upstreamAssetKey, partitionKey: c.upstreamPartitionKey, dataVersion: c.upstreamDataVersion })),
    }
  }

  private partitionsOf(key: string, definition: string): NonNullable<AssetDetail['partitions']> {
    const nodes = this.nodes.get(key) ?? []
    const cached = this.partitionCache.get(key)
    if (cached && cached.nodes === nodes) return cached.value
    const value = { definition, keys: nodes.map((n) => n.partitionKey), statuses: nodes.map((n): PartitionDisplayStatus => displayStatus(n)) }
    this.partitionCache.set(key, { nodes, value })
    return value
  }
}
