/**
 * One daemon per home: a lease in the home's database, renewed by a
 * heartbeat. A second daemon is refused while the holder's lease is current
 * and its process answers; a holder that died (its pid gone on this host) or
 * stopped renewing (a hung process, a reused pid, another host that lost
 * power) is replaced. A daemon that finds its lease taken stops.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { StrataError } from '../../assets/errors.js'
import { isRunOwnerAlive } from '../home.js'
import type { DaemonLease, Storage } from '../storage/types.js'
import { systemClock, type Clock } from './clock.js'

export const LEASE_TTL_MS = 30_000
export const HEARTBEAT_MS = 10_000

export interface LockOptions {
  /** Real time: leases outlive any test clock. @defaultValue the system clock */
  clock?: Clock
  ttlMs?: number
  heartbeatMs?: number
  isAlive?: (pid: number, host: string) => boolean
}

export function daemonRunningError(home: string, holder: DaemonLease, now: number): StrataError {
  const ago = Math.max(0, Math.round((now - holder.heartbeatAt) / 1000))
  return new StrataError(
    'STRATA_DAEMON_RUNNING',
    `Another strata daemon holds the home ${home}: pid ${holder.pid} on ${holder.host} (since ${new Date(holder.acquiredAt).toISOString()}, last heartbeat ${ago}s ago). Stop it first (kill ${holder.pid}), or give this one another --home.`,
    { pid: holder.pid, host: holder.host },
  )
}

export class DaemonLock {
  private timer: NodeJS.Timeout | undefined
  private released = false

  private constructor(
    private readonly storage: Storage,
    readonly owner: string,
    private readonly opts: Required<Omit<LockOptions, 'isAlive'>>,
    /** The dead or expired holder this lock replaced, if any. */
    readonly replaced?: DaemonLease,
  ) {}

  /** Takes the home's lease or throws STRATA_DAEMON_RUNNING naming the holder. */
  static async acquire(storage: Storage, home: string, opts: LockOptions = {}): Promise<DaemonLock> {
    const full = { clock: opts.clock ?? systemClock, ttlMs: opts.ttlMs ?? LEASE_TTL_MS, heartbeatMs: opts.heartbeatMs ?? HEARTBEAT_MS }
    const owner = randomUUID()
    const now = full.clock.now().getTime()
    const result = await storage.acquireDaemonLease({ owner, pid: process.pid, host: hostname(), now, ttlMs: full.ttlMs }, opts.isAlive ?? isRunOwnerAlive)
    if (!result.acquired) throw daemonRunningError(home, result.holder, now)
    return new DaemonLock(storage, owner, full, result.replaced)
  }

  /** Renews the lease every heartbeat; `onLost` is called (once) if another daemon took it. */
  startHeartbeat(onLost: (holder: DaemonLease | undefined) => void): void {
    this.timer = setInterval(() => {
      void this.renew().then(
        async (held) => {
          if (held || this.released) return
          this.stopHeartbeat()
          onLost(await this.storage.getDaemonLease().catch(() => undefined))
        },
        () => {
          // A busy database: the next heartbeat tries again, well within the lease.
        },
      )
    }, this.opts.heartbeatMs)
    this.timer.unref()
  }

  renew(): Promise<boolean> {
    return this.storage.renewDaemonLease(this.owner, this.opts.clock.now().getTime(), this.opts.ttlMs)
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  async release(): Promise<void> {
    if (this.released) return
    this.released = true
    this.stopHeartbeat()
    await this.storage.releaseDaemonLease(this.owner)
  }
}
