/**
 * timeWindowMapping(): Dagster's TimeWindowPartitionMapping. A downstream
 * partition reads every upstream partition whose window overlaps its own,
 * after shifting its start by `startOffset` and its end by `endOffset`
 * partitions.
 *
 * Offsets count DOWNSTREAM partitions (as in Dagster: "if the upstream and
 * downstream definitions differ, the offset is in units of the downstream").
 * Daily reading daily with { startOffset: -7, endOffset: -1 } reads the seven
 * previous days; daily reading hourly with { startOffset: -1 } reads the 48
 * hours of the previous and current day.
 *
 * startOffset must not exceed endOffset (the read window would be empty);
 * it defaults to 0, or to endOffset when that is negative: Dagster's
 * TimeWindowPartitionMapping(end_offset=-1) reads nothing, ours reads the
 * previous partition, as "read only earlier partitions" suggests.
 *
 * Existence, as in Dagster: a shifted boundary is clamped to the span of
 * existing upstream partitions (so a lookback at the first partition just
 * reads less), then overlapping upstream partitions that do not exist are
 * reported as `missing`, or dropped with `allowNonexistent`. Windows are
 * compared as instants, so the two sides may use different time zones.
 */
import { StrataError } from '../../errors.js'
import { TimeWindowPartitions } from '../time-window.js'
import type { MappingArity, MappingContext, PartitionMapping } from '../types.js'
import { describeDef, keysOptions, mismatch, type UpstreamResult } from './common.js'

export interface TimeWindowMappingOptions {
  /**
   * Shift of the read window's start, in downstream partitions.
   * @defaultValue 0, or `endOffset` when that is negative (so `{ endOffset: -1 }` reads the previous partition)
   */
  startOffset?: number
  /** Shift of the read window's end, in downstream partitions. @defaultValue 0 */
  endOffset?: number
  /** Drop required upstream partitions that do not exist instead of reporting them as missing. @defaultValue false */
  allowNonexistent?: boolean
}

