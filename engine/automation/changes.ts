/**
 * Which conditions a tick must evaluate again. A condition's answer depends
 * on its asset's and its upstreams' materializations and attempt states, on
 * the daemon's open requests, on which partitions exist (time, dynamic keys)
 * and, for some, on the clock (cron ticks, "since the previous evaluation").
 * When none of those moved for an asset since the last tick, its answer is
 * the one already recorded, and it is skipped: a tick in which nothing
 * happened costs a few small queries whatever the number of assets.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import type { KeysOptions, MultiPartitionsDefinition, PartitionsDefinition, TimeWindowPartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetGraph } from '../graph/asset-graph.js'
import type { AssetDefinition } from '../../assets/types.js'
import type { CronTicks } from './cron.js'
import type { OpenSlot } from './context.js'

/** What the previous tick saw, to compare with. */
export interface Seen {
  at: number
  open: Map<string, string>
  running: Map<string, string>
  dynamicKeys: string
  latestKeys: Map<PartitionsDefinition, string>
}

type Leaf = ConditionSpec['kind']

function kindsOf(spec: ConditionSpec, out = new Set<Leaf>()): Set<Leaf> {
  out.add(spec.kind)
  if (spec.kind === 'and' || spec.kind === 'or') for (const s of spec.of) kindsOf(s, out)
  if (spec.kind === 'not') kindsOf(spec.of, out)
  return out
}

function cronsOf(spec: ConditionSpec, out: Array<{ cron: string; timezone?: string }> = []): Array<{ cron: string; timezone?: string }> {
  if (spec.kind === 'onCron' || spec.kind === 'cronTickPassed') out.push({ cron: spec.cron, timezone: spec.timezone })
  if (spec.kind === 'and' || spec.kind === 'or') for (const s of spec.of) cronsOf(s, out)
  if (spec.kind === 'not') cronsOf(spec.of, out)
  return out
}

const assetOf = (label: string) => {
  const bracket = label.indexOf('[')
  return bracket === -1 ? label : label.slice(0, bracket)
}

/** The last key of a definition's time dimension (what moves with the clock); '' when none does. */
export function latestKeyOf(p: PartitionsDefinition, keysOptions: KeysOptions): string {
  if (p.kind === 'time-window') return (p as TimeWindowPartitionsDefinition).lastKey(keysOptions) ?? ''
  if (p.kind === 'multi') return (p as MultiPartitionsDefinition).dimensions.map((d) => latestKeyOf(d.partitions, keysOptions)).join('|')
  return ''
}

export interface ChangeInput {
  conditions: ReadonlyMap<string, ConditionSpec>
  defsByKey: ReadonlyMap<string, AssetDefinition<any>>
  graph: AssetGraph
  cron: CronTicks
  now: number
  keysOptions: KeysOptions
  /** Assets whose materializations or attempt states changed (storage). */
  changed: readonly string[]
  open: ReadonlyMap<string, OpenSlot>
  running: ReadonlyMap<string, string>
  previous: Seen | undefined
}

/** The conditions to evaluate (undefined: all of them, the first time) and what this tick saw. */
export function conditionsToEvaluate(input: ChangeInput): { only: Set<string> | undefined; seen: Seen } {
  const seen: Seen = {
    at: input.now,
    open: new Map([...input.open].map(([label, o]) => [label, `${o.requestId}:${o.status}`])),
    running: new Map(input.running),
    dynamicKeys: JSON.stringify(input.keysOptions.dynamicKeys ?? {}),
    latestKeys: new Map(),
  }
  const moved = new Set<string>(input.changed)
  const prev = input.previous
  for (const [label, v] of seen.open) if (prev?.open.get(label) !== v) moved.add(assetOf(label))
  for (const label of prev?.open.keys() ?? []) if (!seen.open.has(label)) moved.add(assetOf(label))
  for (const [label, v] of seen.running) if (prev?.running.get(label) !== v) moved.add(assetOf(label))
  for (const label of prev?.running.keys() ?? []) if (!seen.running.has(label)) moved.add(assetOf(label))
  const dynamicMoved = prev !== undefined && prev.dynamicKeys !== seen.dynamicKeys
  for (const a of input.defsByKey.values()) {
    const p = a.partitions
    if (!p) continue
    let latest = seen.latestKeys.get(p)
    if (latest === undefined) seen.latestKeys.set(p, (latest = latestKeyOf(p, input.keysOptions)))
    if (prev && prev.latestKeys.get(p) !== latest) moved.add(a.key)
    if (dynamicMoved && (p.kind === 'dynamic' || p.kind === 'multi')) moved.add(a.key)
  }
  if (!prev) return { only: undefined, seen }

  const only = new Set<string>()
  for (const [key, spec] of input.conditions) {
    const kinds = kindsOf(spec)
    if (kinds.has('newlyUpdated') || kinds.has('codeVersionChanged')) {
      only.add(key)
      continue
    }
    if (cronsOf(spec).some((c) => (input.cron.latest(c.cron, new Date(input.now), c.timezone)?.getTime() ?? -Infinity) > prev.at)) {
      only.add(key)
      continue
    }
    // Its own partitions, or the upstream ones it reads (stale(): anything upstream).
    const reads = kinds.has('stale') ? input.graph.upstreamClosure(key) : input.graph.upstream(key)
    if (moved.has(key) || reads.some((u) => moved.has(u))) only.add(key)
  }
  return { only, seen }
}
