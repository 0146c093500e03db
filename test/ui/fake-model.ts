/**
 * An in-memory UiModel for component tests and the UI benchmark: rows and runs
 * are given, actions are recorded, and filtering goes through the real
 * selection resolver over real (trivial) definitions of the same keys.
 */
import { asset, defineDefinitions } from '../../assets/index.js'
import type { Definitions } from '../../assets/types.js'
import { AssetGraph, type PartitionDisplayStatus } from '../../engine/index.js'
import {
  filterKeys,
  groupOrder,
  type AssetDetail,
  type AssetRow,
  type BackfillRequest,
  type BackfillView,
  type ChecksView,
  type CancelTarget,
  type FilterResult,
  type MaterializeRequest,
  type PartitionInfo,
  type RowStatus,
  type RunDetail,
  type RunView,
  type UiModel,
  type UiSnapshot,
} from '../../ui-terminal/app/model.js'
import { graphDataOf, type GraphData, type GraphEdge } from '../../ui-terminal/app/graph/graph-data.js'

export type Call =
  | { type: 'materialize'; req: MaterializeRequest }
  | { type: 'stale' }
  | { type: 'backfill'; req: BackfillRequest }
  | { type: 'cancel'; target: CancelTarget }
  | { type: 'reload' }

export interface FakeAsset {
  key: string
  group: string
  status: RowStatus
  materializedAt?: number
  /** Per-partition statuses of a partitioned asset (keys p000, p001, …). */
  partitions?: PartitionDisplayStatus[]
  upstream?: string[]
  /** Partition mapping labels of upstream edges, by upstream key (the graph view shows them). */
  mappings?: Record<string, string>
  /** In the definitions (searched) and the detail pane. */
  description?: string
  tags?: Record<string, string>
  /** Metadata of the latest materialization. @defaultValue { rows: 10 } when materialized */
  metadata?: Record<string, unknown>
  checks?: ChecksView
}

export const partitionKeyOf = (i: number) => `p${String(i).padStart(3, '0')}`

export class FakeModel implements UiModel {
  readonly calls: Call[] = []
  private snapshot: UiSnapshot
  private readonly listeners = new Set<() => void>()
  private readonly byKey: Map<string, FakeAsset>
  private readonly defs: Definitions
  private readonly graph: AssetGraph
  runDetails = new Map<string, RunDetail>()

  constructor(assets: readonly FakeAsset[], opts: { title?: string } = {}) {
    this.byKey = new Map(assets.map((a) => [a.key, a]))
    const defined = new Map<string, ReturnType<typeof asset>>()
    for (const a of assets) {
      defined.set(a.key, asset({ key: a.key, group: a.group, description: a.description, tags: a.tags, deps: (a.upstream ?? []).map((u) => defined.get(u)!), codeVersion: 'v1', compute: () => 1 }))
    }
    this.defs = defineDefinitions({ assets: [...defined.values()] })
    this.graph = AssetGraph.fromDefinitions(this.defs)
    this.snapshot = { title: opts.title ?? 'fake', generation: 1, loading: false, rows: groupOrder(assets.map((a) => this.rowOf(a))), runs: [], backfills: [] }
  }

  private rowOf(a: FakeAsset): AssetRow {
    const counts = { FRESH: 0, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 }
    for (const s of a.partitions ?? []) counts[s]++
    return { key: a.key, group: a.group, status: a.status, materializedAt: a.materializedAt, partitions: a.partitions ? { total: a.partitions.length, counts } : undefined }
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  getSnapshot = () => this.snapshot

  /** Replaces parts of the snapshot and notifies, as the real model does after a poll. */
  update(patch: Partial<UiSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch }
    for (const l of this.listeners) l()
  }

  setRuns(runs: RunView[], backfills: BackfillView[] = []): void {
    this.update({ runs, backfills })
  }

  filter(text: string): FilterResult {
    return filterKeys(text, this.graph, this.defs)
  }

