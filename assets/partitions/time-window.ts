/**
 * Time-window partitions: the windows of a cron schedule in a time zone, with
 * Dagster's semantics. Keys are the formatted window starts; window n is
 * [tick(n), tick(n + 1)) of the schedule's grid (TickGrid for the regular
 * shapes, CronGrid for any other cron).
 *
 * DST: spring-forward wall times that do not exist are never partition keys
 * (a daily schedule at a missing time starts at the transition instead, as in
 * Dagster); for hourly schedules the second occurrence of a repeated
 * fall-back hour gets its UTC offset appended, as Python's `%z` would format
 * it: `2021-11-07-01:00` (EDT) then `2021-11-07-01:00-0500` (EST). A daily or
 * longer schedule at a repeated wall time starts at its second occurrence.
 */
import { StrataError } from '../errors.js'
import { HOUR_MS, MINUTE_MS, formatOffset } from './calendar.js'
import { firesOncePerDay, type PartitionCron } from './cron.js'
import { CronGrid } from './cron-grid.js'
import { TickGrid, type WindowGrid } from './grid.js'
import { DEFAULT_DATE_FORMAT, DEFAULT_HOURLY_FORMAT, type KeyFormat } from './key-format.js'
import type { KeysOptions, PartitionWindow, TimeGranularity, TimeWindow, TimeWindowPartitionsDefinition } from './types.js'
import type { ZoneInfo } from './zone.js'

const DEFAULT_CRON: Partial<Record<TimeGranularity, string>> = {
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 0',
  monthly: '0 0 1 * *',
}

const SUFFIX_RE = /([+-])(\d{2})(\d{2})$/

export interface TimeWindowParams {
  spec: PartitionCron
  zone: ZoneInfo
  format: KeyFormat
  /** Epoch ms. */
  start: number
  end?: number
  endOffset: number
}

export class TimeWindowPartitions implements TimeWindowPartitionsDefinition {
  readonly kind = 'time-window' as const
  readonly granularity: TimeGranularity
  readonly cron: string
  readonly timezone: string
  readonly fmt: string
  readonly start: Date
  readonly end?: Date
  readonly endOffset: number
  readonly id: string
  readonly grid: WindowGrid
  /** Index of the first partition: the first tick at or after `start`. */
  readonly firstIndex: number
  private readonly endLimit: number
  private readonly zone: ZoneInfo
  private readonly format: KeyFormat
  private readonly suffixes: boolean
  private cache: { first: number; last: number; keys: string[] } | undefined

  constructor(p: TimeWindowParams) {
    this.granularity = p.spec.granularity
    this.cron = p.spec.cron
    this.zone = p.zone
    this.timezone = p.zone.name
    this.format = p.format
    this.fmt = p.format.fmt
    this.start = new Date(p.start)
    this.end = p.end === undefined ? undefined : new Date(p.end)
    this.endOffset = p.endOffset
    this.grid = p.spec.granularity === 'cron' ? new CronGrid(p.spec.fields, p.zone, p.start) : new TickGrid(p.spec, p.zone, p.start)
    this.suffixes = this.grid.hourly && p.zone.fixedOffset === undefined && !p.format.hasOffset
    this.firstIndex = this.grid.ceilIndex(p.start)
    this.endLimit = p.end === undefined ? Infinity : this.grid.floorIndex(p.end) - 1
    const extras = [
      this.cron !== DEFAULT_CRON[this.granularity] ? `cron=${this.cron}` : '',
      this.fmt !== defaultFormat(p.spec) ? `fmt=${this.fmt}` : '',
      this.endOffset !== 0 ? `endOffset=${this.endOffset}` : '',
    ].filter(Boolean)
    const endKey = p.end === undefined ? '' : this.keyAt(this.endLimit + 1)
    this.id = `${this.granularity}(${[`${this.keyAt(this.firstIndex)}..${endKey}`, this.timezone, ...extras].join(',')})`
  }

  // ---- index level (used by mappings) ----

  /** Start instant (epoch ms) of window n. */
  tickAt(n: number): number {
    return this.grid.tick(n)
  }

  /** Index of the window containing instant t (epoch ms), existing or not. */
  floorIndex(t: number): number {
    return this.grid.floorIndex(t)
  }

