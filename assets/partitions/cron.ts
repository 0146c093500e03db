/**
 * The crons of time-window partitions. Any complete cron is accepted
 * (assets/cron/): the regular shapes (`M * * * *` hourly, `M H * * *` daily,
 * `M H * * D` weekly, `M H DOM * *` monthly with DOM 1-28) get O(1) window
 * arithmetic (grid.ts); every other cron, e.g. `0 0,11 * * *`, `0 9 * * 1-5`,
 * `*\/15 * * * *` or `0 0 1 1 *`, gets windows between its ticks (cron-grid.ts).
 */
import { StrataError } from '../errors.js'
import { cronFields, type CronFields } from '../cron/parse.js'

export type Granularity = 'hourly' | 'daily' | 'weekly' | 'monthly'

export interface CronSpec {
  readonly minute: number
  /** `undefined` means `*` (hourly). */
  readonly hour: number | undefined
  /** Day of month 1-28, monthly only. */
  readonly dayOfMonth: number | undefined
  /** Day of week 0-6 (0 = Sunday), weekly only. */
  readonly dayOfWeek: number | undefined
  readonly granularity: Granularity
  /** Canonical cron string. */
  readonly cron: string
}

/** Any other cron: windows run from one tick to the next. */
export interface GeneralCronSpec {
  readonly granularity: 'cron'
  /** Canonical cron string. */
  readonly cron: string
  readonly fields: CronFields
}

export type PartitionCron = CronSpec | GeneralCronSpec

/** A regular shape's fields from a canonical cron, or undefined. */
function regularShape(cron: string): CronSpec | undefined {
  const [mi, h, dom, mon, dow] = cron.split(' ').map((f) => (f === '?' ? '*' : f)) as [string, string, string, string, string]
  const num = (f: string, max: number): number | undefined | null => (f === '*' ? undefined : /^\d{1,2}$/.test(f) && Number(f) <= max ? Number(f) : null)
  const minute = num(mi, 59)
  const hour = num(h, 23)
  const dayOfMonth = num(dom, 28)
  const dayOfWeek = num(dow, 6)
  if (mon !== '*' || minute === undefined || minute === null || hour === null || dayOfMonth === null || dayOfWeek === null) return undefined
  if (hour === undefined && (dayOfMonth !== undefined || dayOfWeek !== undefined)) return undefined
  if (dayOfMonth !== undefined && dayOfWeek !== undefined) return undefined
  return buildCron(minute, hour, dayOfMonth, dayOfWeek)
}

/** Reads a partitions cron; throws STRATA_INVALID_CRON when it is no valid cron. */
export function parseCron(cron: string): PartitionCron {
  const fields = cronFields(cron)
  return regularShape(fields.cron) ?? Object.freeze({ granularity: 'cron' as const, cron: fields.cron, fields })
}

/** The cron of a regular shape (the hourly, daily, weekly and monthly factories). */
export function regularCron(cron: string): CronSpec {
  const spec = parseCron(cron)
  if (spec.granularity === 'cron') throw new StrataError('STRATA_INVALID_PARTITIONS', `${JSON.stringify(cron)} is not an hourly, daily, weekly or monthly cron.`)
  return spec
}

/** A general cron fires at one wall time a day (or less often), so a date tells its windows apart. */
export function firesOncePerDay(spec: PartitionCron): boolean {
  if (spec.granularity !== 'cron') return spec.granularity !== 'hourly'
  return !spec.fields.everyHour && spec.fields.hours.length === 1 && spec.fields.minutes.length === 1
}

export function buildCron(minute: number, hour: number | undefined, dayOfMonth: number | undefined, dayOfWeek: number | undefined): CronSpec {
  const granularity: Granularity =
    hour === undefined ? 'hourly' : dayOfWeek !== undefined ? 'weekly' : dayOfMonth !== undefined ? 'monthly' : 'daily'
  const f = (n: number | undefined): string => (n === undefined ? '*' : String(n))
  return { minute, hour, dayOfMonth, dayOfWeek, granularity, cron: `${minute} ${f(hour)} ${f(dayOfMonth)} * ${f(dayOfWeek)}` }
}

export interface CronOffsets {
  minuteOffset?: number
  hourOffset?: number
  dayOffset?: number
}

function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StrataError('STRATA_INVALID_PARTITIONS', `${name} must be a whole number between ${min} and ${max} (got ${JSON.stringify(value)}).`)
  }
  return value
}

/**
 * Applies `minuteOffset` / `hourOffset` / `dayOffset` over a schedule's fields
 * (day offset = day of week 0-6 for weekly, day of month 1-28 for monthly).
 * Other crons take none.
 */
export function withOffsets(spec: PartitionCron, offsets: CronOffsets): PartitionCron {
  const { minuteOffset, hourOffset, dayOffset } = offsets
  if (spec.granularity === 'cron') {
    const given = Object.entries({ minuteOffset, hourOffset, dayOffset }).filter(([, v]) => v !== undefined).map(([k]) => k)
    if (given.length === 0) return spec
    throw new StrataError('STRATA_INVALID_PARTITIONS', `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to hourly, daily, weekly and monthly crons only; write the time into the cron ${JSON.stringify(spec.cron)} instead.`)
  }
  const minute = minuteOffset === undefined ? spec.minute : checkInt('minuteOffset', minuteOffset, 0, 59)
  let hour = spec.hour
  if (hourOffset !== undefined) {
    if (spec.granularity === 'hourly') throw new StrataError('STRATA_INVALID_PARTITIONS', 'hourOffset does not apply to hourly partitions.')
    hour = checkInt('hourOffset', hourOffset, 0, 23)
  }
  let { dayOfMonth, dayOfWeek } = spec
  if (dayOffset !== undefined) {
    if (spec.granularity === 'weekly') dayOfWeek = checkInt('dayOffset (day of week, 0 = Sunday)', dayOffset, 0, 6)
    else if (spec.granularity === 'monthly') dayOfMonth = checkInt('dayOffset (day of month)', dayOffset, 1, 28)
    else throw new StrataError('STRATA_INVALID_PARTITIONS', `dayOffset does not apply to ${spec.granularity} partitions.`)
  }
  return buildCron(minute, hour, dayOfMonth, dayOfWeek)
}
