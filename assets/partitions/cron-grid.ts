/**
 * Window boundaries of any cron (twice daily, weekdays, every 15 minutes,
 * yearly, ...), where no closed form maps an index to its tick: ticks are
 * computed a local day at a time (assets/cron/ticks.ts, Dagster's DST rules)
 * and kept, extended on demand in either direction. Index 0 is the first
 * tick at or after the reference instant (the definition's start); lookups
 * are binary searches over the ticks computed so far.
 */
import { StrataError } from '../errors.js'
import type { CronFields } from '../cron/parse.js'
import { stepDay, ticksOnDay } from '../cron/ticks.js'
import type { WindowGrid } from './grid.js'
import type { ZoneInfo } from './zone.js'

const DAY_MS = 86_400_000
/** Each cron fires at least once in 400 years, so this many empty days in a row means a tick beyond any date JavaScript represents. */
const MAX_EMPTY_DAYS = 146_097 + 2
/** Kept ticks at most: enough for 100 years of 15-minute windows, yet bounded memory. */
const MAX_TICKS = 4_000_000

export class CronGrid implements WindowGrid {
  readonly hourly: boolean
  private readonly fields: CronFields
  private readonly zone: ZoneInfo
  /** Ticks of index 0, 1, 2, ... */
  private readonly after: number[] = []
  /** Ticks of index -1, -2, ... */
  private readonly before: number[] = []
  /** Next local day to compute going forward; next one going backward. */
  private dayAfter: number
  private dayBefore: number

  constructor(fields: CronFields, zone: ZoneInfo, reference: number) {
    this.fields = fields
    this.zone = zone
    this.hourly = fields.everyHour
    const day = Math.floor(zone.wallAt(reference) / DAY_MS)
    // The neighbouring days too: a day's ticks can fall on the far side of the reference across a change of offset.
    const ticks = [...ticksOnDay(fields, zone, day - 1), ...ticksOnDay(fields, zone, day), ...ticksOnDay(fields, zone, day + 1)]
    for (const t of ticks) (t >= reference ? this.after : this.before).push(t)
    this.before.reverse()
    this.dayAfter = day + 2
    this.dayBefore = day - 2
  }

  private grow(direction: 1 | -1): void {
    if (this.after.length + this.before.length > MAX_TICKS) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', `More than ${MAX_TICKS.toLocaleString('en-US')} windows of ${JSON.stringify(this.fields.cron)} between the partitions' start and an instant asked for: start later, give an end, or use a coarser cron.`)
    }
    for (let empty = 0; empty < MAX_EMPTY_DAYS; empty++) {
      const day = direction === 1 ? this.dayAfter : this.dayBefore
      if (direction === 1) this.dayAfter = stepDay(this.fields, day, 1)
      else this.dayBefore = stepDay(this.fields, day, -1)
      const ticks = ticksOnDay(this.fields, this.zone, day)
      if (ticks.length === 0) continue
      if (direction === 1) for (const t of ticks) this.after.push(t)
      else for (let i = ticks.length - 1; i >= 0; i--) this.before.push(ticks[i]!)
      return
    }
    throw new StrataError('STRATA_INVALID_PARTITIONS', `${JSON.stringify(this.fields.cron)} has no tick within 400 years of the last one found.`)
  }

  /** Instant (epoch ms) where window n starts. */
  tick(n: number): number {
    if (n >= 0) {
      while (this.after.length <= n) this.grow(1)
      return this.after[n]!
    }
    while (this.before.length < -n) this.grow(-1)
    return this.before[-n - 1]!
  }

  /** Largest n with tick(n) <= t. */
  floorIndex(t: number): number {
    if (this.tick(0) <= t) {
      while (this.after[this.after.length - 1]! <= t) this.grow(1)
      // after[lo] <= t < after[hi]
      let lo = 0
      let hi = this.after.length - 1
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1
        if (this.after[mid]! <= t) lo = mid
        else hi = mid
      }
      return lo
    }
    while (this.before.length === 0 || this.before[this.before.length - 1]! > t) this.grow(-1)
    // before[lo] > t >= before[hi]; index of before[i] is -i - 1.
    let lo = -1
    let hi = this.before.length - 1
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1
      if (this.before[mid]! > t) lo = mid
      else hi = mid
    }
    return -hi - 1
  }

  /** Smallest n with tick(n) >= t. */
  ceilIndex(t: number): number {
    const n = this.floorIndex(t)
    return this.tick(n) < t ? n + 1 : n
  }
}
