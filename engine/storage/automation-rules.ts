/**
 * Automation rules shared by every storage backend: how the daemon lease
 * changes hands, and what a tick's requests came to once request keys and
 * sensor run keys were checked. Backends provide the reads and the atomic
 * compare-and-set writes; the decisions are made here, once.
 */
import type { DaemonLease, LeaseClaim, LeaseResult, NewAutomationTick, RequestOutcome } from './automation-types.js'
import { storageError } from './errors.js'

/** The lease row as stored, and a compare-and-set that takes it. */
export interface LeaseOps {
  get(): Promise<DaemonLease | undefined> | DaemonLease | undefined
  /** Takes the lease if it is free (`previous` undefined) or still held by `previous`; false when someone else changed it first. */
  take(claim: LeaseClaim, previous: string | undefined): Promise<boolean> | boolean
}

/**
 * Takes the lease when it is free, expired, held by `claim.owner` already,
 * or held by a process `isAlive` says is gone. `isAlive` is a system call on
 * another process, so it is decided outside any write transaction, then the
 * take is a compare-and-set on the owner that was judged: a daemon that got
 * there first wins, and the loser reads the new holder again.
 */
export async function acquireLease(ops: LeaseOps, claim: LeaseClaim, isAlive: (pid: number, host: string) => boolean): Promise<LeaseResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await ops.get()
    if (current && current.owner !== claim.owner && current.expiresAt > claim.now && isAlive(current.pid, current.host)) {
      return { acquired: false, holder: current }
    }
    if (await ops.take(claim, current?.owner)) {
      const lease = (await ops.get())!
      return current && current.owner !== claim.owner ? { acquired: true, lease, replaced: current } : { acquired: true, lease }
    }
  }
  const holder = await ops.get()
  if (holder) return { acquired: false, holder }
  throw storageError('Could not take the daemon lease: it kept changing hands. Another daemon is starting on this home; retry in a moment.')
}

/**
 * The tick's status and message once some requests were refused (their run
 * key was used, or they were recorded already); undefined when nothing
 * changes. Every request refused means nothing was requested after all.
 */
export function tickOutcome(tick: NewAutomationTick, queued: number, outcomes: readonly RequestOutcome[]): { status: NewAutomationTick['status']; message: string | undefined } | undefined {
  const refused = outcomes.filter((o) => o.status !== 'QUEUED')
  if (queued === 0 && refused.length === 0) return undefined
  const why = refused.length ? `${refused.length} request(s) not queued: ${[...new Set(refused.map((o) => (o.status === 'RUN_KEY_USED' ? 'run key already used' : 'already recorded')))].join(', ')}` : ''
  const status = queued > 0 ? tick.status : 'SKIPPED'
  const message = queued > 0 ? [tick.message, why].filter(Boolean).join('; ') : why
  return { status, message }
}
