/**
 * When a cron fires, in a time zone, with Dagster's daylight-saving rules:
 * - a wall time that a spring-forward change skips fires once, at the first
 *   instant after the gap (`30 2 * * *` fires at 3:00 on that day; every
 *   skipped minute of `*\/15 2 * * *` collapses into that one tick);
 * - a wall time that a fall-back change repeats fires once, at its second
 *   occurrence (`30 1 * * *` fires at 1:30 standard time);
 * - except when the hour field is `*`: such a schedule runs once an hour
 *   whatever the clock does, so a skipped time does not fire and a repeated
 *   one fires at both occurrences.
 *
 * The search walks local calendar days: the ticks of one day are computed at
 * once (a sorted list), which keeps dense crons like `* * * * *` cheap.
 */
import { StrataError } from '../errors.js'
import { ZoneInfo } from '../partitions/zone.js'
import { daysFromCivil } from '../partitions/calendar.js'
import { civilDay, cronFields, dayMatches, type CronFields } from './parse.js'

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
/** Every day pattern that fires at all fires within one 400-year Gregorian cycle. */
const MAX_DAYS = 146_097 + 2

const timesOfDay = new WeakMap<CronFields, number[]>()

/** Wall-clock times of day (ms) the cron fires at, ascending. */
function timesOf(f: CronFields): number[] {
  let times = timesOfDay.get(f)
  if (!times) {
    times = []
    for (const h of f.hours) for (const m of f.minutes) times.push(h * HOUR_MS + m * MINUTE_MS)
    timesOfDay.set(f, times)
  }
  return times
}

/** The zone of a cron; unknown names throw STRATA_INVALID_CRON. */
export function cronZone(timezone: string | undefined): ZoneInfo {
  try {
    return ZoneInfo.get(timezone ?? 'UTC')
  } catch (err) {
    if (err instanceof StrataError) throw new StrataError('STRATA_INVALID_CRON', err.message, { timezone })
    throw err
  }
}

/**
 * The instants (epoch ms, ascending, distinct) at which the cron fires on
 * local calendar day `day` (days since 1970-01-01 in the zone's wall time).
 * The array is shared: do not modify it.
 */
export function ticksOnDay(f: CronFields, zone: ZoneInfo, day: number): number[] {
  // Walking tick by tick (a schedule catching up, a daemon's next tick) asks for the same few days again and again.
  let recent = recentDays.get(f)
  if (!recent) recentDays.set(f, (recent = []))
  for (const r of recent) if (r.day === day && r.zone === zone) return r.ticks
  const ticks = computeDay(f, zone, day)
  if (recent.length >= 4) recent.shift()
  recent.push({ zone, day, ticks })
  return ticks
}

const recentDays = new WeakMap<CronFields, Array<{ zone: ZoneInfo; day: number; ticks: number[] }>>()

function computeDay(f: CronFields, zone: ZoneInfo, day: number): number[] {
  if (!dayMatches(f, civilDay(day))) return []
  const times = timesOf(f)
  const base = day * DAY_MS
  const out = new Array<number>(times.length)
  const fixed = zone.fixedOffset
  // Offsets range from -12 h to +14 h, so these two instants bound every instant of the day's wall times.
  const offset = fixed ?? zone.offsetAt(base - 14 * HOUR_MS)
  if (fixed !== undefined || offset === zone.offsetAt(base + DAY_MS + 12 * HOUR_MS)) {
    for (let i = 0; i < times.length; i++) out[i] = base + times[i]! - offset
    return out
  }
  // A day with a change of offset: each wall time may be skipped or repeated.
  out.length = 0
  for (const time of times) {
    const wall = base + time
    const found = zone.instantsForWall(wall)
    if (found.length === 1) out.push(found[0]!)
    else if (found.length > 1) {
      if (f.everyHour) out.push(...found)
      else out.push(found[found.length - 1]!)
    } else if (!f.everyHour) out.push(zone.wallToInstant(wall, 'later', 'transition')!)
  }
  out.sort((a, b) => a - b)
  return out.filter((t, i) => i === 0 || t !== out[i - 1])
}

/**
 * The next local day worth examining after (`direction` 1) or before (-1)
 * `day`: the neighbour, or across the rest of a month the cron never fires in,
 * so sparse crons (yearly) cost a step per month rather than per day.
 */
export function stepDay(f: CronFields, day: number, direction: 1 | -1): number {
  const next = day + direction
  if (f.months.size === 12) return next
  const c = civilDay(next)
  if (f.months.has(c.month)) return next
  return direction === 1 ? daysFromCivil(c.year, c.month + 1, 1) : daysFromCivil(c.year, c.month, 1) - 1
}

function search(cron: string, from: Date, timezone: string | undefined, direction: 1 | -1): Date | undefined {
  const f = cronFields(cron)
  const zone = cronZone(timezone)
  const t = from.getTime()
  if (!Number.isFinite(t)) throw new StrataError('STRATA_INVALID_CRON', `Cannot find a tick of ${JSON.stringify(cron)} from an invalid Date.`)
  // Start one day back (forward) or ahead (backward): a tick of the neighbouring wall day can sit on the far side of t across a change of offset.
  let day = Math.floor(zone.wallAt(t) / DAY_MS) - direction
  for (let i = 0; i < MAX_DAYS; i++, day = stepDay(f, day, direction)) {
    const ticks = ticksOnDay(f, zone, day)
    if (direction === 1) {
      for (const tick of ticks) if (tick > t) return new Date(tick)
    } else {
      for (let k = ticks.length - 1; k >= 0; k--) if (ticks[k]! < t) return new Date(ticks[k]!)
    }
  }
  return undefined
}

/** The first tick strictly after `after`, in `timezone` (default UTC). Throws STRATA_INVALID_CRON for a bad cron or zone. */
export function nextTick(cron: string, after: Date, timezone?: string): Date | undefined {
  return search(cron, after, timezone, 1)
}

/** The last tick strictly before `before`, in `timezone` (default UTC). */
export function previousTick(cron: string, before: Date, timezone?: string): Date | undefined {
  return search(cron, before, timezone, -1)
}

/** The last tick at or before `at`. */
export function latestTick(cron: string, at: Date, timezone?: string): Date | undefined {
  return search(cron, new Date(at.getTime() + 1), timezone, -1)
}