  detail(key: string): AssetDetail | undefined {
    const a = this.byKey.get(key)
    if (!a) return undefined
    const entry = (k: string) => ({ key: k, status: this.byKey.get(k)!.status })
    return {
      key,
      group: a.group,
      description: a.description ?? `Fake asset ${key}`,
      tags: a.tags ?? {},
      codeVersion: 'v1',
      codeVersionSource: 'explicit',
      status: a.status,
      dataVersion: a.materializedAt ? `dv-${key}` : undefined,
      materializedAt: a.materializedAt,
      runId: a.materializedAt ? 'run-0001' : undefined,
      metadata: a.materializedAt ? (a.metadata ?? { rows: 10 }) : undefined,
      reasons: a.status === 'STALE' ? [{ text: 'code version changed (v0 → v1)', depth: 0 }] : a.status === 'MISSING' ? [{ text: 'never materialized', depth: 0 }] : [],
      upstream: this.graph.upstream(key).map(entry),
      downstream: this.graph.downstream(key).map(entry),
      consumed: [],
      partitions: a.partitions ? { definition: 'static(fake)', keys: a.partitions.map((_, i) => partitionKeyOf(i)), statuses: a.partitions } : undefined,
      checks: a.checks,
    }
  }

  partition(key: string, partitionKey: string): PartitionInfo | undefined {
    const a = this.byKey.get(key)
    const i = Number(partitionKey.slice(1))
    const status = a?.partitions?.[i]
    return status ? { partitionKey, status, reasons: status === 'STALE' ? [{ text: 'upstream data changed', depth: 0 }] : [] } : undefined
  }

  runDetail(runId: string): RunDetail | undefined {
    return this.runDetails.get(runId)
  }

  private graphCache?: GraphData
  graphData(): GraphData {
    if (this.graphCache) return this.graphCache
    const plain = graphDataOf(this.graph, this.defs)
    const label = (e: GraphEdge): GraphEdge => {
      const text = this.byKey.get(e.to)?.mappings?.[e.from]
      return text ? { ...e, label: text } : e
    }
    const up = new Map(plain.keys.map((k) => [k, plain.upstream(k).map(label)]))
    const down = new Map<string, GraphEdge[]>()
    for (const edges of up.values()) for (const e of edges) down.set(e.from, [...(down.get(e.from) ?? []), e])
    return (this.graphCache = { keys: plain.keys, upstream: (k) => up.get(k) ?? [], downstream: (k) => down.get(k) ?? [], groupOf: plain.groupOf })
  }

  materialize(req: MaterializeRequest): void {
    this.calls.push({ type: 'materialize', req })
  }
  materializeStale(): void {
    this.calls.push({ type: 'stale' })
  }
  backfill(req: BackfillRequest): void {
    this.calls.push({ type: 'backfill', req })
  }
  cancel(target: CancelTarget): void {
    this.calls.push({ type: 'cancel', target })
  }
  reload(): void {
    this.calls.push({ type: 'reload' })
  }
  ownActive(): number {
    return 0
  }
  async close(): Promise<void> {}
}

const STATUSES: RowStatus[] = ['FRESH', 'STALE', 'MISSING', 'FRESH', 'RUNNING', 'FRESH', 'FAILED']

/** `n` assets in `groups` groups (`g0/a00000` …), statuses cycling; every 5th partitioned. */
export function fakeAssets(n: number, groups = 10, now = Date.now()): FakeAsset[] {
  const out: FakeAsset[] = []
  for (let i = 0; i < n; i++) {
    const status = STATUSES[i % STATUSES.length]!
    out.push({
      key: `g${i % groups}/a${String(i).padStart(5, '0')}`,
      group: `group${i % groups}`,
      status,
      materializedAt: status === 'MISSING' ? undefined : now - (i % 120) * 60_000,
      partitions: i % 5 === 0 ? Array.from({ length: 30 }, (_, p): PartitionDisplayStatus => (p < 20 ? 'FRESH' : p < 24 ? 'STALE' : p === 24 ? 'FAILED' : 'MISSING')) : undefined,
    })
  }
  return out
}
