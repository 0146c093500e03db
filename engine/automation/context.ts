/**
 * What evaluating one asset's condition sees: the status index (the same
 * missing / stale / failed / in-progress answers as `strata why` and
 * `strata status`), the daemon's own open requests, the asset's evaluation
 * history, and the instant of the tick. Notes are structured (words come
 * from describe.ts), so the stored explanation is data.
 */
import type { KeysOptions, MultiPartitionsDefinition, PartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import { upstreamKeysFor, upstreamLinks, type UpstreamLink } from '../partitions/mapping.js'
import type { SlotKey } from '../storage/types.js'
import { nodeLabel, type NodeState } from '../versioning/status-index.js'
import type { CronTicks } from './cron.js'
import type { StatusView } from './view.js'

/** A (asset, partition) the daemon has requested and not finished. */
export interface OpenSlot {
  requestId: number
  runId: string
  status: 'QUEUED' | 'LAUNCHED'
}

/** Why a partition was (not) requested, as data. */
export type Note =
  | { kind: 'missing' }
  | { kind: 'upstream-updated'; dep: string; at: number }
  | { kind: 'cron-tick'; tick: number }
  | { kind: 'condition-true'; parts: string[] }
  | { kind: 'condition-false'; label: string; despite: Note }
  | { kind: 'in-progress'; label: string; slot: SlotKey; runId?: string; requestId?: number; queued?: boolean }
  | { kind: 'upstream-in-progress'; label: string; slot: SlotKey; runId?: string; requestId?: number; queued?: boolean }
  | { kind: 'upstream-missing'; label: string }
  | { kind: 'upstream-failed'; label: string; runId?: string }
  | { kind: 'upstream-nonexistent'; label: string }
  | { kind: 'upstream-not-updated-since-tick'; label: string; tick: number }
  | { kind: 'history'; since: number; what: 'missing' | 'stale' | 'updated' | 'tick' }
  | { kind: 'handled'; at: number }
  | { kind: 'failed'; runId?: string }
  | { kind: 'no-new-data' }
  | { kind: 'no-tick-yet' }
  | { kind: 'merged'; requestId: number; runId: string; queued: boolean }

export interface PartitionNote {
  requested: boolean
  note: Note
}

/** Per tick, shared by every asset. */
export interface TickInputs {
  defs: Definitions
  keysOptions: KeysOptions
  now: number
  open: ReadonlyMap<string, OpenSlot>
  /** Slots a RUNNING run has IN_PROGRESS (any process), by label, with the run id. */
  running: ReadonlyMap<string, string>
  cron: CronTicks
}

export interface AssetContext {
  tick: TickInputs
  asset: AssetDefinition<any>
  /** The status of the partitions it looks at and of the upstream partitions they read. */
  view: StatusView
  /** The partition keys the condition looks at (all, or the latest ones for eager/onCron; `['']` when unpartitioned). */
  keys: readonly string[]
  partitioned: boolean
  /** When this condition was first evaluated for this asset: the start of "new". */
  startedAt: number
  startCodeVersion: string
  /** The previous evaluation of this condition, if any. */
  previous?: { evaluatedAt: number; codeVersion: string }
  /** Whether a partition key existed when the condition was first evaluated. */
  existedAtStart(partitionKey: string): boolean
  /** When a partition was last requested by the daemon. */
  lastRequested(partitionKey: string): number | undefined
}

/** One upstream partition a partition reads. */
export interface UpstreamSlot {
  link: UpstreamLink
  slot: SlotKey
  label: string
  node: NodeState | undefined
  /** A missing upstream partition is allowed (allowMissing). */
  optional: boolean
}

export function nodeOf(ctx: AssetContext, partitionKey: string): NodeState | undefined {
  return ctx.view.node(ctx.asset.key, partitionKey)
}

/**
 * The upstream partitions a partition reads, and those its mappings name that
 * do not exist; optional as a step judges its inputs (engine/execution/inputs.ts):
 * a missing one only with allowMissing, a nonexistent one also for the
 * asset's own earlier partitions (the first has none).
 */
export function upstreamsOf(ctx: AssetContext, partitionKey: string): { slots: UpstreamSlot[]; nonexistent: Array<{ label: string; optional: boolean }> } {
  const slots: UpstreamSlot[] = []
  const nonexistent: Array<{ label: string; optional: boolean }> = []
  for (const link of upstreamLinks(ctx.tick.defs, ctx.asset)) {
    const { keys, missing } = upstreamKeysFor(ctx.asset, link, partitionKey ? [partitionKey] : [], ctx.tick.keysOptions)
    for (const upKey of keys) {
      // A step never reads the partition it is writing.
      if (link.isSelf && upKey === partitionKey) continue
      slots.push({ link, slot: { assetKey: link.upstream.key, partitionKey: upKey }, label: nodeLabel(link.upstream.key, upKey), node: ctx.view.node(link.upstream.key, upKey), optional: link.allowMissing })
    }
    for (const upKey of missing) nonexistent.push({ label: nodeLabel(link.upstream.key, upKey), optional: link.allowMissing || link.isSelf })
  }
  return { slots, nonexistent }
}

/** The partition itself is being materialized or is queued: never requested again meanwhile. */
export function busyNote(ctx: AssetContext, partitionKey: string): Note | undefined {
  const label = nodeLabel(ctx.asset.key, partitionKey)
  const slot = { assetKey: ctx.asset.key, partitionKey }
  const open = ctx.tick.open.get(label)
  if (open) return { kind: 'in-progress', label, slot, runId: open.runId, requestId: open.requestId, queued: open.status === 'QUEUED' }
  const run = ctx.tick.running.get(label)
  if (run) return { kind: 'in-progress', label, slot, runId: run }
  return undefined
}

/** Upstream in progress (a run, or a request of the daemon) or failed, as a note; undefined when neither. */
export function upstreamBusyNote(ctx: AssetContext, up: UpstreamSlot, opts: { failedBlocks: boolean }): Note | undefined {
  const open = ctx.tick.open.get(up.label)
  if (open) return { kind: 'upstream-in-progress', label: up.label, slot: up.slot, runId: open.runId, requestId: open.requestId, queued: open.status === 'QUEUED' }
  const run = ctx.tick.running.get(up.label)
  if (run) return { kind: 'upstream-in-progress', label: up.label, slot: up.slot, runId: run }
  if (opts.failedBlocks && up.node?.runState === 'FAILED') return { kind: 'upstream-failed', label: up.label, runId: up.node.failure?.runId }
  return undefined
}

const isTimeWindow = (p: PartitionsDefinition | undefined) => p?.kind === 'time-window'

/**
 * The partitions a "latest" condition looks at: the last `n` time windows
 * (for multi partitions, every key whose time part is among them), else all.
 */
export function latestKeys(ctx: AssetContext, n: number): readonly string[] {
  const p = ctx.asset.partitions
  if (!p) return ctx.keys
  if (isTimeWindow(p)) return ctx.keys.slice(Math.max(0, ctx.keys.length - n))
  if (p.kind === 'multi') {
    const multi = p as MultiPartitionsDefinition
    const time = multi.dimensions.find((d) => isTimeWindow(d.partitions))
    if (!time) return ctx.keys
    const latest = new Set(time.partitions.keys(ctx.tick.keysOptions).slice(-n))
    return ctx.keys.filter((k) => latest.has(multi.parseKey(k, ctx.tick.keysOptions)[time.name]!))
  }
  return ctx.keys
}
