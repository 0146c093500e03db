/**
 * Brute-force reference for time-window partitions and mappings, written
 * independently of assets/partitions: daily-or-longer ticks come from scanning
 * candidate instants with luxon and applying Dagster's documented DST rules
 * literally (a repeated time runs at its second occurrence, a skipped time at
 * the next time that exists); keys are luxon-formatted with Python's `%z`
 * appended to the second occurrence of a repeated hour; existence follows
 * Dagster's get_partition_keys loop (see refExisting); mappings enumerate windows and
 * compare overlaps after Dagster's offset-and-clamp rule.
 *
 * Assumes zones whose UTC offsets are whole hours (UTC, New York, Berlin,
 * Sydney), so hourly ticks are every UTC hour at the schedule's minute.
 */
import { DateTime } from 'luxon'

export type Gran = 'hourly' | 'daily' | 'weekly' | 'monthly'

export interface RefSchedule {
  gran: Gran
  minute: number
  hour: number
  /** weekly: 0 = Sunday */
  dow: number
  /** monthly */
  dom: number
  zone: string
}

export interface RefDef extends RefSchedule {
  start: number
  end?: number
  endOffset: number
}

const H = 3_600_000
const M = 60_000
/** Every reference computation stays inside this range. */
export const RANGE_START = Date.UTC(2020, 5, 1)
export const RANGE_END = Date.UTC(2022, 2, 1)

function local(t: number, zone: string): DateTime {
  return DateTime.fromMillis(t, { zone })
}

function wallOf(l: DateTime): number {
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute)
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Local wall time of instant t (ms, as UTC), straight from Intl. */
function wallAt(t: number, zone: string): number {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
    formatters.set(zone, f)
  }
  const m = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+)$/.exec(f.format(t))
  if (!m) throw new Error(`unexpected Intl output ${f.format(t)}`)
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]))
}

/** The instant of a daily-or-longer tick scheduled at local wall time `wall` (ms, as UTC). */
function scheduledInstant(zone: string, wall: number): number {
  const guess = wall - (wallAt(wall, zone) - wall)
  const candidates = new Set<number>()
  // Exact matches are whole hours away from the guess (offsets change by an hour at most)...
  for (let k = -2; k <= 2; k++) candidates.add(guess + k * H)
  // ...and transitions happen on whole UTC hours, for the "next existing time" rule.
  for (let t = guess - 2 * H - (guess % H); t <= guess + 2 * H; t += H) candidates.add(t)
  const sorted = [...candidates].sort((a, b) => a - b)
  const walls = sorted.map((t) => wallAt(t, zone))
  const matches = sorted.filter((_, i) => walls[i] === wall)
  if (matches.length) return matches[matches.length - 1]!
  return sorted.find((_, i) => walls[i]! > wall)!
}

export interface Table {
  ticks: number[]
  key(i: number): string
}

const tables = new Map<string, Table>()

/** Ticks in [RANGE_START, RANGE_END] with lazily formatted keys. */
export function refTable(s: RefSchedule): Table {
  const cacheKey = JSON.stringify(s)
  const hit = tables.get(cacheKey)
  if (hit) return hit
  const ticks: number[] = []
  if (s.gran === 'hourly') {
    for (let t = RANGE_START + s.minute * M; t <= RANGE_END; t += H) ticks.push(t)
  } else {
    for (let day = RANGE_START - 2 * 24 * H; day <= RANGE_END; day += 24 * H) {
      const date = new Date(day)
      if (s.gran === 'weekly' && date.getUTCDay() !== s.dow) continue
      if (s.gran === 'monthly' && date.getUTCDate() !== s.dom) continue
      const t = scheduledInstant(s.zone, day + s.hour * H + s.minute * M)
      if (t >= RANGE_START && t <= RANGE_END) ticks.push(t)
    }
  }
  const keys: string[] = []
  const table: Table = {
    ticks,
    key(i) {
      const cached = keys[i]
      if (cached !== undefined) return cached
      const l = local(ticks[i]!, s.zone)
      let key: string
      if (s.gran !== 'hourly') key = l.toFormat('yyyy-MM-dd')
      else {
        key = l.toFormat('yyyy-MM-dd-HH:mm')
        if (i > 0 && wallOf(local(ticks[i - 1]!, s.zone)) === wallOf(l)) key += l.toFormat('ZZZ')
      }
      keys[i] = key
      return key
    },
  }
  tables.set(cacheKey, table)
  return table
}

export interface RefWindow {
  i: number
  key: string
  start: number
  end: number
}

/** Index of the window containing t. */
export function refIndexAt(s: RefSchedule, t: number): number {
  const { ticks } = refTable(s)
  let lo = 0
  let hi = ticks.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (ticks[mid]! <= t) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * Existing partitions at `now`, by Dagster's get_partition_keys loop with one
 * change: the endOffset windows past now are counted from the window
 * containing now, partition or not, so nothing exists before its time.
 */
const existingCache = new Map<string, RefWindow[]>()

export function refExisting(d: RefDef, now: number): RefWindow[] {
  const cacheKey = JSON.stringify([d, now])
  const hit = existingCache.get(cacheKey)
  if (hit) return hit
  const out = computeExisting(d, now)
  existingCache.set(cacheKey, out)
  return out
}

function computeExisting(d: RefDef, now: number): RefWindow[] {
  const { ticks, key } = refTable(d)
  const current = refIndexAt(d, now)
  const out: RefWindow[] = []
  for (let i = ticks.findIndex((t) => t >= d.start); i >= 0 && i + 1 < ticks.length; i++) {
    const w = { i, key: key(i), start: ticks[i]!, end: ticks[i + 1]! }
    if (d.end !== undefined && w.end > d.end) break
    if (w.end <= now || i - current < d.endOffset) out.push(w)
    else break
  }
  return d.endOffset < 0 ? out.slice(0, Math.max(0, out.length + d.endOffset)) : out
}

/** Dagster's TimeWindowPartitionMapping, downstream windows (by index) → upstream keys. */
export function refUpstream(
  down: RefDef,
  up: RefDef,
  downIndices: number[],
  so: number,
  eo: number,
  allowNonexistent: boolean,
  now: number,
): { keys: string[]; missing: string[] } {
  const dt = refTable(down).ticks
  const upTable = refTable(up)
  const ut = upTable.ticks
  const existing = refExisting(up, now)
  const bounds = existing.length ? [existing[0]!.start, existing[existing.length - 1]!.end] : undefined
  const have = new Set(existing.map((w) => w.i))
  const hit = new Set<number>()
  for (const n of downIndices) {
    let s = dt[n + so]
    let e = dt[n + 1 + eo]
    if (s === undefined || e === undefined) throw new Error('reference range too small')
    if (bounds) {
      if (so < 0) s = Math.max(s, bounds[0]!)
      if (so > 0) s = Math.min(s, bounds[1]!)
      if (eo < 0) e = Math.max(e, bounds[0]!)
      if (eo > 0) e = Math.min(e, bounds[1]!)
    }
    if (s >= e) continue
    for (let i = refIndexAt(up, s); i + 1 < ut.length && ut[i]! < e; i++) if (ut[i + 1]! > s) hit.add(i)
  }
  const ordered = [...hit].sort((a, b) => a - b)
  return {
    keys: ordered.filter((i) => have.has(i)).map((i) => upTable.key(i)),
    missing: allowNonexistent ? [] : ordered.filter((i) => !have.has(i)).map((i) => upTable.key(i)),
  }
}
