/**
 * Where each asset stands against its `freshness` policy, as `strata list`,
 * `why`, `status` and the UI show it: a warning only, never a blocker. The
 * last update is the latest materialization, or for a partitioned asset that
 * of its latest partition (the last time window that exists now).
 */
import { evaluateFreshness, type FreshnessPolicy } from '../../assets/automation/freshness.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { AssetDefinition } from '../../assets/types.js'
import { keysOptionsFor } from '../status.js'
import type { Workspace } from '../workspace.js'

/** An asset's freshness, as data (JSON as it is: ISO instants, null where a value does not apply). */
export interface AssetFreshness {
  /** `late` and `never` are warnings. */
  state: 'fresh' | 'late' | 'never'
  maxLagMinutes: number
  cron: string | null
  timezone: string | null
  /** The partition whose update counts (the latest); null for an unpartitioned asset or one with no partitions yet. */
  partitionKey: string | null
  lastUpdatedAt: string | null
  lagMinutes: number | null
  /** The oldest update that still satisfies the policy; null before a cron's first tick. */
  requiredSince: string | null
  /** When it turns late unless updated (no cron: the last update + maxLagMinutes; cron: the next tick); null when late or never updated. */
  nextDeadline: string | null
  /** In words, e.g. `last updated 3 h 10 min ago, allowed 2 h`. */
  reason: string
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

/** Judges a policy against the last update (epoch ms) of the partition that counts. */
export function freshnessOf(policy: FreshnessPolicy, lastUpdated: number | undefined, partitionKey: string | null, now: Date | number): AssetFreshness {
  const r = evaluateFreshness(policy, lastUpdated, now)
  return {
    state: r.state,
    maxLagMinutes: policy.maxLagMinutes,
    cron: policy.cron ?? null,
    timezone: policy.cron === undefined ? null : (policy.timezone ?? 'UTC'),
    partitionKey,
    lastUpdatedAt: iso(lastUpdated),
    lagMinutes: r.lagMinutes === undefined ? null : Math.round(r.lagMinutes * 10) / 10,
    requiredSince: iso(r.requiredSince),
    nextDeadline: iso(r.nextDeadline),
    reason: partitionKey === null ? r.reason : `latest partition ${partitionKey}: ${r.reason}`,
  }
}

/** The partition whose update counts: the asset's last partition key now; null when unpartitioned or none exists yet. */
export function freshnessPartition(asset: AssetDefinition<any>, keysOptions: KeysOptions): string | null {
  if (!asset.partitions) return null
  const keys = asset.partitions.keys(keysOptions)
  return keys.length ? keys[keys.length - 1]! : null
}

/**
 * The freshness of each asset of `keys` that declares a policy (others are
 * null). `now` defaults to the STRATA_NOW instant when set (as the daemon's
 * clock and `strata automation` take it), else the clock.
 */
export async function readFreshness(ws: Workspace, keys: readonly string[], now: Date = freshnessNow()): Promise<Map<string, AssetFreshness | null>> {
  const out = new Map<string, AssetFreshness | null>()
  let keysOptions: KeysOptions | undefined
  for (const key of keys) {
    const asset = ws.defs.byKey.get(key)
    const policy = asset?.freshness
    if (!asset || !policy) {
      out.set(key, null)
      continue
    }
    keysOptions ??= await keysOptionsFor(ws, now)
    const partitionKey = freshnessPartition(asset, keysOptions)
    const latest = asset.partitions ? (partitionKey === null ? undefined : await ws.storage.getLatest(key, partitionKey)) : await ws.storage.getLatest(key)
    out.set(key, freshnessOf(policy, latest?.endedAt, partitionKey, now))
  }
  return out
}

/** STRATA_NOW when it is a valid instant, else the clock. */
export function freshnessNow(): Date {
  const text = process.env.STRATA_NOW
  const t = text === undefined ? NaN : Date.parse(text)
  return Number.isNaN(t) ? new Date() : new Date(t)
}
