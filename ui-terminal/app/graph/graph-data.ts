/**
 * The asset graph as the graph view needs it: every key in topological
 * order, and for each asset its upstream and downstream edges, each labelled
 * with the partition mapping it reads through when the upstream is
 * partitioned (`-7..-1 days`, `all`, `same day`). Built once per load.
 */
import { defaultMapping, type AssetDefinition, type Definitions, type PartitionMapping, type PartitionsDefinition } from '../../../assets/index.js'
import type { AssetGraph } from '../../../engine/index.js'

export interface GraphEdge {
  from: string
  to: string
  /** How downstream partitions read upstream ones; undefined for an unpartitioned upstream. */
  label?: string
}

export interface GraphData {
  /** Every asset key, upstream before downstream. */
  keys: readonly string[]
  /** Edges into an asset (from its upstreams). */
  upstream(key: string): readonly GraphEdge[]
  /** Edges out of an asset (to its downstreams). */
  downstream(key: string): readonly GraphEdge[]
  groupOf(key: string): string
}

const NONE: readonly GraphEdge[] = Object.freeze([])

/** Edges of `graph`, with mapping labels read from the definitions (records without `ins` get plain edges). */
export function graphDataOf(graph: AssetGraph, defs: Definitions): GraphData {
  const keys = graph.topologicalOrder()
  const upstream = new Map<string, GraphEdge[]>()
  const downstream = new Map<string, GraphEdge[]>()
  for (const key of keys) {
    const asset = defs.byKey.get(key) as AssetDefinition<unknown> | undefined
    const ups = graph.upstream(key)
    if (ups.length === 0) continue
    const edges = ups.map((from): GraphEdge => {
      const label = asset ? edgeLabel(asset, defs.byKey.get(from) as AssetDefinition<unknown> | undefined) : undefined
      return label === undefined ? { from, to: key } : { from, to: key, label }
    })
    upstream.set(key, edges)
    for (const e of edges) {
      const list = downstream.get(e.from)
      if (list) list.push(e)
      else downstream.set(e.from, [e])
    }
  }
  return { keys, upstream: (k) => upstream.get(k) ?? NONE, downstream: (k) => downstream.get(k) ?? NONE, groupOf: (k) => defs.byKey.get(k)?.group ?? '' }
}

/** The mappings an asset reads one upstream through (one per input naming it, or the default for a `deps` entry), as one label. */
function edgeLabel(asset: AssetDefinition<unknown>, up: AssetDefinition<unknown> | undefined): string | undefined {
  if (!up?.partitions) return undefined
  const labels: string[] = []
  for (const input of Object.values(asset.ins ?? {})) {
    if (input.assetKey !== up.key || input.isSelf) continue
    labels.push(mappingLabel(input.mapping ?? defaultMapping(asset.partitions, up.partitions), asset.partitions, up.partitions))
  }
  if (labels.length === 0) labels.push(mappingLabel(defaultMapping(asset.partitions, up.partitions), asset.partitions, up.partitions))
  return [...new Set(labels)].join(', ')
}

type TimeWindowed = PartitionsDefinition & { granularity: 'hourly' | 'daily' | 'weekly' | 'monthly'; cron: string; timezone: string }
const UNIT: Record<TimeWindowed['granularity'], string> = { hourly: 'hour', daily: 'day', weekly: 'week', monthly: 'month' }

/** A mapping in a few words: offsets of a time window in downstream units, else the mapping's kind or what its description names. */
export function mappingLabel(mapping: PartitionMapping, down: PartitionsDefinition | undefined, up: PartitionsDefinition | undefined): string {
  const m = mapping as PartitionMapping & { startOffset?: number; endOffset?: number; dimension?: string }
  if (m.kind === 'time-window' && down?.kind === 'time-window' && typeof m.startOffset === 'number' && typeof m.endOffset === 'number') {
    const d = down as TimeWindowed
    const u = up as TimeWindowed | undefined
    const unit = UNIT[d.granularity] ?? 'partition'
    const { startOffset: s, endOffset: e } = m
    if (s === 0 && e === 0) return u && u.kind === 'time-window' && u.cron === d.cron && u.timezone === d.timezone ? `same ${unit}` : `within the ${unit}`
    const n = s === e ? Math.abs(s) : Math.max(Math.abs(s), Math.abs(e))
    return `${s === e ? signed(s) : `${signed(s)}..${signed(e)}`} ${unit}${n === 1 ? '' : 's'}`
  }
  if (m.kind === 'identity') return 'same key'
  if (m.kind === 'all' || m.kind === 'last') return m.kind
  // A mapping written in code as f(args): its arguments say what it reads, e.g. keyRangeMapping(training: 2001-01-08..2001-05-31).
  const args = /^[\w$.]+\((.+)\)$/.exec(m.description ?? '')?.[1]?.trim()
  return args && !args.startsWith('{') ? args : m.kind
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n))
