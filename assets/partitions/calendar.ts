/**
 * Proleptic Gregorian calendar arithmetic on "wall" milliseconds: a local
 * date and time encoded as if it were UTC. Pure integer math, no Date objects,
 * so key formatting stays cheap.
 */
export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a civil date (month 1-12; out-of-range days roll over). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil, extended to roll months over.
  const extraYears = Math.floor((month - 1) / 12)
  const y0 = year + extraYears
  const m = month - 1 - extraYears * 12 + 1
  const y = m <= 2 ? y0 - 1 : y0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (m + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

export interface CivilDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
}

/** Splits wall milliseconds into civil fields. */
export function civilFromWall(wall: number): CivilDateTime {
  const days = Math.floor(wall / DAY_MS)
  const rest = wall - days * DAY_MS
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const hour = Math.floor(rest / HOUR_MS)
  const minute = Math.floor((rest - hour * HOUR_MS) / MINUTE_MS)
  return { year, month, day, hour, minute }
}

/** Wall milliseconds of a civil date and time. */
export function wallFromCivil(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS
}

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)))

export function pad2(n: number): string {
  return PAD2[n] ?? String(n).padStart(2, '0')
}

export function pad4(n: number): string {
  if (n >= 1000 && n <= 9999) return String(n)
  return n < 0 ? `-${String(-n).padStart(4, '0')}` : String(n).padStart(4, '0')
}

/** `+0100` / `-0500`, like Python's `%z`. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+'
  const total = Math.round(Math.abs(offsetMs) / MINUTE_MS)
  return `${sign}${pad2(Math.floor(total / 60))}${pad2(total % 60)}`
}

export function floorMod(a: number, n: number): number {
  return ((a % n) + n) % n
}
