/**
 * Load-time checks of an input's mapping over time:
 * - future leakage: some downstream partition reads upstream data whose window
 *   ends after its own window ends (STRATA_FUTURE_LEAK unless allowFuture), or,
 *   for a `pointInTime: 'strict'` input, after its own window starts: a
 *   feature computed for a day must not see that day's outcomes;
 * - self-dependency cycles: an asset reading its own partitions must read only
 *   other partitions, and never in a loop (STRATA_CYCLE, even with allowFuture).
 *
 * Time-window mappings are checked structurally on unbounded windows (a
 * sample: the first 100 windows, 50 spread up to now, and the last), so the
 * verdict does not depend on which partitions exist yet.
 */
import { StrataError } from '../../errors.js'
import { MultiPartitions } from '../multi.js'
import { StaticPartitions } from '../static.js'
import { TimeWindowPartitions } from '../time-window.js'
import type { PartitionMapping, PartitionsDefinition } from '../types.js'
import { AllMapping, IdentityMapping, LastMapping } from './basic.js'
import { defaultMapping } from './default.js'
import { DimensionMapping, MultiMapping } from './multi-mapping.js'
import { StaticMapping } from './static-mapping.js'
import { TimeWindowMapping } from './time-window-mapping.js'

export interface FutureLeakCheck {
  /** Key of the asset being built. */
  downKey: string
  /** Key of the asset it reads (equal to downKey for a self-dependency). */
  upKey: string
  inputName: string
  downstream: PartitionsDefinition | undefined
  upstream: PartitionsDefinition | undefined
  /** @defaultValue defaultMapping(downstream, upstream) */
  mapping?: PartitionMapping
  allowFuture?: boolean
  /** `'strict'`: upstream windows must end at or before the downstream window starts (not merely ends). */
  pointInTime?: 'strict'
  /** @defaultValue new Date() */
  now?: Date
  dynamicKeys?: Record<string, readonly string[]>
}

/** An example of the problem: this downstream key reads up to that upstream key (whose window is given when known). */
interface Example {
  down: string
  up: string
  /** The offending upstream window, as ISO instants, and where the downstream window starts. */
  window?: { start: string; end: string; downStart: string }
}

/**
 * The instant no upstream window read by downstream window n may end after:
 * its end, or its start under `pointInTime: 'strict'`.
 */
const deadline = (down: TimeWindowPartitions, n: number, strict: boolean): number => down.tickAt(strict ? n : n + 1)

const iso = (t: number) => new Date(t).toISOString()

function windowOf(down: TimeWindowPartitions, n: number, up: TimeWindowPartitions, u: number): Example['window'] {
  return { start: iso(up.tickAt(u)), end: iso(up.tickAt(u + 1)), downStart: iso(down.tickAt(n)) }
}

function hasTime(def: PartitionsDefinition | undefined): boolean {
  return def instanceof TimeWindowPartitions || (def instanceof MultiPartitions && def.dimensions.some((d) => d.partitions instanceof TimeWindowPartitions))
}

/** Downstream window indices to examine. */
function sampleIndices(def: TimeWindowPartitions, now: number): number[] {
  const first = def.firstIndex
  const last = Math.max(def.lastIndex(now), first + 99)
  const out = new Set<number>()
  for (let n = first; n <= Math.min(last, first + 99); n++) out.add(n)
  for (let i = 0; i <= 50; i++) out.add(first + Math.round(((last - first) * i) / 50))
  return [...out]
}

/** Keys of a multi definition with `part` in dimension `dim` and `*` elsewhere, for messages. */
function inDimension(def: MultiPartitions, dim: string, part: string): string {
  return def.dimensions.map((d) => (d.name === dim ? part : '*')).join('|')
}

/** `key`, plus where its window ends when the two schedules differ (a weekly key alone hides its end). */
function upLabel(down: TimeWindowPartitions, up: TimeWindowPartitions, u: number): string {
  const same = down.cron === up.cron && down.timezone === up.timezone
  return same ? up.keyAt(u) : `${up.keyAt(u)} (window ending ${new Date(up.tickAt(u + 1)).toISOString()})`
}

function timeWindowLeak(m: TimeWindowMapping, down: TimeWindowPartitions, up: TimeWindowPartitions, now: number, strict: boolean): Example | undefined {
  let found: Example | undefined
  for (const n of sampleIndices(down, now)) {
    const s = down.tickAt(n + m.startOffset)
    const e = down.tickAt(n + 1 + m.endOffset)
    if (s >= e) continue
    const lastUp = up.floorIndex(e - 1)
    if (up.tickAt(lastUp + 1) > deadline(down, n, strict)) {
      const example = { down: down.keyAt(n), up: upLabel(down, up, lastUp), window: windowOf(down, n, up, lastUp) }
      found ??= example
      // Prefer an example whose upstream partition is within the upstream's range.
      if (lastUp >= up.firstIndex) return example
    }
  }
  return found
}

