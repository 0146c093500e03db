/**
 * The status a condition needs, read for exactly the partitions it looks
 * at: eager() and onCron() judge the latest partition(s) only, so a tick over
 * 1,000 daily assets reads 1,000 partitions and their upstream partitions,
 * not 365,000 (in one query each for latest materializations, lineage and
 * states). A judged partition gets the direct reasons `strata why` gives
 * (never built, code changed, an upstream with data it has not consumed);
 * an upstream partition only whether it exists and its attempt state. The
 * transitive staleness of stale() needs the full status index (status.ts),
 * which the caller uses for those conditions.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import type { KeysOptions, MultiPartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import { upstreamKeysFor, upstreamLinks } from '../partitions/mapping.js'
import type { LatestMaterialization, SlotKey, SlotState, Storage } from '../storage/types.js'
import type { AssetStatus } from '../versioning/staleness.js'
import { directReasonsOf, nodeLabel, type NodeState } from '../versioning/status-index.js'

/** What evaluation reads of the status (the status index has the same shape). */
export interface StatusView {
  node(key: string, partitionKey: string): NodeState | undefined
  nodes(key: string): readonly NodeState[]
}

/** How many latest partitions a condition can hold for (`all` when any). */
export function scopeOf(spec: ConditionSpec): number | 'all' {
  switch (spec.kind) {
    case 'eager':
      return Math.max(1, spec.lookback ?? 1)
    case 'onCron':
      return 1
    case 'and': {
      const numeric = spec.of.map(scopeOf).filter((s): s is number => s !== 'all')
      return numeric.length ? Math.min(...numeric) : 'all'
    }
    case 'or': {
      const scopes = spec.of.map(scopeOf)
      return scopes.every((s) => s !== 'all') ? Math.max(...(scopes as number[])) : 'all'
    }
    default:
      return 'all'
  }
}

/** Whether the condition needs staleness passed down from upstream (stale()). */
export function needsFullStatus(spec: ConditionSpec): boolean {
  if (spec.kind === 'stale') return true
  if (spec.kind === 'and' || spec.kind === 'or') return spec.of.some(needsFullStatus)
  if (spec.kind === 'not') return needsFullStatus(spec.of)
  return false
}

/** The partitions a condition of this scope looks at: the last `n` time windows (for multi partitions, keys whose time part is among them), else all. */
export function scopedKeys(asset: AssetDefinition<any>, scope: number | 'all', keysOptions: KeysOptions, cache?: Map<object, string[]>): string[] {
  const p = asset.partitions
  if (!p) return ['']
  let all = cache?.get(p)
  if (!all) {
    all = p.keys(keysOptions)
    cache?.set(p, all)
  }
  if (scope === 'all') return all
  if (p.kind === 'time-window') return all.slice(Math.max(0, all.length - scope))
  if (p.kind === 'multi') {
    const multi = p as MultiPartitionsDefinition
    const time = multi.dimensions.find((d) => d.partitions.kind === 'time-window')
    if (!time) return all
    const latest = new Set(time.partitions.keys(keysOptions).slice(-scope))
    return all.filter((k) => latest.has(multi.parseKey(k, keysOptions)[time.name]!))
  }
  return all
}

const NEVER: NodeState['reasons'] = Object.freeze([{ kind: 'NEVER_MATERIALIZED' }]) as NodeState['reasons']
const NONE: NodeState['reasons'] = Object.freeze([]) as NodeState['reasons']

/** Reads the judged partitions (`targets`: asset → keys) and the upstream partitions they read. */
export async function loadSlotView(storage: Storage, defs: Definitions, targets: ReadonlyMap<string, readonly string[]>, keysOptions: KeysOptions): Promise<StatusView> {
  const judged = new Set<string>()
  const targetSlots: SlotKey[] = []
  const upstreamSlots = new Map<string, SlotKey>()
  for (const [assetKey, keys] of targets) {
    const asset = defs.byKey.get(assetKey)!
    for (const partitionKey of keys) {
      judged.add(nodeLabel(assetKey, partitionKey))
      targetSlots.push({ assetKey, partitionKey })
    }
    // A partitioned asset with no partition yet reads nothing.
    if (asset.partitions && keys.length === 0) continue
    for (const link of upstreamLinks(defs, asset)) {
      for (const upKey of upstreamKeysFor(asset, link, asset.partitions ? keys : [], keysOptions).keys) upstreamSlots.set(nodeLabel(link.upstream.key, upKey), { assetKey: link.upstream.key, partitionKey: upKey })
    }
  }
  const onlyUpstream = [...upstreamSlots].filter(([label]) => !judged.has(label)).map(([, s]) => s)
  const [withEdges, plain, states] = await Promise.all([
    storage.readSlots(targetSlots, { consumed: true }),
    storage.readSlots(onlyUpstream, { consumed: false }),
    storage.getSlotStates([...targetSlots, ...onlyUpstream]),
  ])
  const latest = new Map<string, LatestMaterialization>()
  for (const m of [...withEdges.latest, ...plain.latest]) latest.set(nodeLabel(m.assetKey, m.partitionKey), m)
  const stateOf = new Map<string, SlotState>(states.map((s) => [nodeLabel(s.assetKey, s.partitionKey), s]))
  const latestOf = (key: string, partitionKey: string) => latest.get(nodeLabel(key, partitionKey))
  const memo = new Map<string, NodeState>()
  const byAsset = new Map<string, string[]>()
  for (const s of [...targetSlots, ...onlyUpstream]) {
    const list = byAsset.get(s.assetKey)
    if (list) list.push(s.partitionKey)
    else byAsset.set(s.assetKey, [s.partitionKey])
  }

  const node = (key: string, partitionKey: string): NodeState | undefined => {
    const label = nodeLabel(key, partitionKey)
    const hit = memo.get(label)
    if (hit) return hit
    const asset = defs.byKey.get(key)
    if (!asset || (!judged.has(label) && !upstreamSlots.has(label))) return undefined
    const m = latest.get(label)
    const state = stateOf.get(label)
    const runState = state && state.state !== 'MATERIALIZED' ? state.state : undefined
    let reasons = m ? NONE : NEVER
    let status: AssetStatus = m ? 'FRESH' : 'MISSING'
    if (m && judged.has(label)) {
      const { direct } = directReasonsOf(asset, partitionKey, upstreamLinks(defs, asset), m, latestOf, keysOptions)
      if (direct.length) {
        reasons = direct
        status = 'STALE'
      }
    }
    const n: NodeState = { key, partitionKey, status, reasons, ...(m ? { latest: m } : {}), ...(runState ? { runState } : {}) }
    if (runState === 'FAILED') n.failure = { message: '', runId: state!.runId, at: state!.updatedAt }
    memo.set(label, n)
    return n
  }

  return {
    node,
    nodes: (key) => (byAsset.get(key) ?? []).map((p) => node(key, p)!),
  }
}
