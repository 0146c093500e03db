/**
 * The automation half of the SQLite storage (see AutomationStorage): the
 * daemon lease (how it changes hands: ../automation-rules.ts), and ticks
 * committed with their cursors, condition states,
 * evaluations and run requests in one IMMEDIATE transaction, so a process
 * killed at any moment leaves either the whole tick or none of it.
 */
import type Database from 'better-sqlite3'
import type {
  AutomationCursor,
  AutomationEvaluationRecord,
  AutomationRequestRecord,
  AutomationRequestStatus,
  AutomationSourceKind,
  AutomationStorage,
  AutomationTickCommit,
  AutomationTickOutcome,
  AutomationTickRecord,
  ConditionState,
  DaemonLease,
  LeaseClaim,
  LeaseResult,
  RequestOutcome,
  AutomationWatermark,
  SlotState,
} from '../automation-types.js'
import type { SlotHolder, SlotKey } from '../types.js'
import { storageError } from './errors.js'
import { acquireLease, tickOutcome } from '../automation-rules.js'
import { DaemonLeaseTable } from './automation-lease.js'
import { AutomationTicksTable } from './automation-ticks.js'
import { AutomationCursorsTable } from './automation-cursors.js'
import { AutomationRequestsTable } from './automation-requests.js'
import { AutomationRunKeysTable } from './automation-run-keys.js'
import { AutomationConditionsTable } from './automation-conditions.js'
import { AutomationEvaluationsTable } from './automation-evaluations.js'
import { DynamicPartitionsAtQuery } from './dynamic-partitions-at.js'
import { InProgressQuery } from './automation-in-progress.js'
import { AutomationChangesQuery } from './automation-changes.js'

type Use = <T>(doing: string, fn: () => T) => T

export class SqliteAutomationStore implements AutomationStorage {
  private readonly lease: DaemonLeaseTable
  private readonly ticks: AutomationTicksTable
  private readonly cursors: AutomationCursorsTable
  private readonly requests: AutomationRequestsTable
  private readonly runKeys: AutomationRunKeysTable
  private readonly conditions: AutomationConditionsTable
  private readonly evaluations: AutomationEvaluationsTable
  private readonly dynamicAt: DynamicPartitionsAtQuery
  private readonly inProgress: InProgressQuery
  private readonly changes: AutomationChangesQuery
  private readonly readChanges: Database.Transaction<(previous: AutomationWatermark | undefined) => { assets: string[]; watermark: AutomationWatermark }>
  private readonly txTake: Database.Transaction<(claim: LeaseClaim, previous: string | undefined) => boolean>
  private readonly txRenew: Database.Transaction<(owner: string, now: number, ttlMs: number) => boolean>
  private readonly txRelease: Database.Transaction<(owner: string) => void>
  private readonly txCommit: Database.Transaction<(commit: AutomationTickCommit) => AutomationTickOutcome>
  private readonly txPrune: Database.Transaction<(keep: number) => number>
  private readonly txStatus: Database.Transaction<(requestId: number, status: 'LAUNCHED' | 'DONE', now: number, runStatus?: string) => boolean>

  constructor(
    db: Database.Database,
    private readonly use: Use,
  ) {
    this.lease = new DaemonLeaseTable(db)
    this.ticks = new AutomationTicksTable(db)
    this.cursors = new AutomationCursorsTable(db)
    this.requests = new AutomationRequestsTable(db)
    this.runKeys = new AutomationRunKeysTable(db)
    this.conditions = new AutomationConditionsTable(db)
    this.evaluations = new AutomationEvaluationsTable(db)
    this.dynamicAt = new DynamicPartitionsAtQuery(db)
    this.inProgress = new InProgressQuery(db)
    this.changes = new AutomationChangesQuery(db)
    this.readChanges = db.transaction((previous) => this.changes.since(previous))
    this.txTake = db.transaction((claim, previous) => this.lease.take(claim, previous))
    this.txRenew = db.transaction((owner, now, ttlMs) => this.lease.renew(owner, now, ttlMs))
    this.txRelease = db.transaction((owner) => this.lease.release(owner))
    this.txCommit = db.transaction((commit) => this.commit(commit))
    this.txPrune = db.transaction((keep) => this.ticks.prune(keep))
    this.txStatus = db.transaction((requestId, status, now, runStatus) =>
      status === 'LAUNCHED' ? this.requests.launched(requestId, now) : this.requests.done(requestId, now, runStatus),
    )
  }

  async acquireDaemonLease(claim: LeaseClaim, isAlive: (pid: number, host: string) => boolean): Promise<LeaseResult> {
    return acquireLease(
      {
        get: () => this.use('reading the daemon lease', () => this.lease.get()),
        take: (c, previous) => this.use('taking the daemon lease', () => this.txTake.immediate(c, previous)),
      },
      claim,
      isAlive,
    )
  }

  async renewDaemonLease(owner: string, now: number, ttlMs: number): Promise<boolean> {
    return this.use('renewing the daemon lease', () => this.txRenew.immediate(owner, now, ttlMs))
  }

  async releaseDaemonLease(owner: string): Promise<void> {
    this.use('releasing the daemon lease', () => this.txRelease.immediate(owner))
  }

  async getDaemonLease(): Promise<DaemonLease | undefined> {
    return this.use('reading the daemon lease', () => this.lease.get())
  }

