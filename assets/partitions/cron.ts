/**
 * The cron schedules time-window partitions support: `minute hour day-of-month
 * * day-of-week` where each field is a number or `*`, limited to the shapes
 * that give regular windows (hourly, daily, weekly, monthly).
 */
import { StrataError } from '../errors.js'

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

const SHAPES = 'hourly "M * * * *", daily "M H * * *", weekly "M H * * D" or monthly "M H DOM * *" (M, H, D, DOM numbers)'

function invalid(cron: string, why: string): StrataError {
  return new StrataError('STRATA_INVALID_PARTITIONS', `Unsupported cron schedule ${JSON.stringify(cron)}: ${why}. Supported: ${SHAPES}.`)
}

function num(cron: string, field: string, name: string, min: number, max: number): number | undefined {
  if (field === '*') return undefined
  if (!/^\d{1,2}$/.test(field)) throw invalid(cron, `${name} must be a number or *, got ${JSON.stringify(field)}`)
  const n = Number(field)
  if (n < min || n > max) throw invalid(cron, `${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

export function parseCron(cron: string): CronSpec {
  if (typeof cron !== 'string') throw invalid(String(cron), 'not a string')
  const fields = cron.trim().split(/\s+/)
  if (fields.length !== 5) throw invalid(cron, `expected 5 fields, got ${fields.length}`)
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string]
  if (mon !== '*') throw invalid(cron, 'the month field must be *')
  const minute = num(cron, mi, 'minute', 0, 59)
  if (minute === undefined) throw invalid(cron, 'the minute must be a number (windows shorter than an hour are not supported)')
  const hour = num(cron, h, 'hour', 0, 23)
  const dayOfMonth = num(cron, dom, 'day of month', 1, 31)
  if (dayOfMonth !== undefined && dayOfMonth > 28) throw invalid(cron, `day of month ${dayOfMonth} does not exist in every month; use 1-28`)
  let dayOfWeek = num(cron, dow, 'day of week', 0, 7)
  if (dayOfWeek === 7) dayOfWeek = 0
  if (hour === undefined && (dayOfMonth !== undefined || dayOfWeek !== undefined)) {
    throw invalid(cron, 'an hourly schedule (hour *) cannot restrict the day')
  }
  if (dayOfMonth !== undefined && dayOfWeek !== undefined) throw invalid(cron, 'give a day of month or a day of week, not both')
  return buildCron(minute, hour, dayOfMonth, dayOfWeek)
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
 */
export function withOffsets(spec: CronSpec, offsets: CronOffsets): CronSpec {
  const { minuteOffset, hourOffset, dayOffset } = offsets
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
