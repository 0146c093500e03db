/**
 * Schedules: materialize a selection on a cron. The declaration is data plus
 * an optional `partitions` function; the daemon (engine/automation/) ticks it.
 *
 * @example
 * schedule({ name: 'nightly', cron: '0 4 * * *', timezone: 'America/New_York', target: 'features/*', partitions: 'latest' })
 */
import { StrataError } from '../errors.js'
import { cronFields } from '../cron/parse.js'
import { cronZone } from '../cron/ticks.js'
import type { CatchUp, ScheduleContext } from './types.js'

export interface ScheduleSpec {
  /** Unique among the schedules and sensors of the definitions. */
  name: string
  /** Five-field cron, e.g. `'0 4 * * *'` or `'0 9 * * 1-5'`. */
  cron: string
  /** IANA time zone the cron is read in. @defaultValue 'UTC' */
  timezone?: string
  /** Asset selection, as on the command line: `'raw/flights+'`, `'group:features'`, `'*'`. */
  target: string
  /**
   * Which partitions of partitioned targets to run: `'latest'` (the last
   * existing at the tick), or a function of the tick returning keys.
   * Unpartitioned targets ignore it. @defaultValue 'latest'
   */
  partitions?: 'latest' | ((ctx: ScheduleContext) => string[])
  /** Ticks missed while the daemon was down: run the latest, every one, or none. @defaultValue 'latest' */
  catchUp?: CatchUp
  description?: string
}

/** A declared schedule. Create with `schedule()`. */
export interface ScheduleDefinition {
  readonly __strataSchedule: true
  readonly name: string
  readonly cron: string
  readonly timezone: string
  readonly target: string
  readonly partitions?: 'latest' | ((ctx: ScheduleContext) => string[])
  readonly catchUp: CatchUp
  readonly description?: string
}

const CATCH_UP: readonly CatchUp[] = ['latest', 'all', 'none']

export function invalidAutomation(message: string): StrataError {
  return new StrataError('STRATA_INVALID_AUTOMATION', message)
}

/** Names are shown by the CLI and stored with every tick: one line of printable text. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || /[\x00-\x1f\x7f]/.test(name) || name.length > 200) {
    throw invalidAutomation(`${what} needs a name: a non-empty string of at most 200 characters, without surrounding spaces or control characters (got ${JSON.stringify(name) ?? String(name)}).`)
  }
  return name
}

export function checkTargetText(target: unknown, where: string): string {
  if (typeof target !== 'string' || target.trim() === '') {
    throw invalidAutomation(`${where}: target must be an asset selection such as 'raw/flights', 'features/flights+', 'group:monitoring' or '*' (got ${JSON.stringify(target) ?? String(target)}).`)
  }
  return target
}

export function checkTimezone(timezone: unknown, where: string): string {
  if (timezone === undefined) return 'UTC'
  if (typeof timezone !== 'string') throw invalidAutomation(`${where}: timezone must be an IANA name such as "America/New_York" (got ${JSON.stringify(timezone)}).`)
  try {
    cronZone(timezone)
  } catch (err) {
    throw invalidAutomation(`${where}: ${(err as Error).message}`)
  }
  return timezone
}

/** Declares a schedule; register it with `defineDefinitions({ schedules })`. */
export function schedule(spec: ScheduleSpec): ScheduleDefinition {
  if (typeof spec !== 'object' || spec === null) throw invalidAutomation("schedule() takes an object: schedule({ name, cron, target }), e.g. schedule({ name: 'nightly', cron: '0 4 * * *', target: '*' }).")
  const name = checkName(spec.name, 'schedule()')
  const where = `Schedule "${name}"`
  if (spec.cron === undefined) throw invalidAutomation(`${where} needs a cron, e.g. cron: '0 4 * * *'.`)
  cronFields(spec.cron)
  const timezone = checkTimezone(spec.timezone, where)
  const target = checkTargetText(spec.target, where)
  const p = spec.partitions
  if (p !== undefined && p !== 'latest' && typeof p !== 'function') {
    throw invalidAutomation(`${where}: partitions must be 'latest' or a function (ctx) => keys (got ${JSON.stringify(p)}).`)
  }
  const catchUp = spec.catchUp ?? 'latest'
  if (!CATCH_UP.includes(catchUp)) throw invalidAutomation(`${where}: catchUp must be 'latest', 'all' or 'none' (got ${JSON.stringify(spec.catchUp)}).`)
  if (spec.description !== undefined && typeof spec.description !== 'string') throw invalidAutomation(`${where}: description must be a string.`)
  return Object.freeze({
    __strataSchedule: true as const,
    name,
    cron: spec.cron,
    timezone,
    target,
    ...(p !== undefined ? { partitions: p } : {}),
    catchUp,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  })
}

export function isScheduleDefinition(value: unknown): value is ScheduleDefinition {
  return typeof value === 'object' && value !== null && (value as ScheduleDefinition).__strataSchedule === true
}
