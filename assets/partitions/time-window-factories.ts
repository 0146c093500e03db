/**
 * Constructors of time-window partitions: `hourlyPartitions`,
 * `dailyPartitions`, `weeklyPartitions`, `monthlyPartitions` and the general
 * `timeWindowPartitions({ cron })`.
 */
import { luxon } from './luxon.js'
import { StrataError } from '../errors.js'
import { firesOncePerDay, parseCron, regularCron, withOffsets, type PartitionCron } from './cron.js'
import { keyFormat, type KeyFormat } from './key-format.js'
import { describeKeyProblem, partitionKeyProblem } from './key-rules.js'
import { TimeWindowPartitions } from './time-window.js'
import { ZoneInfo } from './zone.js'

export interface TimeWindowPartitionsOptions {
  /**
   * The first partition starts at the first schedule tick at or after this.
   * A `Date` is an instant; a string is read in the key format (e.g.
   * `'2021-05-05'`, `'2021-03-14-01:00'` for hourly) or as ISO 8601, as a
   * local time in `timezone`.
   */
  start: Date | string
  /** Exclusive: the last partition ends at or before this. Same forms as `start`. */
  end?: Date | string
  /** IANA name. @defaultValue 'UTC' */
  timezone?: string
  /**
   * Key format in luxon tokens (https://moment.github.io/luxon/#/formatting?id=table-of-tokens),
   * e.g. `'yyyyMMdd'`. @defaultValue `'yyyy-MM-dd'`, or `'yyyy-MM-dd-HH:mm'` for hourly
   */
  fmt?: string
  /**
   * Windows to add after (positive) or remove before (negative) the last
   * complete window before now. `1` includes the window in progress.
   * @defaultValue 0
   */
  endOffset?: number
}

export interface HourlyPartitionsOptions extends TimeWindowPartitionsOptions {
  /** Minute of the hour windows start at. @defaultValue 0 */
  minuteOffset?: number
}

export interface DailyPartitionsOptions extends HourlyPartitionsOptions {
  /** Hour of the day windows start at. @defaultValue 0 */
  hourOffset?: number
}

export interface WeeklyPartitionsOptions extends DailyPartitionsOptions {
  /** Day of the week windows start on, 0 = Sunday. @defaultValue 0 */
  dayOffset?: number
}

export interface MonthlyPartitionsOptions extends DailyPartitionsOptions {
  /** Day of the month windows start on, 1-28. @defaultValue 1 */
  dayOffset?: number
}

export interface CronPartitionsOptions extends DailyPartitionsOptions {
  /**
   * Any five-field cron: `'30 2 * * *'`, `'15 6 * * 3'`, twice daily `'0 0,11 * * *'`,
   * weekdays `'0 9 * * 1-5'`, every 15 minutes `'*\/15 * * * *'`, yearly `'0 0 1 1 *'`.
   * Keys default to dates when it fires at one time of day, else date and time.
   * Offsets apply to the hourly, daily, weekly and monthly shapes and override their fields.
   */
  cron: string
  dayOffset?: number
}

function toInstant(what: 'start' | 'end', value: Date | string, zone: ZoneInfo, format: KeyFormat, hourly: boolean): number {
  if (value instanceof Date) {
    const t = value.getTime()
    if (Number.isNaN(t)) throw new StrataError('STRATA_INVALID_PARTITIONS', `${what} is an invalid Date.`)
    return t
  }
  if (typeof value === 'string') {
    const parsed = format.parse(value)
    if (parsed?.instant !== undefined) return parsed.instant
    if (parsed) {
      const t = zone.wallToInstant(parsed.wall, hourly ? 'earlier' : 'later', 'transition')
      if (t !== undefined && Number.isFinite(t)) return t
    }
    const iso = luxon().DateTime.fromISO(value, { zone: zone.luxonZone })
    if (iso.isValid) return iso.toMillis()
  }
  throw new StrataError(
    'STRATA_INVALID_PARTITIONS',
    `${what} ${JSON.stringify(value)} is neither a Date nor a date in the key ${format.display} (or ISO 8601), e.g. ${JSON.stringify(format.fmt === 'yyyy-MM-dd' ? '2021-05-05' : format.fmt)}.`,
  )
}

