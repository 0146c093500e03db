/**
 * The infinite sequence of window boundaries ("ticks") of a cron schedule in a
 * zone, indexed by integers: window n is [tick(n), tick(n + 1)). Both
 * directions are O(1) (a few cached offset look-ups in DST zones), so nothing
 * that maps keys to windows is O(number of partitions).
 *
 * Index origins: hourly n counts hours since the epoch, daily n counts local
 * days since 1970-01-01, weekly n counts weeks, monthly n counts months since
 * January 1970.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, civilFromWall, daysFromCivil, floorMod } from './calendar.js'
import type { CronSpec } from './cron.js'
import type { ZoneInfo } from './zone.js'

/** Window boundaries: window n is [tick(n), tick(n + 1)). */
export interface WindowGrid {
  /** Ticks every hour of real time: a repeated wall time is two windows, keyed apart by their offset. */
  readonly hourly: boolean
  /** Instant (epoch ms) where window n starts. */
  tick(n: number): number
  /** Largest n with tick(n) <= t: the index of the window containing t. */
  floorIndex(t: number): number
  /** Smallest n with tick(n) >= t. */
  ceilIndex(t: number): number
}

export class TickGrid implements WindowGrid {
  readonly spec: CronSpec
  readonly zone: ZoneInfo
  readonly hourly: boolean
  /** Hourly: ms past the UTC hour where local minute `spec.minute` falls. */
  private readonly phase: number
  /** Time of day (ms) of the tick for daily, weekly and monthly schedules. */
  private readonly timeOfDay: number
  /** Weekly: day offset (0-6) from the Thursday 1970-01-01 to the first tick day. */
  private readonly weekShift: number

  /** `reference`: an instant whose offset fixes the hourly phase (the definition's start). */
  constructor(spec: CronSpec, zone: ZoneInfo, reference: number) {
    this.spec = spec
    this.zone = zone
    this.hourly = spec.granularity === 'hourly'
    this.timeOfDay = (spec.hour ?? 0) * HOUR_MS + spec.minute * MINUTE_MS
    this.weekShift = floorMod((spec.dayOfWeek ?? 0) + 3, 7)
    this.phase = floorMod(spec.minute * MINUTE_MS - zone.offsetAt(reference), HOUR_MS)
  }


  /** Local wall time (ms as UTC) scheduled for tick n; not used for hourly schedules. */
  private wallOf(n: number): number {
    switch (this.spec.granularity) {
      case 'daily':
        return n * DAY_MS + this.timeOfDay
      case 'weekly':
        return (7 * n + this.weekShift) * DAY_MS + this.timeOfDay
      default: {
        const year = 1970 + Math.floor(n / 12)
        const month = floorMod(n, 12) + 1
        return daysFromCivil(year, month, this.spec.dayOfMonth ?? 1) * DAY_MS + this.timeOfDay
      }
    }
  }

  /** Instant (epoch ms) where window n starts. */
  tick(n: number): number {
    if (this.hourly) return n * HOUR_MS + this.phase
    const wall = this.wallOf(n)
    const fixed = this.zone.fixedOffset
    return fixed !== undefined ? wall - fixed : this.zone.wallToInstant(wall, 'later')!
  }

  /** Largest n with tick(n) <= t: the index of the window containing t. */
  floorIndex(t: number): number {
    if (this.hourly) return Math.floor((t - this.phase) / HOUR_MS)
    const wall = this.zone.wallAt(t)
    let n: number
    switch (this.spec.granularity) {
      case 'daily':
        n = Math.floor((wall - this.timeOfDay) / DAY_MS)
        break
      case 'weekly':
        n = Math.floor((Math.floor((wall - this.timeOfDay) / DAY_MS) - this.weekShift) / 7)
        break
      default: {
        const c = civilFromWall(wall)
        n = (c.year - 1970) * 12 + (c.month - 1)
        if (wall < this.wallOf(n)) n -= 1
      }
    }
    if (this.zone.fixedOffset !== undefined) return n
    while (this.tick(n) > t) n -= 1
    while (this.tick(n + 1) <= t) n += 1
    return n
  }

  /** Smallest n with tick(n) >= t. */
  ceilIndex(t: number): number {
    const n = this.floorIndex(t)
    return this.tick(n) < t ? n + 1 : n
  }
}