  /**
   * Index of the last existing partition at `now` (below firstIndex when there
   * is none): the last window that has ended, moved by endOffset, cut at end.
   * The count starts from the window containing now even before the first
   * partition, so no partition exists before its time: with endOffset 1 the
   * first appears when its window starts, with 0 when it ends, with 2 when the
   * window before it starts. (Dagster's own first-window check compares with
   * the next tick after now, so off ticks it lists the first partition up to
   * one window earlier; on ticks the two agree.)
   */
  lastIndex(now: Date | number = Date.now()): number {
    const t = typeof now === 'number' ? now : now.getTime()
    let last = this.grid.floorIndex(t) - 1
    if (this.endOffset > 0) last += this.endOffset
    last = Math.min(last, this.endLimit)
    if (this.endOffset < 0) last += this.endOffset
    return Math.max(last, this.firstIndex - 1)
  }

  /** The instant the first partition starts to exist (later ones follow one window apart); undefined when end leaves none. */
  firstAvailableAt(): Date | undefined {
    if (this.endLimit + Math.min(0, this.endOffset) < this.firstIndex) return undefined
    return new Date(this.grid.tick(this.firstIndex + 1 - this.endOffset))
  }

  range(opts?: KeysOptions): { first: number; last: number } {
    return { first: this.firstIndex, last: this.lastIndex(opts?.now ?? Date.now()) }
  }

  keyAt(n: number): string {
    const t = this.grid.tick(n)
    const offset = this.zone.offsetAt(t)
    const wall = t + offset
    const key = this.format.format(t, wall)
    if (this.suffixes) {
      const earlier = this.zone.offsetAt(t - 6 * HOUR_MS)
      if (earlier > offset) {
        const first = wall - earlier
        if (first < t && this.zone.offsetAt(first) === earlier) return key + formatOffset(offset)
      }
    }
    return key
  }

  /** Index of a well-formed, canonical key (existing or not), else undefined. */
  indexOf(key: string): number | undefined {
    if (typeof key !== 'string') return undefined
    const n = this.parseIndex(key, key, undefined)
    if (n !== undefined || !this.suffixes) return n
    const m = SUFFIX_RE.exec(key)
    if (!m) return undefined
    const offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS
    return this.parseIndex(key, key.slice(0, -5), offset)
  }

  private parseIndex(key: string, body: string, suffixOffset: number | undefined): number | undefined {
    const parsed = this.format.parse(body)
    if (!parsed) return undefined
    let t: number | undefined
    if (parsed.instant !== undefined) t = parsed.instant
    else if (suffixOffset !== undefined) t = parsed.wall - suffixOffset
    else if (this.grid.hourly) t = this.zone.wallToInstant(parsed.wall, 'earlier', 'reject')
    else t = this.zone.wallToInstant(parsed.wall, 'later', 'transition')
    if (t === undefined || !Number.isFinite(t)) return undefined
    // As in Dagster, a key may leave out fields finer than its format (a daily
    // key at hourOffset 6 reads as midnight): its window is the first at or after it.
    const n = this.grid.ceilIndex(t)
    // A strict format without a DST suffix that names a window start exactly is canonical.
    if (this.format.strict && suffixOffset === undefined && this.grid.tick(n) === t) return n
    return this.keyAt(n) === key ? n : undefined
  }

  windowAt(n: number): TimeWindow {
    return { start: new Date(this.grid.tick(n)), end: new Date(this.grid.tick(n + 1)) }
  }

  // ---- PartitionsDefinition ----

  keys(opts?: KeysOptions): string[] {
    const { first, last } = this.range(opts)
    const c = this.cache
    if (c && c.first === first && c.last === last) return c.keys.slice()
    const keys = new Array<string>(Math.max(0, last - first + 1))
    const fixed = this.zone.fixedOffset
    if (fixed !== undefined) {
      // Fast path: no offset look-ups, no DST suffixes.
      const format = this.format
      const grid = this.grid
      for (let n = first; n <= last; n++) {
        const t = grid.tick(n)
        keys[n - first] = format.format(t, t + fixed)
      }
    } else {
      for (let n = first; n <= last; n++) keys[n - first] = this.keyAt(n)
    }
    this.cache = { first, last, keys }
    return keys.slice()
  }

  has(key: string, opts?: KeysOptions): boolean {
    const n = this.indexOf(key)
    if (n === undefined) return false
    const { first, last } = this.range(opts)
    return n >= first && n <= last
  }

  validateKey(key: string, opts?: KeysOptions): void {
    this.existingIndex(key, opts)
  }

