/**
 * `PgStorage`: the `Storage` interface on a PostgreSQL connection pool, in
 * one schema per instance (`?schema=NAME`). Several processes on several
 * hosts can share one instance; see each method file for how its writes stay
 * correct under concurrency. The model registry and automation live in
 * models.ts and automation.ts.
 */
import { isHolderGone, leaseExpiredMessage } from '../leases.js'
import type { Lease } from '../types.js'
import type {
  AttemptStateRow,
  BackfillRecord,
  BackfillStatus,
  BackfillTarget,
  BackfillTargetStatus,
  BackfillTargetUpdate,
  CheckCounts,
  CheckResultRecord,
  CodeVersionRecord,
  CorruptObjectRecord,
  EventRecord,
  EventType,
  FailedAttempt,
  LatestMaterialization,
  LineageEdge,
  MaterializationRecord,
  MaterializationToRecord,
  ModelRegistrationResult,
  ModelRollbackResult,
  ModelStage,
  ModelStageChange,
  ModelStageResult,
  ModelVersion,
  NewBackfill,
  NewCheckResult,
  NewEvent,
  NewMaterialization,
  NewModelVersion,
  NewRun,
  PartitionKeyLayout,
  PartitionKeyRewrite,
  PartitionRunState,
  PartitionStateRecord,
  RunRecord,
  RunStatus,
  SlotClaim,
  SlotConflict,
  SlotKey,
  SlotsView,
  Storage,
} from '../types.js'
import type { AutomationStorage } from '../automation-types.js'
import { PgDb } from './db.js'
import { migratePg } from './migrate.js'
import { PgModelStore } from './models.js'
import { PgAutomationStore } from './automation.js'
import type { Sql } from './db.js'
import { pgCode } from './db.js'
import { storageError } from '../errors.js'
import { targetName } from '../validate.js'
import { orphanMessage } from '../sqlite/storage.js'
import { wrapPgError, FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION } from './errors.js'
import { lockEvents, lockSlots } from './locks.js'
import { slotId } from '../slot-id.js'
import * as runs from './runs.js'
import { insertEvents, listEvents } from './events.js'
import * as m from './materializations.js'
import { insertEdges, insertEdgesOfMany, listEdges } from './lineage.js'
import * as latest from './latest.js'
import * as states from './partition-states.js'
import { failedAttempts } from './failed-attempts.js'
import * as bf from './backfills.js'
import * as targets from './backfill-targets.js'
import * as dynamic from './dynamic-partitions.js'
import * as codeVersions from './code-versions.js'
import * as checksTable from './check-results.js'
import * as corrupt from './corrupt-objects.js'
import { upgradeLayouts } from './key-layouts.js'
import { integrityProblems } from './integrity.js'

/** The MATERIALIZATION event of a new materialization. */
function materializationEvent(mat: NewMaterialization, id: number): NewEvent {
  return {
    runId: mat.runId,
    ts: mat.endedAt,
    type: 'MATERIALIZATION',
    assetKey: mat.assetKey,
    partitionKey: mat.partitionKey,
    level: 'info',
    data: { materializationId: id, dataVersion: mat.dataVersion, codeVersion: mat.codeVersion, location: mat.location },
  }
}

/**
 * Whether a batch can be recorded a statement per table: no check results
 * (their rows and CHECK events interleave with each materialization's), and
 * no slot twice (one statement cannot update a row twice, and the second
 * materialization of a slot must see the first).
 */
function setBased(batch: readonly MaterializationToRecord[]): boolean {
  const slots = new Set<string>()
  for (const r of batch) {
    if (r.checkResults?.length) return false
    const id = slotId(r.materialization.assetKey, r.materialization.partitionKey)
    if (slots.has(id)) return false
    slots.add(id)
  }
  return true
}