function latestExample(down: PartitionsDefinition, up: PartitionsDefinition, now: number): Example {
  const firstOf = (def: PartitionsDefinition): string =>
    def instanceof TimeWindowPartitions ? def.keyAt(def.firstIndex) : def instanceof MultiPartitions ? def.dimensions.map((d) => firstOf(d.partitions)).join('|') : (def.keys({ now: new Date(now) })[0] ?? '*')
  const lastOf = (def: PartitionsDefinition): string =>
    def instanceof TimeWindowPartitions ? def.keyAt(Math.max(def.lastIndex(now), def.firstIndex)) : def instanceof MultiPartitions ? def.dimensions.map((d) => lastOf(d.partitions)).join('|') : (def.keys({ now: new Date(now) }).at(-1) ?? '*')
  return { down: firstOf(down), up: lastOf(up) }
}

/** Finds a downstream partition that reads upstream data ending after its own window ends (after it starts, when strict). */
function findLeak(m: PartitionMapping, down: PartitionsDefinition | undefined, up: PartitionsDefinition | undefined, now: number, strict: boolean): Example | undefined {
  if (!down || !up || !hasTime(down) || !hasTime(up)) return undefined
  if (m instanceof AllMapping || m instanceof LastMapping) {
    if (down instanceof TimeWindowPartitions && up instanceof TimeWindowPartitions && up.end && up.end.getTime() <= deadline(down, down.firstIndex, strict)) return undefined
    return latestExample(down, up, now)
  }
  if (m instanceof TimeWindowMapping && down instanceof TimeWindowPartitions && up instanceof TimeWindowPartitions) return timeWindowLeak(m, down, up, now, strict)
  if (m instanceof IdentityMapping && down instanceof TimeWindowPartitions && up instanceof TimeWindowPartitions) {
    for (const n of sampleIndices(down, now)) {
      const key = down.keyAt(n)
      const u = up.indexOf(key)
      if (u !== undefined && up.tickAt(u + 1) > deadline(down, n, strict)) return { down: key, up: key, window: windowOf(down, n, up, u) }
    }
    return undefined
  }
  if ((m instanceof MultiMapping || m instanceof IdentityMapping) && down instanceof MultiPartitions && up instanceof MultiPartitions) {
    for (const d of down.dimensions) {
      const upDim = up.dimensions.find((x) => x.name === d.name)?.partitions
      if (!upDim) continue
      const inner = m instanceof MultiMapping ? m.mappingFor(d.name, down, up) : m
      const leak = findLeak(inner, d.partitions, upDim, now, strict)
      if (leak) return { ...leak, down: inDimension(down, d.name, leak.down), up: inDimension(up, d.name, leak.up) }
    }
    return undefined
  }
  if (m instanceof DimensionMapping) {
    const s = m.sides({ downstream: down, upstream: up })
    const inner = m.inner ?? (s.multiIsDown ? defaultMapping(s.dim, s.single) : defaultMapping(s.single, s.dim))
    if (s.multiIsDown) {
      const leak = findLeak(inner, s.dim, s.single, now, strict)
      return leak && { ...leak, down: inDimension(s.multi, m.dimension, leak.down) }
    }
    // Reading a multi upstream from a single downstream reads all of its other dimensions.
    const otherTime = s.multi.dimensions.find((d) => d.name !== m.dimension && hasTime(d.partitions))
    if (otherTime) return { down: latestExample(s.single, otherTime.partitions, now).down, up: inDimension(s.multi, otherTime.name, latestExample(s.single, otherTime.partitions, now).up) }
    const leak = findLeak(inner, s.single, s.dim, now, strict)
    return leak && { ...leak, up: inDimension(s.multi, m.dimension, leak.up) }
  }
  if (m instanceof StaticMapping && down instanceof TimeWindowPartitions && up instanceof TimeWindowPartitions) {
    for (const [u, downs] of m.edges) {
      const ui = up.indexOf(u)
      if (ui === undefined) continue
      for (const d of downs) {
        const di = down.indexOf(d)
        if (di !== undefined && up.tickAt(ui + 1) > deadline(down, di, strict)) return { down: d, up: u, window: windowOf(down, di, up, ui) }
      }
    }
  }
  return undefined
}

