/**
 * Partition key formats. The defaults (`yyyy-MM-dd`, `yyyy-MM-dd-HH:mm`) are
 * formatted and parsed with integer arithmetic; a custom `fmt` uses luxon
 * tokens (https://moment.github.io/luxon/#/formatting?id=table-of-tokens),
 * e.g. `yyyyMMdd` or `yyyy-MM-dd'T'HH`.
 */
import type { Zone } from 'luxon'
import { luxon } from './luxon.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, civilFromWall, daysFromCivil, pad2, pad4 } from './calendar.js'

export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd'
export const DEFAULT_HOURLY_FORMAT = 'yyyy-MM-dd-HH:mm'

/** What a key says: a local wall time, or an exact instant when the format carries an offset. */
export type ParsedKey = { wall: number; instant?: undefined } | { instant: number; wall?: undefined }

export interface KeyFormat {
  readonly fmt: string
  /** How the format is shown in messages: `YYYY-MM-DD`, or `format "yyyyMMdd"`. */
  readonly display: string
  /** True when keys include a UTC offset (luxon `Z` tokens), so no DST suffix is needed. */
  readonly hasOffset: boolean
  /** True when parse() accepts exactly the strings format() produces (fixed-width, range-checked fields). */
  readonly strict: boolean
  format(instant: number, wall: number): string
  parse(key: string): ParsedKey | undefined
}

const HM: string[] = Array.from({ length: 1440 }, (_, i) => `${pad2(Math.floor(i / 60))}:${pad2(i % 60)}`)
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29
  return DAYS_IN_MONTH[month - 1] ?? 0
}

/** Digits at key[i..i+n) as a number, or -1. */
function digits(key: string, i: number, n: number): number {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const d = key.charCodeAt(k) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/** `yyyy-MM-dd` at the start of key, validated, as days since the epoch; or undefined. */
function parseDate(key: string): number | undefined {
  if (key.charCodeAt(4) !== 45 || key.charCodeAt(7) !== 45) return undefined
  const y = digits(key, 0, 4)
  const m = digits(key, 5, 2)
  const d = digits(key, 8, 2)
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined
  return daysFromCivil(y, m, d)
}

/**
 * The default formats cache the date part of the previous key, so a run of
 * consecutive keys costs one string concatenation each.
 */
function dateFormat(): KeyFormat {
  let dayFrom = 0
  let dayTo = -1
  let prefix = ''
  return {
    fmt: DEFAULT_DATE_FORMAT,
    display: 'YYYY-MM-DD',
    hasOffset: false,
    strict: true,
    format(_instant, wall) {
      const days = Math.floor(wall / DAY_MS)
      if (days < dayFrom || days > dayTo) {
        const c = civilFromWall(days * DAY_MS)
        dayFrom = days - c.day + 1
        dayTo = dayFrom + daysInMonth(c.year, c.month) - 1
        prefix = `${pad4(c.year)}-${pad2(c.month)}-`
      }
      return prefix + pad2(days - dayFrom + 1)
    },
    parse(key) {
      if (key.length !== 10) return undefined
      const days = parseDate(key)
      return days === undefined ? undefined : { wall: days * DAY_MS }
    },
  }
}

function hourlyFormat(): KeyFormat {
  let day = NaN
  let prefix = ''
  return {
    fmt: DEFAULT_HOURLY_FORMAT,
    display: 'YYYY-MM-DD-HH:mm',
    hasOffset: false,
    strict: true,
    format(_instant, wall) {
      const days = Math.floor(wall / DAY_MS)
      if (days !== day) {
        const c = civilFromWall(days * DAY_MS)
        day = days
        prefix = `${pad4(c.year)}-${pad2(c.month)}-${pad2(c.day)}-`
      }
      return prefix + HM[Math.floor((wall - days * DAY_MS) / MINUTE_MS)]!
    },
    parse(key) {
      if (key.length !== 16 || key.charCodeAt(10) !== 45 || key.charCodeAt(13) !== 58) return undefined
      const days = parseDate(key)
      const h = digits(key, 11, 2)
      const mi = digits(key, 14, 2)
      if (days === undefined || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined
      return { wall: days * DAY_MS + h * HOUR_MS + mi * MINUTE_MS }
    },
  }
}

function luxonFormat(fmt: string, zone: Zone): KeyFormat {
  const hasOffset = /Z/.test(fmt.replace(/'[^']*'/g, ''))
  return {
    fmt,
    display: `format "${fmt}"`,
    hasOffset,
    strict: false,
    format(instant) {
      return luxon().DateTime.fromMillis(instant, { zone }).toFormat(fmt)
    },
    parse(key) {
      if (hasOffset) {
        const dt = luxon().DateTime.fromFormat(key, fmt, { zone, setZone: true })
        return dt.isValid ? { instant: dt.toMillis() } : undefined
      }
      const dt = luxon().DateTime.fromFormat(key, fmt, { zone: 'utc' })
      return dt.isValid ? { wall: dt.toMillis() } : undefined
    },
  }
}

export function keyFormat(fmt: string | undefined, hourly: boolean, zone: Zone): KeyFormat {
  const f = fmt ?? (hourly ? DEFAULT_HOURLY_FORMAT : DEFAULT_DATE_FORMAT)
  if (f === DEFAULT_DATE_FORMAT) return dateFormat()
  if (f === DEFAULT_HOURLY_FORMAT) return hourlyFormat()
  return luxonFormat(f, zone)
}
