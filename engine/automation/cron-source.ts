/**
 * Next and previous cron ticks in a time zone: minute, hour, day of month,
 * month and day of week fields with lists, ranges and steps; a day of month
 * and a day of week both restricted match either (as cron does). A wall time
 * a DST change skips fires at the instant luxon moves it to; a repeated one
 * fires once (its first occurrence).
 */
import { luxon } from '../../assets/partitions/luxon.js'

interface Fields {
  minutes: number[]
  hours: number[]
  days: Set<number>
  months: Set<number>
  weekdays: Set<number>
  anyDay: boolean
  anyWeekday: boolean
}

const cache = new Map<string, Fields>()

function field(text: string, min: number, max: number): number[] {
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined]
    const step = stepText === undefined ? 1 : Number(stepText)
    let lo = min
    let hi = max
    if (range !== '*') {
      const [a, b] = range.split('-')
      lo = Number(a)
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b)
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !Number.isInteger(step) || step < 1 || lo < min || hi > max || lo > hi) {
      throw new Error(`Invalid cron field "${text}" (expected values ${min}-${max}).`)
    }
    for (let v = lo; v <= hi; v += step) out.add(v)
  }
  return [...out].sort((x, y) => x - y)
}

function parse(cron: string): Fields {
  const hit = cache.get(cron)
  if (hit) return hit
  const parts = cron.trim().split(/\s+/)
  if (parts.length !== 5) throw new Error(`Invalid cron "${cron}": expected 5 fields.`)
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string]
  const fields: Fields = {
    minutes: field(mi, 0, 59),
    hours: field(h, 0, 23),
    days: new Set(field(dom, 1, 31)),
    months: new Set(field(mon, 1, 12)),
    weekdays: new Set(field(dow, 0, 7).map((d) => d % 7)),
    anyDay: dom === '*',
    anyWeekday: dow === '*',
  }
  cache.set(cron, fields)
  return fields
}

function dayMatches(f: Fields, day: { day: number; month: number; weekday: number }): boolean {
  if (!f.months.has(day.month)) return false
  const dom = f.days.has(day.day)
  const dow = f.weekdays.has(day.weekday % 7)
  if (f.anyDay && f.anyWeekday) return true
  if (f.anyDay) return dow
  if (f.anyWeekday) return dom
  return dom || dow
}

const MAX_DAYS = 366 * 8

function search(cron: string, from: Date, timezone: string, direction: 1 | -1): Date | undefined {
  const f = parse(cron)
  const { DateTime } = luxon()
  const t = from.getTime()
  let day = DateTime.fromMillis(t, { zone: timezone }).startOf('day')
  const hours = direction === 1 ? f.hours : [...f.hours].reverse()
  const minutes = direction === 1 ? f.minutes : [...f.minutes].reverse()
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: direction })) {
    if (!dayMatches(f, day)) continue
    // Wall times in order map to instants in order, except across a DST change: the first hit is the answer.
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: timezone }).toMillis()
        if (direction === 1 ? at > t : at < t) return new Date(at)
      }
    }
  }
  return undefined
}

/** The first tick strictly after `after`. */
export function nextTick(cron: string, after: Date, timezone = 'UTC'): Date | undefined {
  return search(cron, after, timezone, 1)
}

/** The last tick strictly before `before`. */
export function previousTick(cron: string, before: Date, timezone = 'UTC'): Date | undefined {
  return search(cron, before, timezone, -1)
}