/** An example partition that reads itself (directly or in a loop), or undefined. */
function findSelfCycle(m: PartitionMapping, def: PartitionsDefinition): string | undefined {
  const firstKey = (): string =>
    def instanceof TimeWindowPartitions ? def.keyAt(def.firstIndex) : def instanceof StaticPartitions ? def.staticKeys[0]! : def instanceof MultiPartitions ? def.dimensions.map(() => '*').join('|') : '(any partition)'
  if (m instanceof IdentityMapping || m instanceof AllMapping || m instanceof LastMapping) return firstKey()
  if (m instanceof TimeWindowMapping) return m.startOffset <= 0 && m.endOffset >= 0 ? firstKey() : undefined
  if (m instanceof StaticMapping) {
    // Edges downstream key → upstream key; any cycle in that graph is a loop of partitions.
    const next = new Map<string, string[]>()
    for (const [u, downs] of m.edges) for (const d of downs) next.set(d, [...(next.get(d) ?? []), u])
    const state = new Map<string, 1 | 2>()
    const visit = (k: string): string | undefined => {
      if (state.get(k) === 1) return k
      if (state.get(k) === 2) return undefined
      state.set(k, 1)
      for (const u of next.get(k) ?? []) {
        const found = visit(u)
        if (found !== undefined) return found
      }
      state.set(k, 2)
      return undefined
    }
    for (const k of next.keys()) {
      const found = visit(k)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (m instanceof MultiMapping && def instanceof MultiPartitions) {
    // The product graph has a cycle iff every dimension's graph has one.
    const parts = def.dimensions.map((d) => findSelfCycle(m.mappingFor(d.name, def, def), d.partitions))
    return parts.every((p) => p !== undefined) ? parts.join('|') : undefined
  }
  return undefined
}

/**
 * Throws STRATA_CYCLE for a self-dependency that reads its own partition (or
 * loops), and STRATA_FUTURE_LEAK when a downstream partition reads upstream
 * partitions ending after its own window ends (after it starts, for a
 * `pointInTime: 'strict'` input), unless `allowFuture`.
 */
export function checkFutureLeak(c: FutureLeakCheck): void {
  const { downKey, upKey, inputName, downstream, upstream } = c
  const now = (c.now ?? new Date()).getTime()
  const m = c.mapping ?? defaultMapping(downstream, upstream)
  const how = m.description ?? m.kind
  if (downKey === upKey) {
    if (!downstream) {
      throw new StrataError(
        'STRATA_CYCLE',
        `Input "${inputName}" of "${downKey}" reads "${downKey}" itself, which is not partitioned: a cycle. Only partitioned assets can read their own earlier partitions, e.g. with timeWindowMapping({ startOffset: -1, endOffset: -1 }).`,
        { asset: downKey, input: inputName },
      )
    }
    const loop = findSelfCycle(m, downstream)
    if (loop !== undefined) {
      throw new StrataError(
        'STRATA_CYCLE',
        `Input "${inputName}" of "${downKey}" reads its own partitions with ${how}: partition ${loop} would wait for itself, a cycle. Use timeWindowMapping({ startOffset: -1, endOffset: -1 }) to read the previous partition instead.`,
        { asset: downKey, input: inputName, partition: loop },
      )
    }
  }
  const strict = c.pointInTime === 'strict'
  if (strict) return checkStrict(c, m, now)
  if (c.allowFuture) return
  const leak = findLeak(m, downstream, upstream, now, false)
  if (leak) {
    throw new StrataError(
      'STRATA_FUTURE_LEAK',
      `Input "${inputName}" of "${downKey}" reads ${upKey} partitions ending after the partition it builds (e.g. ${leak.down} reads up to ${leak.up}): that is future leakage. Use timeWindowMapping({ endOffset: -1 }) to read only earlier partitions, or set allowFuture: true on the input if this is intended.`,
      { asset: downKey, input: inputName, upstream: upKey, example: leak },
    )
  }
}

/** `pointInTime: 'strict'`: every upstream window read must have ended when the downstream window starts. */
function checkStrict(c: FutureLeakCheck, m: PartitionMapping, now: number): void {
  const { downKey, upKey, inputName, downstream, upstream } = c
  if (!hasTime(downstream) || !hasTime(upstream)) {
    const side = !hasTime(downstream) ? `"${downKey}"` : `"${upKey}"`
    throw new StrataError(
      'STRATA_INVALID_DEFINITIONS',
      `Input "${inputName}" of "${downKey}" says pointInTime: 'strict', but ${side} has no time-window partitions, so there is no window to compare. Strict point-in-time inputs read time-partitioned upstreams into time-partitioned assets; drop pointInTime here.`,
      { asset: downKey, input: inputName, upstream: upKey },
    )
  }
  const leak = findLeak(m, downstream, upstream, now, true)
  if (!leak) return
  const w = leak.window
  const where = w ? `, window ${w.start} to ${w.end}, which ends after ${leak.down} starts at ${w.downStart}` : ''
  throw new StrataError(
    'STRATA_FUTURE_LEAK',
    `Input "${inputName}" of "${downKey}" is pointInTime: 'strict' but reads ${upKey} partitions that end after the partition it builds starts (e.g. ${leak.down} reads ${leak.up}${where}): that is future leakage. Read only windows that ended before, e.g. timeWindowMapping({ startOffset: -7, endOffset: -1 }).`,
    { asset: downKey, input: inputName, upstream: upKey, pointInTime: 'strict', example: leak },
  )
}
