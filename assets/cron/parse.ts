/**
 * Cron expressions: the five standard fields (minute, hour, day of month,
 * month, day of week) with lists, ranges, steps, month and weekday names,
 * `L` (last day of the month, last given weekday of the month), `#` (nth
 * weekday of the month) and the `@daily`-style aliases. Parsing is left to the
 * `cron-parser` package; this module checks what Strata accepts and keeps the
 * expanded fields the tick search needs.
 */
import { createRequire } from 'node:module'
import type * as CronParser from 'cron-parser'
import { StrataError } from '../errors.js'
import { DAY_MS, civilFromWall, daysFromCivil, floorMod } from '../partitions/calendar.js'

type CronParserModule = typeof CronParser
let loaded: CronParserModule | undefined

/** Loaded on first use: definitions without a cron never pay for it. */
function parser(): CronParserModule {
  return (loaded ??= createRequire(import.meta.url)('cron-parser') as CronParserModule)
}

export interface CronFields {
  /** The expression in canonical form, e.g. `0 9 * * 1-5` for `0 9 * * MON-FRI`. */
  readonly cron: string
  /** Minutes past the hour, ascending. */
  readonly minutes: readonly number[]
  /** Hours, ascending. */
  readonly hours: readonly number[]
  /** The hour field is `*`: the schedule fires every hour, so a repeated wall time fires twice and a skipped one not at all (as Dagster's hourly schedules). */
  readonly everyHour: boolean
  /** Day-of-month numbers. */
  readonly days: ReadonlySet<number>
  /** `L` in the day-of-month field. */
  readonly lastDayOfMonth: boolean
  /** Months 1-12. */
  readonly months: ReadonlySet<number>
  /** Weekdays 0-6, Sunday = 0. */
  readonly weekdays: ReadonlySet<number>
  /** Weekdays whose last occurrence in the month matches (`5L`). */
  readonly lastWeekdays: ReadonlySet<number>
  /** With `#`: the weekday's occurrence in the month (1-5), else 0. */
  readonly nthWeekday: number
  readonly anyDay: boolean
  readonly anyWeekday: boolean
}

const ALIASES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly', '@weekdays', '@weekends']
const EXAMPLES = 'e.g. "0 0 * * *" (daily at midnight), "0 9 * * 1-5" (weekdays at 9:00), "*/15 * * * *" (every 15 minutes), "0 0,11 * * *" (twice a day)'

export function invalidCron(cron: unknown, why: string): StrataError {
  return new StrataError('STRATA_INVALID_CRON', `Invalid cron ${JSON.stringify(cron)}: ${why}. Write five fields, minute hour day-of-month month day-of-week, ${EXAMPLES}.`, { cron })
}

const cache = new Map<string, CronFields>()

/** Parses and checks a cron expression; throws STRATA_INVALID_CRON with the reason. Cached per expression. */
export function cronFields(cron: string): CronFields {
  if (typeof cron !== 'string') throw invalidCron(cron, `expected a string, got ${cron === null ? 'null' : typeof cron}`)
  const hit = cache.get(cron)
  if (hit) return hit
  const text = cron.trim()
  if (text === '') throw invalidCron(cron, 'it is empty')
  if (text.startsWith('@')) {
    if (!ALIASES.includes(text.toLowerCase())) throw invalidCron(cron, `unknown alias; the aliases are ${ALIASES.join(', ')}`)
  } else {
    const n = text.split(/\s+/).length
    // cron-parser reads six fields as seconds first; Strata's ticks are whole minutes, like Dagster's.
    if (n !== 5) throw invalidCron(cron, `expected 5 fields, got ${n}${n === 6 ? ' (a seconds field is not supported)' : ''}`)
    const unnamed = text.replace(/\b(sun|mon|tue|wed|thu|fri|sat|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b/gi, '')
    const odd = /[HW]/i.exec(unnamed)
    if (odd) throw invalidCron(cron, `"${odd[0]}" is not supported (random "H" and nearest-weekday "W" are not standard cron)`)
  }
  let expr: CronParser.CronExpression
  try {
    expr = parser().CronExpressionParser.parse(text, { strict: false })
  } catch (err) {
    throw invalidCron(cron, lowerFirst((err as Error).message))
  }
  const f = expr.fields
  const dom = f.dayOfMonth.values as Array<number | 'L'>
  const dow = f.dayOfWeek.values as Array<number | string>
  const weekdays = new Set<number>()
  const lastWeekdays = new Set<number>()
  for (const v of dow) {
    if (typeof v === 'number') weekdays.add(v % 7)
    else if (/^[0-7]L$/.test(v)) lastWeekdays.add(Number(v[0]) % 7)
    else throw invalidCron(cron, `day of week ${JSON.stringify(v)} is not supported`)
  }
  const fields: CronFields = Object.freeze({
    cron: expr.stringify(),
    minutes: Object.freeze([...(f.minute.values as number[])].sort((a, b) => a - b)),
    hours: Object.freeze([...(f.hour.values as number[])].sort((a, b) => a - b)),
    everyHour: f.hour.isWildcard,
    days: new Set(dom.filter((d): d is number => typeof d === 'number')),
    lastDayOfMonth: dom.includes('L'),
    months: new Set(f.month.values as number[]),
    weekdays,
    lastWeekdays,
    nthWeekday: f.dayOfWeek.nthDay ?? 0,
    anyDay: f.dayOfMonth.isWildcard || f.dayOfMonth.hasQuestionMarkChar,
    anyWeekday: f.dayOfWeek.isWildcard || f.dayOfWeek.hasQuestionMarkChar,
  })
  cache.set(cron, fields)
  return fields
}

/** Whether a cron expression is valid (see `cronFields`). */
export function isValidCron(cron: string): boolean {
  try {
    cronFields(cron)
    return true
  } catch {
    return false
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s
}

export interface CivilDay {
  year: number
  month: number
  day: number
  /** 0-6, Sunday = 0. */
  weekday: number
  daysInMonth: number
}

/** Whether the schedule fires on a calendar day; a restricted day of month and day of week match either, as in cron. */
export function dayMatches(f: CronFields, d: CivilDay): boolean {
  if (!f.months.has(d.month)) return false
  const byDay = f.days.has(d.day) || (f.lastDayOfMonth && d.day === d.daysInMonth)
  let byWeekday = false
  if (f.nthWeekday > 0) byWeekday = f.weekdays.has(d.weekday) && Math.ceil(d.day / 7) === f.nthWeekday
  else byWeekday = f.weekdays.has(d.weekday)
  if (!byWeekday && f.lastWeekdays.has(d.weekday)) byWeekday = d.day + 7 > d.daysInMonth
  if (f.anyDay && f.anyWeekday) return true
  if (f.anyDay) return byWeekday
  if (f.anyWeekday) return byDay
  return byDay || byWeekday
}

/** The calendar day `n` days after 1970-01-01 (calendar arithmetic only: no zone involved). */
export function civilDay(n: number): CivilDay {
  const { year, month, day } = civilFromWall(n * DAY_MS)
  const weekday = floorMod(n + 4, 7)
  return { year, month, day, weekday, daysInMonth: daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1) }
}
