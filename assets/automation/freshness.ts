/**
 * Freshness: how old an asset's latest materialization (or latest partition)
 * may be before it warns. A check only: it never blocks or launches a run.
 */
import { StrataError } from '../errors.js'
import { cronFields } from '../cron/parse.js'
import { latestTick, nextTick } from '../cron/ticks.js'
import { checkTimezone } from './schedule.js'

export interface FreshnessPolicy {
  /** Minutes the latest materialization may lag behind now (or behind the last cron tick, with `cron`). */
  maxLagMinutes: number
  /**
   * Checked at this cron's ticks: at each tick, the data must include what
   * arrived up to `maxLagMinutes` before it (Dagster's cron freshness).
   */
  cron?: string
  /** IANA zone of `cron`. @defaultValue 'UTC' */
  timezone?: string
}

/** `asset({ freshness })`, checked. */
export function normalizeFreshness(ownKey: string, f: FreshnessPolicy | undefined): FreshnessPolicy | undefined {
  if (f === undefined) return undefined
  const where = `Asset "${ownKey}": freshness`
  if (typeof f !== 'object' || f === null) throw new StrataError('STRATA_INVALID_AUTOMATION', `${where} takes { maxLagMinutes, cron? }, e.g. { maxLagMinutes: 60 * 26 }.`)
  for (const k of Object.keys(f)) {
    if (!['maxLagMinutes', 'cron', 'timezone'].includes(k)) throw new StrataError('STRATA_INVALID_AUTOMATION', `${where}: unknown option "${k}" (options: maxLagMinutes, cron, timezone).`)
  }
  if (typeof f.maxLagMinutes !== 'number' || !Number.isFinite(f.maxLagMinutes) || f.maxLagMinutes <= 0) {
    throw new StrataError('STRATA_INVALID_AUTOMATION', `${where}.maxLagMinutes must be a number of minutes > 0 (got ${JSON.stringify(f.maxLagMinutes) ?? String(f.maxLagMinutes)}).`)
  }
  const out: FreshnessPolicy = { maxLagMinutes: f.maxLagMinutes }
  if (f.cron !== undefined) {
    cronFields(f.cron)
    out.cron = f.cron
    if (f.timezone !== undefined) out.timezone = checkTimezone(f.timezone, where)
  } else if (f.timezone !== undefined) {
    throw new StrataError('STRATA_INVALID_AUTOMATION', `${where}: timezone applies to cron, which is not given. Add cron or drop timezone.`)
  }
  return Object.freeze(out)
}

/** What a freshness policy says of an asset at an instant. */
export interface FreshnessResult {
  /** `'late'` and `'never'` are warnings; neither blocks anything. */
  state: 'fresh' | 'late' | 'never'
  /** The oldest update that still satisfies the policy (epoch ms); undefined before a cron's first tick. */
  requiredSince?: number
  /** When the policy next tightens: now + the slack left (no cron), or the next tick. Undefined when already late or never updated. */
  nextDeadline?: number
  /** Minutes since the last update. */
  lagMinutes?: number
  /** In words, e.g. `last updated 3 h 10 min ago, allowed 2 h`. */
  reason: string
}

const MINUTE = 60_000

function minutes(ms: number): string {
  const m = Math.round(ms / MINUTE)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
  return `${Math.round(h / 24)} d`
}

/**
 * Judges a freshness policy. `lastUpdated`: when the asset was last
 * materialized (for a partitioned asset, its latest partition). Without a
 * cron the update must be at most `maxLagMinutes` old; with one, at the last
 * tick at or before `now` the update must have been at most `maxLagMinutes`
 * old (Dagster's cron freshness: by each tick the data of `maxLagMinutes`
 * before it is in).
 */
export function evaluateFreshness(policy: FreshnessPolicy, lastUpdated: Date | number | undefined, now: Date | number): FreshnessResult {
  const t = typeof now === 'number' ? now : now.getTime()
  const last = lastUpdated === undefined ? undefined : typeof lastUpdated === 'number' ? lastUpdated : lastUpdated.getTime()
  const allowed = policy.maxLagMinutes * MINUTE
  let requiredSince: number | undefined
  let nextDeadline: number | undefined
  if (policy.cron === undefined) {
    requiredSince = t - allowed
    if (last !== undefined && last >= requiredSince) nextDeadline = last + allowed
  } else {
    const tick = latestTick(policy.cron, new Date(t), policy.timezone)
    requiredSince = tick === undefined ? undefined : tick.getTime() - allowed
    nextDeadline = nextTick(policy.cron, new Date(t), policy.timezone)?.getTime()
  }
  const lag = last === undefined ? undefined : Math.max(0, t - last)
  const rule = policy.cron === undefined ? `allowed ${minutes(allowed)}` : `at most ${minutes(allowed)} old at each tick of ${policy.cron}${policy.timezone ? ` (${policy.timezone})` : ''}`
  if (last === undefined) return { state: 'never', ...(requiredSince !== undefined ? { requiredSince } : {}), reason: `never materialized; ${rule}` }
  const late = requiredSince !== undefined && last < requiredSince
  return {
    state: late ? 'late' : 'fresh',
    ...(requiredSince !== undefined ? { requiredSince } : {}),
    ...(!late && nextDeadline !== undefined ? { nextDeadline } : {}),
    lagMinutes: lag! / MINUTE,
    reason: `last updated ${minutes(lag!)} ago, ${rule}`,
  }
}
