/**
 * Freshness: how old an asset's latest materialization (or latest partition)
 * may be before it warns. A check only: it never blocks or launches a run.
 */
import { StrataError } from '../errors.js'
import { cronFields } from '../cron/parse.js'
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