  async commitAutomationTick(commit: AutomationTickCommit): Promise<AutomationTickOutcome> {
    return this.use(`committing a ${commit.tick.sourceKind} tick`, () => this.txCommit.immediate(commit))
  }

  /** The body of commitAutomationTick, inside its transaction. */
  private commit(c: AutomationTickCommit): AutomationTickOutcome {
    if (this.ticks.exists(c.tick)) return { requests: [] }
    if (c.record === false) {
      if (c.cursor) this.cursors.set({ ...c.cursor, sourceKind: c.tick.sourceKind, sourceName: c.tick.sourceName, updatedAt: c.tick.evaluatedAt })
      for (const s of c.conditions ?? []) this.conditions.set(s)
      return { requests: [] }
    }
    const tickId = this.ticks.insert(c.tick)
    const now = c.tick.evaluatedAt
    const outcomes: RequestOutcome[] = []
    let queued = 0
    // One decision split into several runs shares its run key.
    const usedHere = new Set<string>()
    for (const r of c.requests ?? []) {
      const existing = this.requests.idByKey(r.requestKey)
      if (existing !== undefined) {
        outcomes.push({ requestKey: r.requestKey, status: 'DUPLICATE', requestId: existing })
        continue
      }
      const keyed = r.runKey !== undefined && r.sourceKind === 'sensor' && !usedHere.has(r.runKey)
      const used = keyed ? this.runKeys.requestOf(r.sourceName, r.runKey!) : undefined
      if (used !== undefined) {
        outcomes.push({ requestKey: r.requestKey, status: 'RUN_KEY_USED', requestId: used })
        continue
      }
      const requestId = this.requests.insert(r, tickId)
      if (keyed) {
        this.runKeys.use(r.sourceName, r.runKey!, requestId, now)
        usedHere.add(r.runKey!)
      }
      outcomes.push({ requestKey: r.requestKey, status: 'QUEUED', requestId })
      queued++
    }
    const outcome = tickOutcome(c.tick, queued, outcomes)
    if (outcome) this.ticks.setOutcome(tickId, queued, outcome.status, outcome.message)
    if (c.cursor) this.cursors.set({ ...c.cursor, sourceKind: c.tick.sourceKind, sourceName: c.tick.sourceName, updatedAt: now })
    for (const s of c.conditions ?? []) this.conditions.set(s)
    const idOf = new Map(outcomes.map((o) => [o.requestKey, o.requestId]))
    for (const e of c.evaluations ?? []) this.evaluations.insert(e, tickId, e.requestKey === undefined ? undefined : idOf.get(e.requestKey))
    return { tickId, requests: outcomes }
  }

  async pruneAutomationTicks(keep: number): Promise<number> {
    return this.use('pruning old automation ticks', () => this.txPrune.immediate(keep))
  }

  async getAutomationCursors(): Promise<AutomationCursor[]> {
    return this.use('reading automation cursors', () => this.cursors.all())
  }

  async getConditionStates(): Promise<ConditionState[]> {
    return this.use('reading automation condition states', () => this.conditions.all())
  }

  async listAutomationRequests(opts?: { statuses?: AutomationRequestStatus[]; limit?: number; sourceKind?: AutomationSourceKind; sourceName?: string }): Promise<AutomationRequestRecord[]> {
    return this.use('listing automation requests', () => this.requests.list(opts))
  }

  async getAutomationRequest(requestId: number): Promise<AutomationRequestRecord | undefined> {
    return this.use(`reading automation request ${requestId}`, () => this.requests.get(requestId))
  }

  async lastRequestTimes(): Promise<Array<SlotKey & { requestedAt: number }>> {
    return this.use('reading when partitions were last requested', () => this.requests.lastRequestTimes())
  }

  async setAutomationRequestStatus(requestId: number, status: 'LAUNCHED' | 'DONE', now: number, runStatus?: string): Promise<void> {
    this.use(`marking automation request ${requestId} ${status}`, () => {
      if (!this.txStatus.immediate(requestId, status, now, runStatus) && !this.requests.get(requestId)) {
        throw storageError(`No automation request ${requestId}.`, { requestId })
      }
    })
  }

  async listAutomationTicks(opts?: { sourceKind?: AutomationSourceKind; sourceName?: string; limit?: number }): Promise<AutomationTickRecord[]> {
    return this.use('listing automation ticks', () => this.ticks.list(opts))
  }

  async listAutomationEvaluations(assetKey: string, opts?: { limit?: number }): Promise<AutomationEvaluationRecord[]> {
    return this.use(`listing automation evaluations of ${assetKey}`, () => this.evaluations.list(assetKey, opts?.limit ?? 20))
  }

  async automationChanges(previous?: AutomationWatermark): Promise<{ assets: string[]; watermark: AutomationWatermark }> {
    return this.use('reading what changed since the last tick', () => this.readChanges(previous))
  }

  async getSlotStates(slots: readonly SlotKey[]): Promise<SlotState[]> {
    return this.use('reading slot states', () => this.changes.slotStates(slots))
  }

  async listInProgressSlots(): Promise<SlotHolder[]> {
    return this.use('listing slots in progress', () => this.inProgress.all())
  }

  async getDynamicPartitionsAt(at: number): Promise<Record<string, string[]>> {
    return this.use('reading dynamic partitions', () => this.dynamicAt.at(at))
  }
}
