/**
 * Whether the process holding a run or a backfill is gone, for every backend
 * alike. On its own host the process answers for itself, at once and for
 * sure: a dead pid needs no expiry, and a live one whose event loop was busy
 * past its lease (a long compute in-process) is not failed under it. From
 * another host its pid cannot be checked, so its lease decides: expired, it
 * is gone (hosts' clocks must agree within the lease's length). A holder
 * recorded before leases has none and is judged on its own host only.
 */
import { hostname } from 'node:os'
import type { Lease } from './types.js'

export interface Holder {
  pid: number
  host: string
  lease?: Lease
}

export function isHolderGone(h: Holder, now: number, isAlive: (pid: number, host: string) => boolean): boolean {
  if (h.host === hostname() || !holdsLease(h)) return !isAlive(h.pid, h.host)
  return h.lease!.expiresAt < now
}

/** A lease counts only when taken by the holder recorded now (owner ids begin `host:pid:`): a resumed backfill may still carry its previous driver's. */
function holdsLease(h: Holder): boolean {
  return h.lease !== undefined && h.lease.owner.startsWith(`${h.host}:${h.pid}:`)
}

/** Why a holder on another host counts as gone, or undefined when its own host judged it (see isHolderGone). */
export function leaseExpiredMessage(h: Holder): string | undefined {
  if (h.host === hostname() || !holdsLease(h)) return undefined
  return `The process running this run (pid ${h.pid} on ${h.host}) stopped renewing its lease, which expired at ${new Date(h.lease!.expiresAt).toISOString()}; its unfinished steps were marked failed.`
}
