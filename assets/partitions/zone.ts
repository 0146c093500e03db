/**
 * Time zone arithmetic for partition windows. UTC and fixed offsets are pure
 * arithmetic; IANA zones look offsets up through luxon (slow: ~10 µs a call),
 * so offsets are cached as constant-offset segments per 7-day chunk, with the
 * exact transition instants found by bisection.
 */
import type { Zone } from 'luxon'
import { luxon } from './luxon.js'
import { StrataError } from '../errors.js'
import { DAY_MS, MINUTE_MS } from './calendar.js'

const CHUNK_MS = 7 * DAY_MS

interface Segment {
  start: number
  end: number
  offset: number
}

const UTC_ALIASES = new Set(['utc', 'etc/utc', 'etc/uct', 'uct', 'gmt', 'etc/gmt', 'etc/gmt0', 'etc/gmt+0', 'etc/gmt-0', 'gmt0', 'universal', 'etc/universal', 'zulu', 'etc/zulu', 'z'])

export class ZoneInfo {
  readonly name: string
  /** Offset in ms when the zone never changes offset (UTC, `UTC+3`, `Etc/GMT-5`). */
  readonly fixedOffset: number | undefined
  readonly luxonZone: Zone
  private readonly chunks = new Map<number, Segment[]>()
  private last: Segment = { start: 0, end: 0, offset: 0 }

  private constructor(name: string, zone: Zone, fixedOffset: number | undefined) {
    this.name = name
    this.luxonZone = zone
    this.fixedOffset = fixedOffset
  }

  private static cache = new Map<string, ZoneInfo>()

  /** Throws STRATA_INVALID_PARTITIONS for names luxon does not know. */
  static get(name: string): ZoneInfo {
    const cached = ZoneInfo.cache.get(name)
    if (cached) return cached
    const zone = typeof name === 'string' && name !== '' ? luxon().Info.normalizeZone(name) : undefined
    if (!zone || !zone.isValid) {
      throw new StrataError(
        'STRATA_INVALID_PARTITIONS',
        `Unknown timezone ${JSON.stringify(name)}: use an IANA name such as "America/New_York", "Europe/Berlin" or "UTC".`,
      )
    }
    const lower = name.toLowerCase()
    let fixed: number | undefined
    if (zone.isUniversal) fixed = Math.round(zone.offset(0) * MINUTE_MS)
    else if (UTC_ALIASES.has(lower)) fixed = 0
    else {
      const m = /^etc\/gmt([+-])(\d{1,2})$/.exec(lower)
      // POSIX-style names: Etc/GMT+5 is five hours *behind* UTC.
      if (m) fixed = (m[1] === '+' ? -1 : 1) * Number(m[2]) * 60 * MINUTE_MS
    }
    const info = new ZoneInfo(name, zone, fixed)
    ZoneInfo.cache.set(name, info)
    return info
  }

  /** UTC offset (ms) in effect at instant `t`. */
  offsetAt(t: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset
    const last = this.last
    if (t >= last.start && t < last.end) return last.offset
    const chunk = Math.floor(t / CHUNK_MS)
    let segments = this.chunks.get(chunk)
    if (!segments) {
      segments = this.computeChunk(chunk)
      this.chunks.set(chunk, segments)
    }
    for (const s of segments) {
      if (t < s.end) {
        this.last = s
        return s.offset
      }
    }
    return segments[segments.length - 1]!.offset
  }

  /** The local wall time (ms, encoded as UTC) at instant `t`. */
  wallAt(t: number): number {
    return t + this.offsetAt(t)
  }

  /**
   * Instants whose local wall time is `wall`: none (in a spring-forward gap),
   * one, or two (in a fall-back overlap), ascending.
   */
  instantsForWall(wall: number): number[] {
    if (this.fixedOffset !== undefined) return [wall - this.fixedOffset]
    const before = this.offsetAt(wall - DAY_MS)
    const after = this.offsetAt(wall + DAY_MS)
    const out: number[] = []
    for (const o of before === after ? [before] : [before, after]) {
      const c = wall - o
      if (this.offsetAt(c) === o && !out.includes(c)) out.push(c)
    }
    if (out.length === 0 && before === after) {
      // A transition pair within two days: fall back to the offset at the naive instant.
      const o = this.offsetAt(wall - before)
      if (this.offsetAt(wall - o) === o) out.push(wall - o)
    }
    return out.sort((a, b) => a - b)
  }

  /**
   * Dagster's rule for a scheduled wall time: the later instant when it occurs
   * twice (`prefer: 'later'`), or the earlier; inside a gap, the first instant
   * after the gap (the transition), or undefined when `gap: 'reject'`.
   */
  wallToInstant(wall: number, prefer: 'earlier' | 'later', gap: 'transition' | 'reject' = 'transition'): number | undefined {
    if (this.fixedOffset !== undefined) return wall - this.fixedOffset
    const found = this.instantsForWall(wall)
    if (found.length > 0) return prefer === 'earlier' ? found[0] : found[found.length - 1]
    if (gap === 'reject') return undefined
    const a = wall - this.offsetAt(wall - DAY_MS)
    const b = wall - this.offsetAt(wall + DAY_MS)
    return this.transitionIn(Math.min(a, b), Math.max(a, b))
  }

  /** First instant in (lo, hi] whose offset differs from the offset at lo. */
  private transitionIn(lo: number, hi: number): number {
    const o = this.offsetAt(lo)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.offsetAt(mid) === o) lo = mid
      else hi = mid
    }
    return hi
  }

  private raw(t: number): number {
    return Math.round(this.luxonZone.offset(t) * MINUTE_MS)
  }

  private computeChunk(chunk: number): Segment[] {
    const a = chunk * CHUNK_MS
    const b = a + CHUNK_MS
    const out: Segment[] = []
    const split = (lo: number, hi: number, olo: number, ohi: number): void => {
      if (olo === ohi || hi - lo <= 1) {
        const prev = out[out.length - 1]
        if (prev && prev.offset === olo) prev.end = hi
        else out.push({ start: lo, end: hi, offset: olo })
        return
      }
      const mid = Math.floor((lo + hi) / 2)
      const omid = this.raw(mid)
      split(lo, mid, olo, omid)
      split(mid, hi, omid, ohi)
    }
    split(a, b, this.raw(a), this.raw(b))
    return out
  }
}