/** Opens (creating and migrating the schema if needed) the PostgreSQL storage at `url`. */
export async function openPgStorage(url: string): Promise<PgStorage> {
  const db = new PgDb(url)
  try {
    await migratePg(db)
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
  return new PgStorage(db)
}

export class PgStorage implements Storage {
  readonly description: string
  private readonly models: PgModelStore
  private readonly automation: PgAutomationStore
  private closed = false

  constructor(readonly db: PgDb) {
    this.description = db.target.description
    this.models = new PgModelStore(db, { description: this.description, getMaterialization: (id: number) => this.getMaterialization(id) })
    this.automation = new PgAutomationStore(db, this.description)
  }

  /** Runs `fn`, turning any failure into a StrataError saying what was being done (StrataErrors pass as they are). */
  private async use<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw storageError(`Cannot ${doing}: the storage ${this.description} is closed.`)
    try {
      return await fn()
    } catch (err) {
      throw wrapPgError(err, doing, this.description)
    }
  }

  /** A consistent multi-query read: one snapshot. */
  private snapshot<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction(fn, { isolation: 'REPEATABLE READ', readOnly: true })
  }

  /** For a foreign-key failure, names the missing run or upstream materialization; rethrows anything else. */
  private async missingReference(err: unknown, runIds: Iterable<string>, upstreamIds: Iterable<number> = []): Promise<never> {
    if (pgCode(err) === FOREIGN_KEY_VIOLATION) {
      for (const runId of runIds) {
        if (!(await runs.runExists(this.db.sql, runId))) throw storageError(`Run ${runId} does not exist in ${this.description}; call createRun first.`, { runId })
      }
      for (const id of upstreamIds) {
        if (!(await m.materializationExists(this.db.sql, id))) {
          throw storageError(`Upstream materialization ${id} does not exist in ${this.description}; lineage edges must point at recorded materializations.`, {
            upstreamMaterializationId: id,
          })
        }
      }
    }
    throw err
  }

  private unknownBackfill(doing: string, backfillId: string): Error {
    return storageError(`Cannot ${doing}: no backfill ${backfillId} in ${this.description}.`, { backfillId })
  }

  async createRun(run: NewRun): Promise<void> {
    await this.use('creating a run', async () => {
      try {
        await runs.insertRun(this.db.sql, run)
      } catch (err) {
        if (pgCode(err) === UNIQUE_VIOLATION) throw storageError(`Run ${run.runId} already exists in ${this.description}; run ids must be unique.`, { runId: run.runId })
        throw err
      }
    })
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>, endedAt: number): Promise<void> {
    await this.use(`finishing run ${runId}`, async () => {
      if (!(await runs.finishRun(this.db.sql, runId, status, endedAt))) throw storageError(`Cannot finish run ${runId}: no such run in ${this.description}.`, { runId })
    })
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.use(`reading run ${runId}`, () => runs.getRun(this.db.sql, runId))
  }

  async listRuns(opts?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]> {
    return this.use('listing runs', () => runs.listRuns(this.db.sql, opts))
  }

  async failOrphanedRuns(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]> {
    // isAlive is user code: call it outside the write transaction.
    const running = await this.use('listing running runs', () => runs.listRuns(this.db.sql, { status: 'RUNNING' }))
    const dead = running.filter((r) => isHolderGone(r, now, isAlive))
    if (dead.length === 0) return []
    return this.use('failing orphaned runs', () =>
      this.db.transaction(async (tx) => {
        await lockEvents(tx, this.db.schema)
        const changed: string[] = []
        for (const run of dead) {
          // Only if still RUNNING: it may have finished, or another process failed it, meanwhile.
          if (!(await runs.failRunIfRunning(tx, run.runId, now))) continue
          await insertEvents(tx, [
            {
              runId: run.runId,
              ts: now,
              type: 'RUN_FAILURE',
              level: 'error',
              message: leaseExpiredMessage(run) ?? orphanMessage(run.pid, run.host),
              data: { pid: run.pid, host: run.host, orphaned: true },
            },
          ])
          await states.failInProgress(tx, run.runId, now)
          changed.push(run.runId)
        }
        return changed
      }),
    )
  }

  async renewRunLease(runId: string, owner: string, expiresAt: number): Promise<boolean> {
    return this.use(`renewing the lease of run ${runId}`, () => runs.renewRunLease(this.db.sql, runId, owner, expiresAt))
  }

  async renewBackfillLease(backfillId: string, driver: { pid: number; host: string }, lease: Lease): Promise<boolean> {
    return this.use(`renewing the lease of backfill ${backfillId}`, () => bf.renewBackfillLease(this.db.sql, backfillId, driver.pid, driver.host, lease.owner, lease.expiresAt))
  }

  async interruptOrphanedBackfills(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]> {
    const running = await this.use('listing running backfills', () => bf.listBackfillsByStatus(this.db.sql, 'RUNNING'))
    const dead = running.filter((b) => isHolderGone(b, now, isAlive))
    if (dead.length === 0) return []
    return this.use('interrupting orphaned backfills', () =>
      this.db.transaction(async (tx) => {
        const changed: string[] = []
        for (const b of dead) {
          // Only if still RUNNING under the same owner: another process may have resumed it meanwhile.
          if (!(await bf.interruptIfRunning(tx, b.backfillId, b.pid, b.host, now))) continue
          await targets.resetInProgress(tx, b.backfillId, now)
          changed.push(b.backfillId)
        }
        return changed
      }),
    )
  }

  async appendEvents(events: NewEvent[], withStates?: { runId: string; now: number; rows: AttemptStateRow[] }): Promise<number[]> {
    const st = withStates !== undefined && withStates.rows.length > 0 ? withStates : undefined
    if (events.length === 0 && !st) return []
    return this.use('appending events', async () => {
      try {
        return await this.db.transaction(async (tx) => {
          if (events.length > 0) await lockEvents(tx, this.db.schema)
          const ids = await insertEvents(tx, events)
          if (st) {
            await lockSlots(tx, this.db.schema, st.rows)
            await states.setAttemptRows(tx, st.rows, st.runId, st.now)
          }
          return ids
        })
      } catch (err) {
        return this.missingReference(err, new Set([...events.map((e) => e.runId), ...(st ? [st.runId] : [])]))
      }
    })
  }

  async getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): Promise<EventRecord[]> {
    return this.use(`reading events of run ${runId}`, () => listEvents(this.db.sql, runId, opts))
  }

  async setPartitionStates(rows: AttemptStateRow[], runId: string, now: number): Promise<void> {
    if (rows.length === 0) return
    await this.use('setting partition states', async () => {
      try {
        await this.db.transaction(async (tx) => {
          await lockSlots(tx, this.db.schema, rows)
          await states.setAttemptRows(tx, rows, runId, now)
        })
      } catch (err) {
        await this.missingReference(err, [runId])
      }
    })
  }

  async readSlots(slots: readonly SlotKey[], opts?: { consumed?: boolean }): Promise<SlotsView> {
    if (slots.length === 0) return { latest: [], inProgress: [] }
    return this.use('reading the latest materializations and states of slots', () =>
      this.snapshot(async (tx) => ({ latest: await latest.latestOfSlots(tx, slots, opts?.consumed !== false), inProgress: await states.holders(tx, slots) })),
    )
  }

  async claimSlots(runId: string, slots: ReadonlyArray<SlotKey & { basis: number }>, now: number): Promise<SlotConflict[]> {
    return (await this.claimSlotsMany([{ slots }], runId, now))[0]!
  }

  async claimSlotsMany(claims: ReadonlyArray<SlotClaim>, runId: string, now: number): Promise<SlotConflict[][]> {
    if (claims.every((c) => c.slots.length === 0)) return claims.map(() => [])
    return this.use(`claiming slots for run ${runId}`, async () => {
      try {
        return await this.db.transaction(async (tx) => {
          // Every slot of every claim at once, in lock order: claim by claim could deadlock with another run's claim holding a later one.
          await lockSlots(tx, this.db.schema, claims.flatMap((c) => c.slots))
          return states.claimMany(tx, runId, claims, now)
        })
      } catch (err) {
        return this.missingReference(err, [runId])
      }
    })
  }

  async releaseSlots(runId: string): Promise<number> {
    return this.use(`releasing the slots of run ${runId}`, () => this.db.transaction((tx) => states.release(tx, runId)))
  }

  /** Stores one materialization with its edges, events, latest pointer, state and checks; call holding the events lock and its slot's. */
  private async recordOne(tx: Sql, mat: NewMaterialization, consumed: readonly LineageEdge[], following: readonly NewEvent[], checks: readonly NewCheckResult[]): Promise<number> {
    const id = await m.insertMaterialization(tx, mat)
    await insertEdges(tx, id, consumed)
    await insertEvents(tx, [materializationEvent(mat, id)])
    await latest.setLatest(tx, mat.assetKey, mat.partitionKey, id)
    await states.setMaterialized(tx, mat.assetKey, mat.partitionKey, mat.runId, mat.endedAt, id, mat.dataVersion, mat.codeVersion)
    for (const r of checks) await this.insertCheckResult(tx, { ...r, materializationId: id })
    await insertEvents(tx, following)
    return id
  }

  /**
   * recordOne for every materialization of a batch, a statement per table
   * rather than per row and table (~7 round trips per step before): the same
   * rows, ids and event order. Call holding the events lock and the slots'.
   */
  private async recordSetBased(tx: Sql, batch: readonly MaterializationToRecord[], preceding: readonly NewEvent[]): Promise<number[]> {
    const mats = batch.map((r) => r.materialization)
    const ids = await m.insertMaterializations(tx, mats)
    await insertEdgesOfMany(tx, batch.map((r, i) => ({ materializationId: ids[i]!, edges: r.consumed ?? [] })))
    await insertEvents(tx, [...preceding, ...batch.flatMap((r, i) => [materializationEvent(r.materialization, ids[i]!), ...(r.followingEvents ?? [])])])
    await latest.setLatestMany(tx, mats.map((mat, i) => ({ assetKey: mat.assetKey, partitionKey: mat.partitionKey, materializationId: ids[i]! })))
    await states.setMaterializedMany(
      tx,
      mats.map((mat, i) => ({ assetKey: mat.assetKey, partitionKey: mat.partitionKey, runId: mat.runId, now: mat.endedAt, materializationId: ids[i]!, dataVersion: mat.dataVersion, codeVersion: mat.codeVersion })),
    )
    return ids
  }

  async recordMaterialization(
    mat: NewMaterialization,
    consumed: LineageEdge[],
    opts?: { precedingEvents?: NewEvent[]; followingEvents?: NewEvent[]; checkResults?: NewCheckResult[] },
  ): Promise<MaterializationRecord> {
    return this.use(`recording a materialization of ${String(mat.assetKey)}`, async () => {
      const preceding = opts?.precedingEvents ?? []
      const following = opts?.followingEvents ?? []
      try {
        const id = await this.db.transaction(async (tx) => {
          await lockEvents(tx, this.db.schema)
          await lockSlots(tx, this.db.schema, [mat])
          await insertEvents(tx, preceding)
          return this.recordOne(tx, mat, consumed ?? [], following, opts?.checkResults ?? [])
        })
        return { ...mat, id, metadata: mat.metadata ?? {} }
      } catch (err) {
        const runIds = new Set([mat.runId, ...preceding.map((e) => e.runId), ...following.map((e) => e.runId)])
        return this.missingReference(err, runIds, (consumed ?? []).map((e) => e.upstreamMaterializationId))
      }
    })
  }

  async recordMaterializations(batch: readonly MaterializationToRecord[], opts?: { precedingEvents?: NewEvent[] }): Promise<MaterializationRecord[]> {
    const preceding = opts?.precedingEvents ?? []
    if (batch.length === 0 && preceding.length === 0) return []
    return this.use(`recording ${batch.length} materialization(s)`, async () => {
      try {
        const ids = await this.db.transaction(async (tx) => {
          await lockEvents(tx, this.db.schema)
          // All slots at once, in lock order: taking them item by item could deadlock with a claimSlots holding a later one.
          await lockSlots(tx, this.db.schema, batch.map((r) => r.materialization))
          if (setBased(batch)) return this.recordSetBased(tx, batch, preceding)
          await insertEvents(tx, preceding)
          const out: number[] = []
          for (const r of batch) out.push(await this.recordOne(tx, r.materialization, r.consumed ?? [], r.followingEvents ?? [], r.checkResults ?? []))
          return out
        })
        return batch.map((r, i) => ({ ...r.materialization, id: ids[i]!, metadata: r.materialization.metadata ?? {} }))
      } catch (err) {
        const runIds = new Set([...preceding.map((e) => e.runId), ...batch.flatMap((r) => [r.materialization.runId, ...(r.followingEvents ?? []).map((e) => e.runId)])])
        return this.missingReference(err, runIds, batch.flatMap((r) => (r.consumed ?? []).map((e) => e.upstreamMaterializationId)))
      }
    })
  }

  /** Inserts a check result (latest index included) and its CHECK event; call holding the events lock. */
  private async insertCheckResult(tx: Sql, r: NewCheckResult): Promise<number> {
    const id = await checksTable.insertCheckResult(tx, r)
    await insertEvents(tx, [
      {
        runId: r.runId,
        ts: r.ts,
        type: 'CHECK',
        assetKey: r.assetKey,
        partitionKey: r.partitionKey,
        level: r.passed ? 'info' : r.blocking ? 'error' : 'warn',
        message: `check ${r.checkName} ${r.passed ? 'passed' : r.blocking ? 'FAILED (blocking)' : 'failed (warning)'}${r.message ? `: ${r.message}` : ''}`,
        data: { checkResultId: id, checkName: r.checkName, passed: r.passed, blocking: r.blocking, ...(r.materializationId !== undefined ? { materializationId: r.materializationId } : {}) },
      },
    ])
    return id
  }

  async getMaterialization(id: number): Promise<MaterializationRecord | undefined> {
    return this.use(`reading materialization ${id}`, () => m.getMaterialization(this.db.sql, id))
  }

  async getLatest(assetKey: string, partitionKey = ''): Promise<LatestMaterialization | undefined> {
    return this.use(`reading the latest materialization of ${assetKey}`, () => this.snapshot((tx) => latest.getLatest(tx, assetKey, partitionKey)))
  }

  async getLatestMany(assetKeys?: readonly string[]): Promise<LatestMaterialization[]> {
    if (assetKeys && assetKeys.length === 0) return []
    return this.use('reading latest materializations', () => this.snapshot((tx) => latest.getLatestMany(tx, assetKeys)))
  }

  async listMaterializations(assetKey: string, opts?: { partitionKey?: string; limit?: number }): Promise<MaterializationRecord[]> {
    return this.use(`listing materializations of ${assetKey}`, () => m.listMaterializations(this.db.sql, assetKey, opts))
  }

  async getLineage(materializationId: number): Promise<LineageEdge[]> {
    return this.use(`reading lineage of materialization ${materializationId}`, () => listEdges(this.db.sql, materializationId))
  }

  async recordCodeVersions(records: readonly CodeVersionRecord[]): Promise<void> {
    if (records.length === 0) return
    await this.use('recording code versions', () => codeVersions.insertCodeVersions(this.db.sql, records, Date.now()))
  }

  async getCodeVersions(pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>): Promise<CodeVersionRecord[]> {
    if (pairs.length === 0) return []
    return this.use('reading code versions', () => codeVersions.getCodeVersions(this.db.sql, pairs))
  }

  async getPartitionStates(assetKey: string): Promise<PartitionStateRecord[]> {
    return this.use(`reading partition states of ${assetKey}`, () => states.listStates(this.db.sql, assetKey))
  }

  async getFailedAttempts(assetKeys: readonly string[]): Promise<FailedAttempt[]> {
    return this.use('reading failed attempts', () => failedAttempts(this.db.sql, assetKeys))
  }

  async countPartitionStates(assetKey: string): Promise<Record<PartitionRunState, number>> {
    return this.use(`counting partition states of ${assetKey}`, () => states.countStates(this.db.sql, assetKey))
  }

  async summarizePartitionStates(assetKey: string, codeVersion: string): Promise<{ fresh: number; codeChanged: number; failed: number; inProgress: number }> {
    return this.use(`summarizing partition states of ${assetKey}`, () => states.summarizeStates(this.db.sql, assetKey, codeVersion))
  }

  async createBackfill(backfill: NewBackfill, list: Array<{ assetKey: string; partitionKey: string }>): Promise<void> {
    await this.use(`creating backfill ${String(backfill.backfillId)}`, async () => {
      try {
        await this.db.transaction(async (tx) => {
          await bf.insertBackfill(tx, backfill)
          await targets.insertTargets(tx, backfill.backfillId, list, backfill.createdAt)
        })
      } catch (err) {
        if (pgCode(err) === UNIQUE_VIOLATION && (await bf.backfillExists(this.db.sql, backfill.backfillId))) {
          throw storageError(`Backfill ${backfill.backfillId} already exists in ${this.description}; backfill ids must be unique.`, { backfillId: backfill.backfillId })
        }
        throw err
      }
    })
  }

  async getBackfill(backfillId: string): Promise<BackfillRecord | undefined> {
    return this.use(`reading backfill ${backfillId}`, () => bf.getBackfill(this.db.sql, backfillId))
  }

  async listBackfills(opts?: { limit?: number }): Promise<BackfillRecord[]> {
    return this.use('listing backfills', () => bf.listBackfills(this.db.sql, opts?.limit))
  }

  async setBackfillStatus(backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }): Promise<void> {
    await this.use(`setting the status of backfill ${backfillId}`, async () => {
      if (!(await bf.setBackfillStatus(this.db.sql, backfillId, status, now, owner))) throw this.unknownBackfill(`set the status of backfill ${backfillId}`, backfillId)
    })
  }

  async claimBackfill(backfillId: string, owner: { pid: number; host: string }, now: number): Promise<{ claimed: true } | { claimed: false; backfill: BackfillRecord }> {
    return this.use(`claiming backfill ${backfillId}`, async () => {
      if (await bf.claimBackfill(this.db.sql, backfillId, owner, now)) return { claimed: true as const }
      const backfill = await bf.getBackfill(this.db.sql, backfillId)
      if (!backfill) throw this.unknownBackfill(`claim backfill ${backfillId}`, backfillId)
      return { claimed: false as const, backfill }
    })
  }

  async addBackfillRun(backfillId: string, runId: string): Promise<void> {
    await this.use(`adding a run to backfill ${backfillId}`, async () => {
      if (!(await bf.addBackfillRun(this.db.sql, backfillId, runId))) throw this.unknownBackfill(`add run ${runId} to backfill ${backfillId}`, backfillId)
    })
  }

  async requestBackfillCancel(backfillId: string, now: number): Promise<boolean> {
    return this.use(`requesting cancellation of backfill ${backfillId}`, async () => {
      if (await bf.requestBackfillCancel(this.db.sql, backfillId, now)) return true
      if (await bf.backfillExists(this.db.sql, backfillId)) return false
      throw this.unknownBackfill(`cancel backfill ${backfillId}`, backfillId)
    })
  }

  async updateBackfillTargets(backfillId: string, updates: readonly BackfillTargetUpdate[], now: number): Promise<void> {
    await this.use(`updating targets of backfill ${backfillId}`, async () => {
      if (updates.length === 0) {
        if (!(await bf.backfillExists(this.db.sql, backfillId))) throw this.unknownBackfill('update backfill targets', backfillId)
        return
      }
      await this.db.transaction(async (tx) => {
        // Touching the backfill row first locks it, so concurrent updates of one backfill apply one after the other.
        if (!(await bf.touchBackfill(tx, backfillId, now))) throw this.unknownBackfill('update backfill targets', backfillId)
        const missing = await targets.updateTargets(tx, backfillId, updates, now)
        if (missing.length > 0) {
          const u = missing[0]!
          // Throwing rolls the whole batch back.
          throw storageError(`updateBackfillTargets(${backfillId}): the backfill has no target ${targetName(u.assetKey, u.partitionKey)}; nothing was updated.`, {
            backfillId,
            assetKey: u.assetKey,
            partitionKey: u.partitionKey,
          })
        }
      })
    })
  }

  async getBackfillTargets(backfillId: string, opts?: { statuses?: BackfillTargetStatus[] }): Promise<BackfillTarget[]> {
    return this.use(`reading targets of backfill ${backfillId}`, () =>
      this.snapshot(async (tx) => {
        if (!(await bf.backfillExists(tx, backfillId))) throw this.unknownBackfill('read backfill targets', backfillId)
        return targets.listTargets(tx, backfillId, opts?.statuses)
      }),
    )
  }

  async countBackfillTargets(backfillId: string): Promise<Record<BackfillTargetStatus, number>> {
    return this.use(`counting targets of backfill ${backfillId}`, () =>
      this.snapshot(async (tx) => {
        if (!(await bf.backfillExists(tx, backfillId))) throw this.unknownBackfill('count backfill targets', backfillId)
        return targets.countTargets(tx, backfillId)
      }),
    )
  }

  async addDynamicPartitions(name: string, keys: readonly string[], now: number): Promise<string[]> {
    if (keys.length === 0) return []
    return this.use(`adding dynamic partitions to ${String(name)}`, () => dynamic.addDynamicPartitions(this.db.sql, name, keys, now))
  }

  async deleteDynamicPartitions(name: string, keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return []
    return this.use(`deleting dynamic partitions from ${String(name)}`, () => dynamic.deleteDynamicPartitions(this.db.sql, name, keys))
  }

  async getDynamicPartitions(): Promise<Record<string, string[]>> {
    return this.use('reading dynamic partitions', () => dynamic.allDynamicPartitions(this.db.sql))
  }

  async upgradePartitionKeyLayouts(
    expected: ReadonlyMap<string, readonly string[]>,
    plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined,
    now: number,
  ): Promise<PartitionKeyRewrite[]> {
    return this.use('rewriting stored multi-partition keys', () => upgradeLayouts(this.db, expected, plan, now))
  }

  async recordCheckResults(results: NewCheckResult[]): Promise<number[]> {
    if (results.length === 0) return []
    return this.use('recording check results', async () => {
      try {
        return await this.db.transaction(async (tx) => {
          await lockEvents(tx, this.db.schema)
          const ids: number[] = []
          for (const r of results) ids.push(await this.insertCheckResult(tx, r))
          return ids
        })
      } catch (err) {
        return this.missingReference(
          err,
          new Set(results.map((r) => r.runId)),
          results.flatMap((r) => (r.materializationId === undefined ? [] : [r.materializationId])),
        )
      }
    })
  }

  async getLatestCheckResults(assetKey: string, partitionKey?: string): Promise<CheckResultRecord[]> {
    return this.use(`reading check results of ${assetKey}`, () => checksTable.latestCheckResults(this.db.sql, assetKey, partitionKey))
  }

  async countLatestCheckResults(assetKeys?: readonly string[]): Promise<CheckCounts[]> {
    return this.use('counting check results', () => checksTable.countCheckResults(this.db.sql, assetKeys))
  }

  async listReferencedObjects(): Promise<string[]> {
    return this.use('listing referenced objects', async () => {
      const rows = await this.db.sql.rows<{ location: string }>('SELECT DISTINCT location FROM materializations')
      return [...new Set([...rows.map((r) => r.location), ...(await this.models.listArtifacts())])]
    })
  }

  async markCorruptObjects(rows: ReadonlyArray<{ materializationId: number; problem: string }>, now: number): Promise<void> {
    await this.use('recording corrupt objects', () => corrupt.markCorrupt(this.db.sql, rows, now))
  }

  async unmarkCorruptObjects(materializationIds: readonly number[]): Promise<number> {
    return this.use('forgetting corrupt objects', () => corrupt.unmarkCorrupt(this.db.sql, materializationIds))
  }

  async getCorruptObjects(): Promise<CorruptObjectRecord[]> {
    return this.use('reading corrupt objects', () => corrupt.latestCorrupt(this.db.sql))
  }

  async checkIntegrity(): Promise<string[]> {
    return this.use('checking the storage integrity', () => integrityProblems(this.db.sql))
  }

  // The model registry: see models.ts.
  registerModel = (m: NewModelVersion): Promise<ModelVersion> => this.models.registerModel(m)
  registerModelOnce = (m: NewModelVersion): Promise<ModelRegistrationResult> => this.models.registerModelOnce(m)
  getModel = (name: string, version: number): Promise<ModelVersion | undefined> => this.models.getModel(name, version)
  listModels = (name?: string): Promise<ModelVersion[]> => this.models.listModels(name)
  getProductionVersions = (names: readonly string[]): Promise<Map<string, number>> => this.models.getProductionVersions(names)
  setModelStage = (name: string, version: number, stage: ModelStage, now: number, reason?: string): Promise<ModelStageResult> =>
    this.models.setModelStage(name, version, stage, now, reason)
  rollbackModel = (name: string, now: number, reason?: string): Promise<ModelRollbackResult> => this.models.rollbackModel(name, now, reason)
  getModelHistory = (name: string, version?: number): Promise<ModelStageChange[]> => this.models.getModelHistory(name, version)

  // Automation (the daemon): see automation.ts.
  acquireDaemonLease: AutomationStorage['acquireDaemonLease'] = (claim, isAlive) => this.automation.acquireDaemonLease(claim, isAlive)
  renewDaemonLease: AutomationStorage['renewDaemonLease'] = (owner, now, ttlMs) => this.automation.renewDaemonLease(owner, now, ttlMs)
  releaseDaemonLease: AutomationStorage['releaseDaemonLease'] = (owner) => this.automation.releaseDaemonLease(owner)
  getDaemonLease: AutomationStorage['getDaemonLease'] = () => this.automation.getDaemonLease()
  commitAutomationTick: AutomationStorage['commitAutomationTick'] = (commit) => this.automation.commitAutomationTick(commit)
  pruneAutomationTicks: AutomationStorage['pruneAutomationTicks'] = (keep) => this.automation.pruneAutomationTicks(keep)
  getAutomationCursors: AutomationStorage['getAutomationCursors'] = () => this.automation.getAutomationCursors()
  getConditionStates: AutomationStorage['getConditionStates'] = () => this.automation.getConditionStates()
  listAutomationRequests: AutomationStorage['listAutomationRequests'] = (opts) => this.automation.listAutomationRequests(opts)
  getAutomationRequest: AutomationStorage['getAutomationRequest'] = (requestId) => this.automation.getAutomationRequest(requestId)
  lastRequestTimes: AutomationStorage['lastRequestTimes'] = () => this.automation.lastRequestTimes()
  setAutomationRequestStatus: AutomationStorage['setAutomationRequestStatus'] = (id, status, now, runStatus) =>
    this.automation.setAutomationRequestStatus(id, status, now, runStatus)
  listAutomationTicks: AutomationStorage['listAutomationTicks'] = (opts) => this.automation.listAutomationTicks(opts)
  listAutomationEvaluations: AutomationStorage['listAutomationEvaluations'] = (assetKey, opts) => this.automation.listAutomationEvaluations(assetKey, opts)
  listInProgressSlots: AutomationStorage['listInProgressSlots'] = () => this.automation.listInProgressSlots()
  automationChanges: AutomationStorage['automationChanges'] = (previous) => this.automation.automationChanges(previous)
  getSlotStates: AutomationStorage['getSlotStates'] = (slots) => this.automation.getSlotStates(slots)
  getDynamicPartitionsAt: AutomationStorage['getDynamicPartitionsAt'] = (at) => this.automation.getDynamicPartitionsAt(at)

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.db.close()
  }
}
