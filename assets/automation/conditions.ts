/**
 * Automation conditions: when the daemon should request a materialization of
 * an asset (or partition). A condition is plain data (`spec`) so it can be
 * hashed, stored and sent to workers; the engine evaluates it
 * (engine/automation/). Conditions compose with `and`, `or` and `not`.
 *
 * @example
 * asset({ key: 'daily_report', automation: onCron('0 4 * * *').and(not(inProgress())), compute })
 */
import { StrataError } from '../errors.js'
import { normalizeKey } from '../keys.js'
import type { AssetDefinition, AssetKeyInput } from '../types.js'
import { cronFields } from '../cron/parse.js'
import { cronZone } from '../cron/ticks.js'
import type { ConditionSpec } from './types.js'

function invalid(message: string): StrataError {
  return new StrataError('STRATA_INVALID_AUTOMATION', message)
}

function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) freeze(v)
    Object.freeze(value)
  }
  return value
}

export class AutomationCondition {
  /** Recognizes a condition without instanceof, which fails between two loaded copies of the package. */
  readonly __strataCondition = true as const
  /** The condition as JSON data. */
  readonly spec: ConditionSpec

  constructor(spec: ConditionSpec) {
    this.spec = freeze(structuredClone(spec))
    Object.freeze(this)
  }

  /** True when this and every other condition are. */
  and(...others: AutomationCondition[]): AutomationCondition {
    return and(this, ...others)
  }

  /** True when this or any other condition is. */
  or(...others: AutomationCondition[]): AutomationCondition {
    return or(this, ...others)
  }

  /** True when this condition is not. */
  not(): AutomationCondition {
    return not(this)
  }

  /** JSON is the spec alone. */
  toJSON(): ConditionSpec {
    return this.spec
  }
}

export function isAutomationCondition(value: unknown): value is AutomationCondition {
  return value instanceof AutomationCondition || (typeof value === 'object' && value !== null && (value as AutomationCondition).__strataCondition === true)
}

function operand(c: unknown, where: string): ConditionSpec {
  if (!isAutomationCondition(c)) {
    throw invalid(`${where} takes automation conditions such as eager(), missing() or onCron('0 4 * * *'), got ${c === null ? 'null' : typeof c}.`)
  }
  return c.spec
}

function combine(kind: 'and' | 'or', conditions: unknown[]): AutomationCondition {
  if (conditions.length === 0) throw invalid(`${kind}() needs at least one condition, e.g. ${kind}(missing(), not(inProgress())).`)
  const of: ConditionSpec[] = []
  conditions.forEach((c, i) => {
    const spec = operand(c, `${kind}() argument ${i + 1}`)
    // a.and(b).and(c) reads as and(a, b, c): flatter specs, shorter explanations.
    if (spec.kind === kind) of.push(...spec.of)
    else of.push(spec)
  })
  return new AutomationCondition({ kind, of })
}

/** True when every condition is. */
export function and(...conditions: AutomationCondition[]): AutomationCondition {
  return combine('and', conditions)
}

/** True when any condition is. */
export function or(...conditions: AutomationCondition[]): AutomationCondition {
  return combine('or', conditions)
}

/** True when the condition is not. */
export function not(condition: AutomationCondition): AutomationCondition {
  return new AutomationCondition({ kind: 'not', of: operand(condition, 'not()') })
}

function options<T extends object>(o: T | undefined, name: string, allowed: readonly string[]): T {
  if (o === undefined) return {} as T
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalid(`${name}() takes an options object { ${allowed.join(', ')} }.`)
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw invalid(`${name}(): unknown option "${k}" (options: ${allowed.join(', ')}).`)
  }
  return o
}

function backfill(value: unknown, name: string): { backfillHistory?: boolean } {
  if (value === undefined) return {}
  if (typeof value !== 'boolean') throw invalid(`${name}(): backfillHistory must be true or false (got ${JSON.stringify(value)}).`)
  return value ? { backfillHistory: true } : {}
}

function checkCron(cron: string, timezone: unknown, name: string): { cron: string; timezone?: string } {
  cronFields(cron)
  if (timezone === undefined) return { cron }
  if (typeof timezone !== 'string') throw invalid(`${name}(): timezone must be an IANA name such as "America/New_York" (got ${JSON.stringify(timezone)}).`)
  try {
    cronZone(timezone)
  } catch (err) {
    throw invalid(`${name}(): ${(err as Error).message}`)
  }
  return { cron, timezone }
}

