/**
 * The heartbeat that keeps a run's or a backfill's lease: the holding process
 * renews it every few seconds, so that a process on another host can tell a
 * holder that stopped (killed, its host down) from one still at work. The
 * timer is unref'd: it never keeps a process alive by itself.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Lease } from './storage/types.js'

/** How long a lease lasts without renewal. */
export const LEASE_TTL_MS = 30_000
/** How often it is renewed: several renewals may fail (a busy database) before it expires. */
export const LEASE_RENEW_MS = 5_000

/** Holds this process's leases: unique per process, so a reused pid never renews an old holder's. */
export const LEASE_OWNER = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`

export interface LeaseTiming {
  /** @defaultValue LEASE_TTL_MS */
  ttlMs?: number
  /** @defaultValue LEASE_RENEW_MS */
  renewMs?: number
}

export function newLease(now: number, timing: LeaseTiming = {}): Lease {
  return { owner: LEASE_OWNER, expiresAt: now + (timing.ttlMs ?? LEASE_TTL_MS) }
}

export interface Heartbeat {
  stop(): void
}

/**
 * Renews a lease every `renewMs` until stopped, or until `renew` answers
 * false (the holder was failed by someone who found its lease expired).
 * A renewal that throws is tried again at the next beat.
 */
export function startHeartbeat(renew: (expiresAt: number) => Promise<boolean>, timing: LeaseTiming = {}, onLost?: () => void): Heartbeat {
  const ttlMs = timing.ttlMs ?? LEASE_TTL_MS
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    renew(Date.now() + ttlMs)
      .then((held) => {
        if (held) return
        clearInterval(timer)
        onLost?.()
      })
      .catch(() => {})
      .finally(() => (busy = false))
  }, timing.renewMs ?? LEASE_RENEW_MS)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
