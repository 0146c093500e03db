/**
 * Automation (the daemon's lease, ticks, requests, evaluations) on
 * PostgreSQL (migration 003). The lease changes hands by single-statement
 * compare-and-sets, so two daemons on different hosts sharing one schema
 * cannot both hold it (how it changes hands: ../automation-rules.ts). Its
 * times are the daemons' own clocks, as on SQLite: hosts sharing a schema
 * need clocks within a small part of the lease's TTL (30 s) of each other. A tick
 * is committed in one transaction under a per-schema advisory lock, so its
 * tick key, request keys and run keys are checked and written with no other
 * commit in between; a process killed at any moment leaves the whole tick or
 * none of it.
 */
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
  AutomationWatermark,
  ConditionState,
  DaemonLease,
  LeaseClaim,
  LeaseResult,
  RequestOutcome,
  SlotState,
} from '../automation-types.js'
import type { SlotHolder, SlotKey } from '../types.js'
import { storageError } from '../errors.js'
import { acquireLease, tickOutcome } from '../automation-rules.js'
import type { PgDb, Sql } from './db.js'
import { usePg } from './models.js'
import * as t from './automation-tables.js'
import * as rq from './automation-requests.js'
import * as q from './automation-queries.js'

export class PgAutomationStore implements AutomationStorage {
  constructor(
    private readonly db: PgDb,
    private readonly description: string,
  ) {}