export interface EagerOptions {
  /** For time partitions: how many of the latest partitions to keep up to date. @defaultValue 1 */
  lookback?: number
  /** Also request partitions that were already missing or stale when the condition was first evaluated. @defaultValue false */
  backfillHistory?: boolean
}

/**
 * Requests the asset (partition) when an upstream got a new data version
 * since its last materialization, or when it is missing; never while an
 * upstream it reads is missing, failed or in progress, and never for a
 * partition whose mapped upstream partitions do not exist. Time-partitioned
 * assets: the latest partition only, or the latest `lookback`.
 */
export function eager(opts?: EagerOptions): AutomationCondition {
  const o = options(opts, 'eager', ['lookback', 'backfillHistory'])
  if (o.lookback !== undefined && !(Number.isInteger(o.lookback) && o.lookback >= 1)) {
    throw invalid(`eager(): lookback must be a whole number of partitions ≥ 1 (got ${JSON.stringify(o.lookback)}).`)
  }
  return new AutomationCondition({ kind: 'eager', ...(o.lookback !== undefined ? { lookback: o.lookback } : {}), ...backfill(o.backfillHistory, 'eager') })
}

export interface OnCronOptions {
  /** IANA time zone the cron is read in. @defaultValue 'UTC' */
  timezone?: string
  /** @defaultValue false */
  backfillHistory?: boolean
}

/** Once per cron tick, as soon as every upstream has been updated since that tick. */
export function onCron(cron: string, opts?: OnCronOptions): AutomationCondition {
  const o = options(opts, 'onCron', ['timezone', 'backfillHistory'])
  return new AutomationCondition({ kind: 'onCron', ...checkCron(cron, o.timezone, 'onCron'), ...backfill(o.backfillHistory, 'onCron') })
}

/** Fills missing partitions as soon as their upstream partitions exist. */
export function onMissing(opts?: { backfillHistory?: boolean }): AutomationCondition {
  const o = options(opts, 'onMissing', ['backfillHistory'])
  return new AutomationCondition({ kind: 'onMissing', ...backfill(o.backfillHistory, 'onMissing') })
}

/** The asset (partition) has never been materialized. */
export function missing(): AutomationCondition {
  return new AutomationCondition({ kind: 'missing' })
}

/** The asset (partition) is stale, as `strata why` reports it. */
export function stale(): AutomationCondition {
  return new AutomationCondition({ kind: 'stale' })
}

/** A run is materializing the asset (partition). */
export function inProgress(): AutomationCondition {
  return new AutomationCondition({ kind: 'inProgress' })
}

/** The last attempt to materialize the asset (partition) failed. */
export function executionFailed(): AutomationCondition {
  return new AutomationCondition({ kind: 'executionFailed' })
}

/**
 * The asset got a new materialization since the last evaluation; with
 * `upstream`, that upstream asset did.
 */
export function newlyUpdated(upstream?: AssetKeyInput | AssetDefinition<any>): AutomationCondition {
  if (upstream === undefined) return new AutomationCondition({ kind: 'newlyUpdated' })
  let key: string
  if (typeof upstream === 'object' && upstream !== null && (upstream as AssetDefinition).__strataAsset === true) key = (upstream as AssetDefinition).key
  else if (typeof upstream === 'string' || Array.isArray(upstream)) key = normalizeKey(upstream as AssetKeyInput)
  else throw invalid(`newlyUpdated() takes an asset or an asset key, e.g. newlyUpdated('raw/flights') (got ${upstream === null ? 'null' : typeof upstream}).`)
  return new AutomationCondition({ kind: 'newlyUpdated', upstream: key })
}

/** The asset's code version differs from the one its last materialization recorded. */
export function codeVersionChanged(): AutomationCondition {
  return new AutomationCondition({ kind: 'codeVersionChanged' })
}

/** A tick of the cron passed since the last evaluation. */
export function cronTickPassed(cron: string, opts?: { timezone?: string }): AutomationCondition {
  const o = options(opts, 'cronTickPassed', ['timezone'])
  return new AutomationCondition({ kind: 'cronTickPassed', ...checkCron(cron, o.timezone, 'cronTickPassed') })
}

/** Every asset key a condition names (`newlyUpdated(upstream)`), for validation against the definitions. */
export function conditionAssetKeys(spec: ConditionSpec): string[] {
  switch (spec.kind) {
    case 'newlyUpdated':
      return spec.upstream === undefined ? [] : [spec.upstream]
    case 'and':
    case 'or':
      return spec.of.flatMap(conditionAssetKeys)
    case 'not':
      return conditionAssetKeys(spec.of)
    default:
      return []
  }
}