/** Sorted, merged inclusive index ranges. */
function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((x, y) => x[0] - y[0])
  const out: Array<[number, number]> = []
  for (const [a, b] of ranges) {
    const last = out[out.length - 1]
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

export class TimeWindowMapping implements PartitionMapping {
  readonly kind = 'time-window'
  readonly startOffset: number
  readonly endOffset: number
  readonly allowNonexistent: boolean
  readonly description: string

  constructor(o: TimeWindowMappingOptions = {}) {
    const { endOffset = 0, allowNonexistent = false } = o ?? {}
    // Dagster's default start is 0, which with a negative end reads nothing; read the shifted window instead.
    const startOffset = o?.startOffset ?? Math.min(0, endOffset)
    for (const [name, v] of [['startOffset', startOffset], ['endOffset', endOffset]] as const) {
      if (!Number.isInteger(v)) throw new StrataError('STRATA_INVALID_PARTITIONS', `timeWindowMapping(): ${name} must be a whole number (got ${JSON.stringify(v)}).`)
    }
    if (startOffset > endOffset) {
      // The read window [start + startOffset, end + endOffset) would be empty for every partition.
      throw new StrataError(
        'STRATA_INVALID_PARTITIONS',
        `timeWindowMapping(): startOffset (${startOffset}) must not be greater than endOffset (${endOffset}); e.g. { startOffset: -7, endOffset: -1 } reads the seven previous partitions.`,
      )
    }
    this.startOffset = startOffset
    this.endOffset = endOffset
    this.allowNonexistent = allowNonexistent === true
    const parts = [
      startOffset !== Math.min(0, endOffset) ? `startOffset: ${startOffset}` : '',
      endOffset !== 0 ? `endOffset: ${endOffset}` : '',
      this.allowNonexistent ? 'allowNonexistent: true' : '',
    ].filter(Boolean)
    this.description = `timeWindowMapping(${parts.length ? `{ ${parts.join(', ')} }` : ''})`
  }

  static sides(ctx: MappingContext, what: string): [TimeWindowPartitions, TimeWindowPartitions] {
    const { downstream, upstream } = ctx
    if (downstream instanceof TimeWindowPartitions && upstream instanceof TimeWindowPartitions) return [downstream, upstream]
    throw mismatch(`${what} maps time-window partitions to time-window partitions, but the upstream is ${describeDef(upstream)} and the downstream is ${describeDef(downstream)}.`)
  }

  /** Upstream index ranges (existing or not) read by downstream window n, after clamping. */
  upstreamRange(down: TimeWindowPartitions, up: TimeWindowPartitions, n: number, bounds: [number, number] | undefined): [number, number] | undefined {
    let s = down.tickAt(n + this.startOffset)
    let e = down.tickAt(n + 1 + this.endOffset)
    if (bounds) {
      if (this.startOffset < 0) s = Math.max(s, bounds[0])
      else if (this.startOffset > 0) s = Math.min(s, bounds[1])
      if (this.endOffset < 0) e = Math.max(e, bounds[0])
      else if (this.endOffset > 0) e = Math.min(e, bounds[1])
    }
    if (s >= e) return undefined
    return [up.floorIndex(s), up.floorIndex(e - 1)]
  }

  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): UpstreamResult {
    const [down, up] = TimeWindowMapping.sides(ctx, this.description)
    const opts = keysOptions(ctx)
    const now = ctx.now?.getTime() ?? Date.now()
    const first = up.firstIndex
    const last = up.lastIndex(now)
    const bounds: [number, number] | undefined = last >= first ? [up.tickAt(first), up.tickAt(last + 1)] : undefined
    const ranges: Array<[number, number]> = []
    for (const key of downstreamKeys) {
      const n = down.indexOf(key)
      if (n === undefined) throw down.invalidKey(key, opts)
      const r = this.upstreamRange(down, up, n, bounds)
      if (r) ranges.push(r)
    }
    const out: UpstreamResult = { keys: [], missing: [] }
    for (const [a, b] of merge(ranges)) {
      for (let i = a; i <= b; i++) {
        if (i >= first && i <= last) out.keys.push(up.keyAt(i))
        else if (!this.allowNonexistent) out.missing.push(up.keyAt(i))
      }
    }
    return out
  }

  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[] {
    const [down, up] = TimeWindowMapping.sides(ctx, this.description)
    const opts = keysOptions(ctx)
    const first = down.firstIndex
    const last = down.lastIndex(ctx.now?.getTime() ?? Date.now())
    const ranges: Array<[number, number]> = []
    for (const key of upstreamKeys) {
      const m = up.indexOf(key)
      if (m === undefined) throw up.invalidKey(key, opts)
      const a = Math.max(first, down.floorIndex(up.tickAt(m)) - this.endOffset)
      const b = Math.min(last, down.floorIndex(up.tickAt(m + 1) - 1) - this.startOffset)
      if (a <= b) ranges.push([a, b])
    }
    const out: string[] = []
    for (const [a, b] of merge(ranges)) for (let i = a; i <= b; i++) out.push(down.keyAt(i))
    return out
  }
}

type Field<O, K extends keyof TimeWindowMappingOptions> = K extends keyof O ? O[K] : undefined
type EndOf<O> = [Field<O, 'endOffset'>] extends [undefined] ? 0 : Field<O, 'endOffset'>
type StartOf<O> = [Field<O, 'startOffset'>] extends [undefined]
  ? EndOf<O> extends number
    ? `${EndOf<O>}` extends `-${string}`
      ? EndOf<O>
      : 0
    : never
  : Field<O, 'startOffset'>

/**
 * What a step receives through `timeWindowMapping(o)` from an upstream on
 * the same schedule, as far as TypeScript knows the offsets (literals):
 * equal offsets read one partition (`'one'` at offset 0; `'optional'`
 * otherwise, as the shifted partition does not exist at the start or end),
 * different offsets a Map. Offsets only known at run time give any of them.
 */
export type TimeWindowArity<O> = number extends StartOf<O> | EndOf<O>
  ? MappingArity
  : undefined extends StartOf<O> | EndOf<O>
    ? MappingArity
    : [StartOf<O>] extends [EndOf<O>]
      ? [EndOf<O>] extends [StartOf<O>]
        ? EndOf<O> extends 0
          ? Field<O, 'allowNonexistent'> extends false | undefined
            ? 'one'
            : 'optional'
          : 'optional'
        : 'many'
      : 'many'

/** Reads upstream partitions overlapping the (shifted) downstream window. See TimeWindowMappingOptions. */
export function timeWindowMapping<const O extends TimeWindowMappingOptions = {}>(o?: O): PartitionMapping<TimeWindowArity<O>> {
  return new TimeWindowMapping(o ?? {})
}