  /** Index of an existing key; throws STRATA_INVALID_PARTITION_KEY otherwise. */
  existingIndex(key: string, opts?: KeysOptions): number {
    const n = this.indexOf(key)
    const { first, last } = this.range(opts)
    if (n !== undefined && n >= first && n <= last) return n
    throw this.invalidKey(key, opts, n)
  }

  invalidKey(key: string, opts?: KeysOptions, n = this.indexOf(key)): StrataError {
    const { first, last } = this.range(opts)
    const where = this.timezone === 'UTC' ? '' : ` in ${this.timezone}`
    let msg = `Invalid partition key ${JSON.stringify(key)} for ${this.granularity} partitions${where}: expected ${this.format.display}`
    if (last >= first) msg += ` between ${this.keyAt(first)} and ${this.keyAt(last)}.`
    else {
      const from = this.firstAvailableAt()
      msg += from ? `, but no partition exists yet (the first, ${this.keyAt(first)}, exists from ${from.toISOString()}${this.availabilityRule()}).` : ', but end leaves no partition.'
    }
    if (n !== undefined) {
      if (n < first) msg += ` ${key} is before the first partition.`
      else if (n > this.endLimit + Math.min(0, this.endOffset)) msg += ` ${key} is past the end of the partitions.`
      else if (last >= first) msg += ` ${key} does not exist yet: it exists from ${new Date(this.grid.tick(n + 1 - this.endOffset)).toISOString()}${this.availabilityRule()}.`
    }
    return new StrataError('STRATA_INVALID_PARTITION_KEY', msg, { key, format: this.fmt })
  }

  private availabilityRule(): string {
    if (this.endOffset === 0) return ', when its window ends'
    if (this.endOffset === 1) return ', when its window starts (endOffset 1)'
    return ` (endOffset ${this.endOffset})`
  }

  // ---- time-window API ----

  window(key: string): TimeWindow {
    const n = this.indexOf(key)
    if (n === undefined) throw this.invalidKey(key)
    return this.windowAt(n)
  }

  firstKey(opts?: KeysOptions): string | undefined {
    const { first, last } = this.range(opts)
    return last >= first ? this.keyAt(first) : undefined
  }

  lastKey(opts?: KeysOptions): string | undefined {
    const { first, last } = this.range(opts)
    return last >= first ? this.keyAt(last) : undefined
  }

  nextKey(key: string, opts?: KeysOptions): string | undefined {
    const n = this.existingIndex(key, opts)
    return n + 1 <= this.range(opts).last ? this.keyAt(n + 1) : undefined
  }

  previousKey(key: string, opts?: KeysOptions): string | undefined {
    const n = this.existingIndex(key, opts)
    return n - 1 >= this.firstIndex ? this.keyAt(n - 1) : undefined
  }

  keysInRange(fromKey: string, toKey: string, opts?: KeysOptions): string[] {
    const a = this.existingIndex(fromKey, opts)
    const b = this.existingIndex(toKey, opts)
    if (a > b) {
      throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Invalid partition range ${fromKey}..${toKey}: ${fromKey} is after ${toKey}.`, { fromKey, toKey })
    }
    const out: string[] = []
    for (let n = a; n <= b; n++) out.push(this.keyAt(n))
    return out
  }

  keyForTime(date: Date, opts?: KeysOptions): string | undefined {
    const n = this.grid.floorIndex(date.getTime())
    const { first, last } = this.range(opts)
    return n >= first && n <= last ? this.keyAt(n) : undefined
  }

  windowsOverlapping(start: Date, end: Date, opts?: KeysOptions): PartitionWindow[] {
    const s = start.getTime()
    const e = end.getTime()
    if (!(e > s)) return []
    const { first, last } = this.range(opts)
    const a = Math.max(first, this.grid.floorIndex(s))
    const b = Math.min(last, this.grid.floorIndex(e - 1))
    const out: PartitionWindow[] = []
    for (let n = a; n <= b; n++) out.push({ key: this.keyAt(n), ...this.windowAt(n) })
    return out
  }
}

/** The key format when none is given: a date when the cron fires at one time of day at most, else date and time. */
export function defaultFormat(spec: PartitionCron): string {
  return firesOncePerDay(spec) ? DEFAULT_DATE_FORMAT : DEFAULT_HOURLY_FORMAT
}

export function isTimeWindowPartitions(def: unknown): def is TimeWindowPartitions {
  return def instanceof TimeWindowPartitions
}