  private use<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return usePg(doing, this.description, fn)
  }

  async acquireDaemonLease(claim: LeaseClaim, isAlive: (pid: number, host: string) => boolean): Promise<LeaseResult> {
    return acquireLease(
      {
        get: () => this.use('reading the daemon lease', () => t.getLease(this.db.sql)),
        take: (c, previous) => this.use('taking the daemon lease', () => t.takeLease(this.db.sql, c, previous)),
      },
      claim,
      isAlive,
    )
  }

  async renewDaemonLease(owner: string, now: number, ttlMs: number): Promise<boolean> {
    return this.use('renewing the daemon lease', () => t.renewLease(this.db.sql, owner, now, ttlMs))
  }

  async releaseDaemonLease(owner: string): Promise<void> {
    return this.use('releasing the daemon lease', () => t.releaseLease(this.db.sql, owner))
  }

  async getDaemonLease(): Promise<DaemonLease | undefined> {
    return this.use('reading the daemon lease', () => t.getLease(this.db.sql))
  }

  async commitAutomationTick(commit: AutomationTickCommit): Promise<AutomationTickOutcome> {
    return this.use(`committing a ${commit.tick.sourceKind} tick`, () =>
      this.db.transaction(async (tx) => {
        await tx.exec('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`strata-automation-commit\u0001${this.db.schema}`])
        return this.commit(tx, commit)
      }),
    )
  }

  /** The body of commitAutomationTick, inside its transaction (the same steps as on SQLite). */
  private async commit(tx: Sql, c: AutomationTickCommit): Promise<AutomationTickOutcome> {
    if (await t.tickExists(tx, c.tick)) return { requests: [] }
    const now = c.tick.evaluatedAt
    const cursor = async () => {
      if (c.cursor) await t.setCursor(tx, { ...c.cursor, sourceKind: c.tick.sourceKind, sourceName: c.tick.sourceName, updatedAt: now })
      for (const s of c.conditions ?? []) await t.setCondition(tx, s)
    }
    if (c.record === false) {
      await cursor()
      return { requests: [] }
    }
    const tickId = await t.insertTick(tx, c.tick)
    const outcomes: RequestOutcome[] = []
    let queued = 0
    // One decision split into several runs shares its run key.
    const usedHere = new Set<string>()
    for (const r of c.requests ?? []) {
      const existing = await rq.requestIdByKey(tx, r.requestKey)
      if (existing !== undefined) {
        outcomes.push({ requestKey: r.requestKey, status: 'DUPLICATE', requestId: existing })
        continue
      }
      const keyed = r.runKey !== undefined && r.sourceKind === 'sensor' && !usedHere.has(r.runKey)
      const used = keyed ? await rq.runKeyRequest(tx, r.sourceName, r.runKey!) : undefined
      if (used !== undefined) {
        outcomes.push({ requestKey: r.requestKey, status: 'RUN_KEY_USED', requestId: used })
        continue
      }
      const requestId = await rq.insertRequest(tx, r, tickId)
      if (keyed) {
        await rq.useRunKey(tx, r.sourceName, r.runKey!, requestId, now)
        usedHere.add(r.runKey!)
      }
      outcomes.push({ requestKey: r.requestKey, status: 'QUEUED', requestId })
      queued++
    }
    const outcome = tickOutcome(c.tick, queued, outcomes)
    if (outcome) await t.setTickOutcome(tx, tickId, queued, outcome.status, outcome.message)
    await cursor()
    const idOf = new Map(outcomes.map((o) => [o.requestKey, o.requestId]))
    for (const e of c.evaluations ?? []) await t.insertEvaluation(tx, e, tickId, e.requestKey === undefined ? undefined : idOf.get(e.requestKey))
    return { tickId, requests: outcomes }
  }

  async pruneAutomationTicks(keep: number): Promise<number> {
    return this.use('pruning old automation ticks', () => this.db.transaction((tx) => t.pruneTicks(tx, keep)))
  }

  async getAutomationCursors(): Promise<AutomationCursor[]> {
    return this.use('reading automation cursors', () => t.allCursors(this.db.sql))
  }

  async getConditionStates(): Promise<ConditionState[]> {
    return this.use('reading automation condition states', () => t.allConditions(this.db.sql))
  }

  async listAutomationRequests(opts?: { statuses?: AutomationRequestStatus[]; limit?: number; sourceKind?: AutomationSourceKind; sourceName?: string }): Promise<AutomationRequestRecord[]> {
    // One snapshot: the requests and their slots agree.
    return this.use('listing automation requests', () => this.db.transaction((tx) => rq.listRequests(tx, opts), { isolation: 'REPEATABLE READ', readOnly: true }))
  }

  async getAutomationRequest(requestId: number): Promise<AutomationRequestRecord | undefined> {
    return this.use(`reading automation request ${requestId}`, () => this.db.transaction((tx) => rq.getRequest(tx, requestId), { isolation: 'REPEATABLE READ', readOnly: true }))
  }

  async lastRequestTimes(): Promise<Array<SlotKey & { requestedAt: number }>> {
    return this.use('reading when partitions were last requested', () => rq.lastRequestTimes(this.db.sql))
  }

  async setAutomationRequestStatus(requestId: number, status: 'LAUNCHED' | 'DONE', now: number, runStatus?: string): Promise<void> {
    return this.use(`marking automation request ${requestId} ${status}`, async () => {
      const changed = status === 'LAUNCHED' ? await rq.markLaunched(this.db.sql, requestId, now) : await rq.markDone(this.db.sql, requestId, now, runStatus)
      if (!changed && !(await rq.requestIdExists(this.db.sql, requestId))) throw storageError(`No automation request ${requestId}.`, { requestId })
    })
  }

  async listAutomationTicks(opts?: { sourceKind?: AutomationSourceKind; sourceName?: string; limit?: number }): Promise<AutomationTickRecord[]> {
    return this.use('listing automation ticks', () => t.listTicks(this.db.sql, opts))
  }

  async listAutomationEvaluations(assetKey: string, opts?: { limit?: number }): Promise<AutomationEvaluationRecord[]> {
    return this.use(`listing automation evaluations of ${assetKey}`, () => t.listEvaluations(this.db.sql, assetKey, opts?.limit ?? 20))
  }

  async automationChanges(previous?: AutomationWatermark): Promise<{ assets: string[]; watermark: AutomationWatermark }> {
    return this.use('reading what changed since the last tick', () => this.db.transaction((tx) => q.changesSince(tx, previous), { isolation: 'REPEATABLE READ', readOnly: true }))
  }

  async getSlotStates(slots: readonly SlotKey[]): Promise<SlotState[]> {
    return this.use('reading slot states', () => q.slotStates(this.db.sql, slots))
  }

  async listInProgressSlots(): Promise<SlotHolder[]> {
    return this.use('listing slots in progress', () => q.inProgressSlots(this.db.sql))
  }

  async getDynamicPartitionsAt(at: number): Promise<Record<string, string[]>> {
    return this.use('reading dynamic partitions', () => q.dynamicPartitionsAt(this.db.sql, at))
  }
}