function build(spec: PartitionCron, o: TimeWindowPartitionsOptions): TimeWindowPartitions {
  if (typeof o !== 'object' || o === null) throw new StrataError('STRATA_INVALID_PARTITIONS', 'Time-window partitions take an options object: { start, end?, timezone?, fmt?, endOffset? }.')
  if (o.start === undefined) throw new StrataError('STRATA_INVALID_PARTITIONS', `${spec.granularity} partitions need a start, e.g. { start: '2021-01-01' }.`)
  const zone = ZoneInfo.get(o.timezone ?? 'UTC')
  const endOffset = o.endOffset ?? 0
  if (!Number.isInteger(endOffset)) throw new StrataError('STRATA_INVALID_PARTITIONS', `endOffset must be a whole number (got ${JSON.stringify(o.endOffset)}).`)
  if (o.fmt !== undefined && (typeof o.fmt !== 'string' || o.fmt === '')) throw new StrataError('STRATA_INVALID_PARTITIONS', 'fmt must be a non-empty luxon format string, e.g. "yyyyMMdd".')
  // How a wall time in start or end reads: the first of a repeated hour for schedules that tick every hour, else the later (as their ticks).
  const hourly = spec.granularity === 'hourly' || (spec.granularity === 'cron' && spec.fields.everyHour)
  const format = keyFormat(o.fmt, !firesOncePerDay(spec), zone.luxonZone)
  const start = toInstant('start', o.start, zone, format, hourly)
  const end = o.end === undefined ? undefined : toInstant('end', o.end, zone, format, hourly)
  if (end !== undefined && end <= start) {
    throw new StrataError('STRATA_INVALID_PARTITIONS', `end (${new Date(end).toISOString()}) must be after start (${new Date(start).toISOString()}).`)
  }
  const def = new TimeWindowPartitions({ spec, zone, format, start, end, endOffset })
  checkFormat(def, spec)
  return def
}

/** A custom fmt must tell windows apart, read back what it writes, and write addressable keys. */
function checkFormat(def: TimeWindowPartitions, spec: PartitionCron): void {
  const n0 = def.firstIndex
  // 400 windows of a cron that fires at most daily already span more than a year (400 years, yearly), which is what a format must tell apart.
  const far = spec.granularity === 'cron' && firesOncePerDay(spec) ? [] : [n0 + 5000]
  for (const n of [n0, n0 + 1, n0 + 2, n0 + 30, n0 + 400, ...far]) {
    const key = def.keyAt(n)
    const problem = partitionKeyProblem(key)
    if (problem) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', `fmt ${JSON.stringify(def.fmt)} writes keys such as ${JSON.stringify(key)}: ${describeKeyProblem(key, problem)}. Use "-", "_" or "/" between fields instead.`, {
        key,
        char: problem.char,
      })
    }
    if (def.indexOf(key) !== n || key === def.keyAt(n + 1)) {
      throw new StrataError(
        'STRATA_INVALID_PARTITIONS',
        `fmt ${JSON.stringify(def.fmt)} cannot be used for ${def.granularity} partitions: key ${JSON.stringify(key)} does not identify the window starting ${new Date(def.tickAt(n)).toISOString()}. Include every field down to the window size (luxon tokens, e.g. ${JSON.stringify(firesOncePerDay(spec) ? 'yyyy-MM-dd' : 'yyyy-MM-dd-HH:mm')}).`,
      )
    }
  }
}

function optionsObject<T>(o: T, name: string): T {
  if (typeof o !== 'object' || o === null) throw new StrataError('STRATA_INVALID_PARTITIONS', `${name}() takes an options object, e.g. ${name}({ start: '2021-01-01' }).`)
  return o
}

export function timeWindowPartitions(o: CronPartitionsOptions): TimeWindowPartitions {
  optionsObject(o, 'timeWindowPartitions')
  return build(withOffsets(parseCron(o.cron), o), o)
}

export function hourlyPartitions(o: HourlyPartitionsOptions): TimeWindowPartitions {
  optionsObject(o, 'hourlyPartitions')
  return build(withOffsets(regularCron('0 * * * *'), { minuteOffset: o.minuteOffset }), o)
}

export function dailyPartitions(o: DailyPartitionsOptions): TimeWindowPartitions {
  optionsObject(o, 'dailyPartitions')
  return build(withOffsets(regularCron('0 0 * * *'), { minuteOffset: o.minuteOffset, hourOffset: o.hourOffset }), o)
}

export function weeklyPartitions(o: WeeklyPartitionsOptions): TimeWindowPartitions {
  optionsObject(o, 'weeklyPartitions')
  return build(withOffsets(regularCron('0 0 * * 0'), o), o)
}

export function monthlyPartitions(o: MonthlyPartitionsOptions): TimeWindowPartitions {
  optionsObject(o, 'monthlyPartitions')
  return build(withOffsets(regularCron('0 0 1 * *'), o), o)
}
