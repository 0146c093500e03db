/**
 * `SqliteStorage`: the `Storage` interface on one better-sqlite3 connection.
 * Arguments are checked above it (engine/storage/checked.ts) and the model
 * registry's rules are backend-neutral (engine/registry/stage-rules.ts): this
 * class only stores.
 * Statements are prepared once (in the table classes) and every write runs in
 * a transaction started with BEGIN IMMEDIATE, so concurrent writers from
 * other processes wait on busy_timeout instead of failing with SQLITE_BUSY.
 */
import type Database from 'better-sqlite3'
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
  Lease,
  EventRecord,
  FailedAttempt,
  ModelRegistrationResult,
  ModelRollbackResult,
  ModelStage,
  ModelStageChange,
  PartitionKeyLayout,
  PartitionKeyRewrite,
  ModelStageResult,
  ModelVersion,
  NewCheckResult,
  NewModelVersion,
  EventType,
  LatestMaterialization,
  MaterializationToRecord,
  LineageEdge,
  MaterializationRecord,
  NewEvent,
  NewBackfill,
  NewMaterialization,
  NewRun,
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
import { registerVersion, registerVersionOnce, rollbackVersion, setVersionStage, type RegistryTx } from '../../registry/stage-rules.js'
import { openDatabase } from './open.js'
import { isHolderGone, leaseExpiredMessage } from '../leases.js'
import { CheckResultsTable } from './check-results.js'
import { ModelsTable } from './models.js'
import { sqliteCode, storageError, wrapStorageError } from './errors.js'
import { RunsTable } from './runs.js'
import { EventsTable } from './events.js'
import { MaterializationsTable } from './materializations.js'
import { LineageTable } from './lineage.js'
import { LatestTable } from './latest.js'
import { PartitionStatesTable } from './partition-states.js'
import { FailedAttemptsQuery } from './failed-attempts.js'
import { BackfillsTable } from './backfills.js'
import { BackfillTargetsTable } from './backfill-targets.js'
import { DynamicPartitionsTable } from './dynamic-partitions.js'
import { CodeVersionsTable } from './code-versions.js'
import { CorruptObjectsTable } from './corrupt-objects.js'
import { PartitionKeyLayouts } from './key-layouts.js'
import { SqliteAutomationStore } from './automation-store.js'
import type { AutomationStorage } from '../automation-types.js'
import { targetName } from '../validate.js'
import { lastUpdatePerTarget } from '../target-updates.js'

type AttemptStates = { runId: string; now: number; rows: readonly AttemptStateRow[] }
type TargetKey = { assetKey: string; partitionKey: string }

export function orphanMessage(pid: number, host: string): string {
  return `The process running this run (pid ${pid} on ${host}) exited before it finished; its unfinished steps were marked failed.`
}

export class SqliteStorage implements Storage {
  readonly description: string
  private readonly db: Database.Database
  private closed = false
  private readonly runs: RunsTable
  private readonly events: EventsTable
  private readonly materializations: MaterializationsTable
  private readonly lineage: LineageTable
  private readonly latest: LatestTable
  private readonly states: PartitionStatesTable
  private readonly failedAttempts: FailedAttemptsQuery
  private readonly backfills: BackfillsTable
  private readonly targets: BackfillTargetsTable
  private readonly dynamicPartitions: DynamicPartitionsTable
  private readonly checkResults: CheckResultsTable
  private readonly models: ModelsTable
  /** The registry's stage rules run on this, inside write transactions. */
  private readonly registry: RegistryTx
  private readonly codeVersions: CodeVersionsTable
  private readonly corruptObjects: CorruptObjectsTable
  private readonly automation: SqliteAutomationStore
  private readonly txCodeVersions: Database.Transaction<(records: readonly CodeVersionRecord[], now: number) => void>
  private readonly readCodeVersions: Database.Transaction<(pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>) => CodeVersionRecord[]>

  // Write transactions, built once; always invoked with `.immediate(...)`.
  private readonly txAppendEvents: Database.Transaction<(events: readonly NewEvent[], states?: AttemptStates) => number[]>
  private readonly txSetStates: Database.Transaction<(states: readonly AttemptStateRow[], runId: string, now: number) => void>
  private readonly txClaimSlots: Database.Transaction<(claims: ReadonlyArray<SlotClaim>, runId: string, now: number) => SlotConflict[][]>
  private readonly txReleaseSlots: Database.Transaction<(runId: string) => number>
  private readonly txRecord: Database.Transaction<
    (m: NewMaterialization, consumed: readonly LineageEdge[], preceding: readonly NewEvent[], following: readonly NewEvent[], checks: readonly NewCheckResult[]) => number
  >
  private readonly txRecordMany: Database.Transaction<(batch: readonly MaterializationToRecord[], preceding: readonly NewEvent[]) => number[]>
  private readonly txCheckResults: Database.Transaction<(results: readonly NewCheckResult[]) => number[]>
  private readonly txRegisterModel: Database.Transaction<(m: NewModelVersion) => ModelVersion>
  private readonly txRegisterModelOnce: Database.Transaction<(m: NewModelVersion) => ModelRegistrationResult>
  private readonly txSetModelStage: Database.Transaction<(name: string, version: number, stage: ModelStage, now: number, reason?: string) => ModelStageResult>
  private readonly txRollbackModel: Database.Transaction<(name: string, now: number, reason?: string) => ModelRollbackResult>
  private readonly txFailOrphans: Database.Transaction<(dead: readonly RunRecord[], now: number) => string[]>
  private readonly txCreateRun: Database.Transaction<(run: NewRun) => void>
  private readonly txFinishRun: Database.Transaction<(runId: string, status: RunStatus, endedAt: number) => boolean>
  private readonly txCreateBackfill: Database.Transaction<(backfill: NewBackfill, targets: readonly TargetKey[]) => void>
  private readonly txSetBackfillStatus: Database.Transaction<
    (backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }) => boolean
  >
  private readonly txAddBackfillRun: Database.Transaction<(backfillId: string, runId: string) => boolean>
  /** true: cancel requested; false: already finished; undefined: no such backfill. */
  private readonly txRequestCancel: Database.Transaction<(backfillId: string, now: number) => boolean | undefined>
  private readonly txUpdateTargets: Database.Transaction<(backfillId: string, updates: readonly BackfillTargetUpdate[], now: number) => void>
  private readonly txInterruptBackfills: Database.Transaction<(dead: readonly BackfillRecord[], now: number) => string[]>
  private readonly txAddDynamic: Database.Transaction<(name: string, keys: readonly string[], now: number) => string[]>
  private readonly txDeleteDynamic: Database.Transaction<(name: string, keys: readonly string[]) => string[]>
  // Read transactions (deferred: they only read, so they never need to upgrade) for consistent multi-query reads.
  private readonly readLatest: Database.Transaction<(assetKey: string, partitionKey: string) => LatestMaterialization | undefined>
  private readonly readLatestMany: Database.Transaction<(assetKeys?: readonly string[]) => LatestMaterialization[]>
  private readonly readSlotsTx: Database.Transaction<(slots: readonly SlotKey[], consumed: boolean) => SlotsView>
  private readonly readTargets: Database.Transaction<(backfillId: string, statuses?: readonly BackfillTargetStatus[]) => BackfillTarget[] | undefined>
  private readonly readTargetCounts: Database.Transaction<(backfillId: string) => Record<BackfillTargetStatus, number> | undefined>

  constructor(readonly file: string) {
    this.description = file
    this.db = openDatabase(file)
    const db = this.db
    this.runs = new RunsTable(db)
    this.events = new EventsTable(db)
    this.materializations = new MaterializationsTable(db)
    this.lineage = new LineageTable(db)
    this.latest = new LatestTable(db)
    this.states = new PartitionStatesTable(db)
    this.failedAttempts = new FailedAttemptsQuery(db)
    this.backfills = new BackfillsTable(db)
    this.targets = new BackfillTargetsTable(db)
    this.dynamicPartitions = new DynamicPartitionsTable(db)
    this.checkResults = new CheckResultsTable(db)
    this.models = new ModelsTable(db)
    const models = this.models
    const materializations = this.materializations
    this.registry = {
      description: this.description,
      get: (name, version) => models.get(name, version),
      list: (name) => models.list(name),
      production: (name) => models.production(name),
      history: (name) => models.history(name),
      names: (limit) => models.names(limit),
      materialization: (id) => materializations.get(id),
      insert: (m) => models.insert(m),
      setStage: (m, to, kind, reason, now) => models.setStage(m, to, kind, reason, now),
    }
    this.codeVersions = new CodeVersionsTable(db)
    this.corruptObjects = new CorruptObjectsTable(db)
    this.automation = new SqliteAutomationStore(db, (doing, fn) => this.use(doing, fn))
    this.txCodeVersions = db.transaction((records, now) => this.codeVersions.insert(records, now))
    this.readCodeVersions = db.transaction((pairs) => pairs.flatMap((p) => this.codeVersions.get(p.assetKey, p.codeVersion) ?? []))

    this.txCreateRun = db.transaction((run) => this.runs.insert(run))
    this.txFinishRun = db.transaction((runId, status, endedAt) => this.runs.finish(runId, status, endedAt))
    this.readLatest = db.transaction((assetKey, partitionKey) => this.latest.get(assetKey, partitionKey))
    this.readLatestMany = db.transaction((assetKeys) => this.latest.many(assetKeys))
    this.txAppendEvents = db.transaction((events, states) => {
      const ids = events.map((e) => this.events.insert(e))
      if (states) for (const s of states.rows) this.states.setAttemptRow(s, states.runId, states.now)
      return ids
    })
    this.txSetStates = db.transaction((states, runId, now) => {
      for (const s of states) this.states.setAttemptRow(s, runId, now)
    })
    // One claim after the other in the same transaction: a later claim sees what an earlier one wrote, as separate claimSlots calls would.
    this.txClaimSlots = db.transaction((claims, runId, now) => claims.map((c) => this.states.claim(runId, c.slots, now)))
    this.txReleaseSlots = db.transaction((runId) => this.states.release(runId))
    this.readSlotsTx = db.transaction((slots, consumed) => ({ latest: this.latest.ofSlots(slots, consumed), inProgress: this.states.holders(slots) }))
    this.txRecord = db.transaction((m, consumed, preceding, following, checks) => {
      for (const e of preceding) this.events.insert(e)
      return this.insertMaterialization(m, consumed, following, checks)
    })
    this.txRecordMany = db.transaction((batch, preceding) => {
      for (const e of preceding) this.events.insert(e)
      return batch.map((r) => this.insertMaterialization(r.materialization, r.consumed, r.followingEvents ?? [], r.checkResults ?? []))
    })
    this.txCheckResults = db.transaction((results) => results.map((r) => this.insertCheckResult(r)))
    this.txRegisterModel = db.transaction((m) => registerVersion(this.registry, m))
    this.txRegisterModelOnce = db.transaction((m) => registerVersionOnce(this.registry, m))
    this.txSetModelStage = db.transaction((name, version, stage, now, reason) => setVersionStage(this.registry, name, version, stage, now, reason))
    this.txRollbackModel = db.transaction((name, now, reason) => rollbackVersion(this.registry, name, now, reason))
    this.txFailOrphans = db.transaction((dead, now) => {
      const changed: string[] = []
      for (const run of dead) {
        if (!this.runs.failIfRunning(run.runId, now)) continue // finished meanwhile
        this.events.insert({
          runId: run.runId,
          ts: now,
          type: 'RUN_FAILURE',
          level: 'error',
          message: leaseExpiredMessage(run) ?? orphanMessage(run.pid, run.host),
          data: { pid: run.pid, host: run.host, orphaned: true },
        })
        this.states.failInProgress(run.runId, now)
        changed.push(run.runId)
      }
      return changed
    })

    this.txCreateBackfill = db.transaction((backfill, targets) => {
      this.backfills.insert(backfill)
      this.targets.insertAll(backfill.backfillId, targets, backfill.createdAt)
    })
    this.txSetBackfillStatus = db.transaction((backfillId, status, now, owner) => this.backfills.setStatus(backfillId, status, now, owner))
    this.txAddBackfillRun = db.transaction((backfillId, runId) => this.backfills.addRun(backfillId, runId))
    this.txRequestCancel = db.transaction((backfillId, now) => {
      if (this.backfills.requestCancel(backfillId, now)) return true
      return this.backfills.exists(backfillId) ? false : undefined
    })
    this.txUpdateTargets = db.transaction((backfillId, updates, now) => {
      if (!this.backfills.touch(backfillId, now)) throw this.unknownBackfill('update backfill targets', backfillId)
      // Only the last update per target changes a row: a backfill's write often starts and ends a partition.
      for (const u of lastUpdatePerTarget(updates)) {
        if (!this.targets.update(backfillId, u.assetKey, u.partitionKey, u.status, u.runId, u.error, now)) {
          // Throwing rolls the whole batch back.
          throw storageError(
            `updateBackfillTargets(${backfillId}): the backfill has no target ${targetName(u.assetKey, u.partitionKey)}; nothing was updated.`,
            { backfillId, assetKey: u.assetKey, partitionKey: u.partitionKey },
          )
        }
      }
    })
    this.txInterruptBackfills = db.transaction((dead, now) => {
      const changed: string[] = []
      for (const b of dead) {
        // Only if still RUNNING under the same owner: another process may have resumed it meanwhile.
        if (!this.backfills.interruptIfRunning(b.backfillId, b.pid, b.host, now)) continue
        this.targets.resetInProgress(b.backfillId, now)
        changed.push(b.backfillId)
      }
      return changed
    })
    this.readTargets = db.transaction((backfillId, statuses) =>
      this.backfills.exists(backfillId) ? this.targets.list(backfillId, statuses) : undefined,
    )
    this.readTargetCounts = db.transaction((backfillId) => (this.backfills.exists(backfillId) ? this.targets.count(backfillId) : undefined))
    this.txAddDynamic = db.transaction((name, keys, now) => this.dynamicPartitions.add(name, keys, now))
    this.txDeleteDynamic = db.transaction((name, keys) => this.dynamicPartitions.delete(name, keys))
  }

  /** Inserts a materialization with its lineage, events, latest row, state and checks; call inside a write transaction. */
  private insertMaterialization(m: NewMaterialization, consumed: readonly LineageEdge[], following: readonly NewEvent[], checks: readonly NewCheckResult[]): number {
    const id = this.materializations.insert(m)
    this.lineage.insert(id, consumed)
    this.events.insert({
      runId: m.runId,
      ts: m.endedAt,
      type: 'MATERIALIZATION',
      assetKey: m.assetKey,
      partitionKey: m.partitionKey,
      level: 'info',
      data: { materializationId: id, dataVersion: m.dataVersion, codeVersion: m.codeVersion, location: m.location },
    })
    this.latest.set(m.assetKey, m.partitionKey, id)
    this.states.setMaterialized(m.assetKey, m.partitionKey, m.runId, m.endedAt, id, m.dataVersion, m.codeVersion)
    for (const r of checks) this.insertCheckResult({ ...r, materializationId: id })
    for (const e of following) this.events.insert(e)
    return id
  }

  /** Inserts a check result (latest index included) and its CHECK event; call inside a write transaction. */
  private insertCheckResult(r: NewCheckResult): number {
    const id = this.checkResults.insert(r)
    this.events.insert({
      runId: r.runId,
      ts: r.ts,
      type: 'CHECK',
      assetKey: r.assetKey,
      partitionKey: r.partitionKey,
      level: r.passed ? 'info' : r.blocking ? 'error' : 'warn',
      message: `check ${r.checkName} ${r.passed ? 'passed' : r.blocking ? 'FAILED (blocking)' : 'failed (warning)'}${r.message ? `: ${r.message}` : ''}`,
      data: { checkResultId: id, checkName: r.checkName, passed: r.passed, blocking: r.blocking, ...(r.materializationId !== undefined ? { materializationId: r.materializationId } : {}) },
    })
    return id
  }

  private unknownBackfill(doing: string, backfillId: string): Error {
    return storageError(`Cannot ${doing}: no backfill ${backfillId} in ${this.description}.`, { backfillId })
  }

  /** Runs `fn` on the open connection, turning any failure into a StrataError saying what was being done. */
  private use<T>(doing: string, fn: () => T): T {
    if (this.closed) throw storageError(`Cannot ${doing}: the storage ${this.description} is closed.`)
    try {
      return fn()
    } catch (err) {
      throw wrapStorageError(err, doing, this.description)
    }
  }

  /** For a foreign-key failure, names the missing run or upstream materialization. */
  private missingReference(err: unknown, runIds: Iterable<string>, upstreamIds: Iterable<number> = []): never {
    if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      for (const runId of runIds) {
        if (!this.runs.exists(runId)) throw storageError(`Run ${runId} does not exist in ${this.description}; call createRun first.`, { runId })
      }
      for (const id of upstreamIds) {
        if (!this.materializations.exists(id)) {
          throw storageError(`Upstream materialization ${id} does not exist in ${this.description}; lineage edges must point at recorded materializations.`, {
            upstreamMaterializationId: id,
          })
        }
      }
    }
    throw err
  }

  async createRun(run: NewRun): Promise<void> {
    this.use('creating a run', () => {
      try {
        this.txCreateRun.immediate(run)
      } catch (err) {
        const code = sqliteCode(err)
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw storageError(`Run ${run.runId} already exists in ${this.description}; run ids must be unique.`, { runId: run.runId })
        }
        throw err
      }
    })
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>, endedAt: number): Promise<void> {
    this.use(`finishing run ${runId}`, () => {
      if (!this.txFinishRun.immediate(runId, status, endedAt)) throw storageError(`Cannot finish run ${runId}: no such run in ${this.description}.`, { runId })
    })
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.use(`reading run ${runId}`, () => this.runs.get(runId))
  }

  async listRuns(opts?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]> {
    return this.use('listing runs', () => this.runs.list(opts))
  }

  async failOrphanedRuns(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]> {
    // isAlive is user code: call it outside the write transaction.
    const running = this.use('listing running runs', () => this.runs.list({ status: 'RUNNING' }))
    const dead = running.filter((r) => isHolderGone(r, now, isAlive))
    if (dead.length === 0) return []
    return this.use('failing orphaned runs', () => this.txFailOrphans.immediate(dead, now))
  }

  async renewRunLease(runId: string, owner: string, expiresAt: number): Promise<boolean> {
    return this.use(`renewing the lease of run ${runId}`, () => this.runs.renewLease(runId, owner, expiresAt))
  }

  async appendEvents(events: NewEvent[], states?: AttemptStates): Promise<number[]> {
    const withStates = states !== undefined && states.rows.length > 0 ? states : undefined
    if (events.length === 0 && !withStates) return []
    return this.use('appending events', () => {
      try {
        return this.txAppendEvents.immediate(events, withStates)
      } catch (err) {
        this.missingReference(err, new Set([...events.map((e) => e.runId), ...(withStates ? [withStates.runId] : [])]))
      }
    })
  }

  async getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): Promise<EventRecord[]> {
    return this.use(`reading events of run ${runId}`, () => this.events.list(runId, opts))
  }

  async setPartitionStates(states: AttemptStateRow[], runId: string, now: number): Promise<void> {
    if (states.length === 0) return
    this.use('setting partition states', () => {
      try {
        this.txSetStates.immediate(states, runId, now)
      } catch (err) {
        this.missingReference(err, [runId])
      }
    })
  }

  async readSlots(slots: readonly SlotKey[], opts?: { consumed?: boolean }): Promise<SlotsView> {
    if (slots.length === 0) return { latest: [], inProgress: [] }
    return this.use('reading the latest materializations and states of slots', () => this.readSlotsTx(slots, opts?.consumed !== false))
  }

  async claimSlots(runId: string, slots: ReadonlyArray<SlotKey & { basis: number }>, now: number): Promise<SlotConflict[]> {
    return (await this.claimSlotsMany([{ slots }], runId, now))[0]!
  }

  async claimSlotsMany(claims: ReadonlyArray<SlotClaim>, runId: string, now: number): Promise<SlotConflict[][]> {
    if (claims.every((c) => c.slots.length === 0)) return claims.map(() => [])
    return this.use(`claiming slots for run ${runId}`, () => {
      try {
        return this.txClaimSlots.immediate(claims, runId, now)
      } catch (err) {
        this.missingReference(err, [runId])
      }
    })
  }

  async releaseSlots(runId: string): Promise<number> {
    return this.use(`releasing the slots of run ${runId}`, () => this.txReleaseSlots.immediate(runId))
  }

  async recordMaterialization(
    m: NewMaterialization,
    consumed: LineageEdge[],
    opts?: { precedingEvents?: NewEvent[]; followingEvents?: NewEvent[]; checkResults?: NewCheckResult[] },
  ): Promise<MaterializationRecord> {
    return this.use(`recording a materialization of ${String(m.assetKey)}`, () => {
      const preceding = opts?.precedingEvents ?? []
      const following = opts?.followingEvents ?? []
      let id: number
      try {
        id = this.txRecord.immediate(m, consumed ?? [], preceding, following, opts?.checkResults ?? [])
      } catch (err) {
        const runIds = new Set([m.runId, ...preceding.map((e) => e.runId), ...following.map((e) => e.runId)])
        this.missingReference(err, runIds, (consumed ?? []).map((e) => e.upstreamMaterializationId))
      }
      return { ...m, id, metadata: m.metadata ?? {} }
    })
  }

  async recordMaterializations(batch: readonly MaterializationToRecord[], opts?: { precedingEvents?: NewEvent[] }): Promise<MaterializationRecord[]> {
    const preceding = opts?.precedingEvents ?? []
    if (batch.length === 0 && preceding.length === 0) return []
    return this.use(`recording ${batch.length} materialization(s)`, () => {
      let ids: number[]
      try {
        ids = this.txRecordMany.immediate(batch, preceding)
      } catch (err) {
        const runIds = new Set([...preceding.map((e) => e.runId), ...batch.flatMap((r) => [r.materialization.runId, ...(r.followingEvents ?? []).map((e) => e.runId)])])
        this.missingReference(err, runIds, batch.flatMap((r) => r.consumed.map((e) => e.upstreamMaterializationId)))
      }
      return batch.map((r, i) => ({ ...r.materialization, id: ids[i]!, metadata: r.materialization.metadata ?? {} }))
    })
  }

  async getMaterialization(id: number): Promise<MaterializationRecord | undefined> {
    return this.use(`reading materialization ${id}`, () => this.materializations.get(id))
  }

  async getLatest(assetKey: string, partitionKey = ''): Promise<LatestMaterialization | undefined> {
    return this.use(`reading the latest materialization of ${assetKey}`, () => this.readLatest(assetKey, partitionKey))
  }

  async getLatestMany(assetKeys?: readonly string[]): Promise<LatestMaterialization[]> {
    return this.use('reading latest materializations', () => this.readLatestMany(assetKeys))
  }

  async listMaterializations(assetKey: string, opts?: { partitionKey?: string; limit?: number }): Promise<MaterializationRecord[]> {
    return this.use(`listing materializations of ${assetKey}`, () => this.materializations.list(assetKey, opts))
  }

  async getLineage(materializationId: number): Promise<LineageEdge[]> {
    return this.use(`reading lineage of materialization ${materializationId}`, () => this.lineage.list(materializationId))
  }

  async getPartitionStates(assetKey: string): Promise<PartitionStateRecord[]> {
    return this.use(`reading partition states of ${assetKey}`, () => this.states.list(assetKey))
  }

  async recordCodeVersions(records: readonly CodeVersionRecord[]): Promise<void> {
    if (records.length === 0) return
    this.use('recording code versions', () => this.txCodeVersions.immediate(records, Date.now()))
  }

  async getCodeVersions(pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>): Promise<CodeVersionRecord[]> {
    if (pairs.length === 0) return []
    return this.use('reading code versions', () => this.readCodeVersions(pairs))
  }

  async getFailedAttempts(assetKeys: readonly string[]): Promise<FailedAttempt[]> {
    return this.use('reading failed attempts', () => this.failedAttempts.list(assetKeys))
  }

  async summarizePartitionStates(assetKey: string, codeVersion: string): Promise<{ fresh: number; codeChanged: number; failed: number; inProgress: number }> {
    return this.use(`summarizing partition states of ${assetKey}`, () => this.states.summarize(assetKey, codeVersion))
  }

  async countPartitionStates(assetKey: string): Promise<Record<PartitionRunState, number>> {
    return this.use(`counting partition states of ${assetKey}`, () => this.states.count(assetKey))
  }

  async renewBackfillLease(backfillId: string, driver: { pid: number; host: string }, lease: Lease): Promise<boolean> {
    return this.use(`renewing the lease of backfill ${backfillId}`, () => this.backfills.renewLease(backfillId, driver.pid, driver.host, lease.owner, lease.expiresAt))
  }

  async interruptOrphanedBackfills(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]> {
    // isAlive is user code: call it outside the write transaction.
    const running = this.use('listing running backfills', () => this.backfills.listByStatus('RUNNING'))
    const dead = running.filter((b) => isHolderGone(b, now, isAlive))
    if (dead.length === 0) return []
    return this.use('interrupting orphaned backfills', () => this.txInterruptBackfills.immediate(dead, now))
  }

  async createBackfill(backfill: NewBackfill, targets: Array<{ assetKey: string; partitionKey: string }>): Promise<void> {
    this.use(`creating backfill ${String(backfill.backfillId)}`, () => {
      try {
        this.txCreateBackfill.immediate(backfill, targets)
      } catch (err) {
        const code = sqliteCode(err)
        if ((code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') && this.backfills.exists(backfill.backfillId)) {
          throw storageError(`Backfill ${backfill.backfillId} already exists in ${this.description}; backfill ids must be unique.`, {
            backfillId: backfill.backfillId,
          })
        }
        throw err
      }
    })
  }

  async getBackfill(backfillId: string): Promise<BackfillRecord | undefined> {
    return this.use(`reading backfill ${backfillId}`, () => this.backfills.get(backfillId))
  }

  async listBackfills(opts?: { limit?: number }): Promise<BackfillRecord[]> {
    return this.use('listing backfills', () => this.backfills.list(opts?.limit))
  }

  async setBackfillStatus(backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }): Promise<void> {
    this.use(`setting the status of backfill ${backfillId}`, () => {
      if (!this.txSetBackfillStatus.immediate(backfillId, status, now, owner)) throw this.unknownBackfill(`set the status of backfill ${backfillId}`, backfillId)
    })
  }

  async claimBackfill(backfillId: string, owner: { pid: number; host: string }, now: number): Promise<{ claimed: true } | { claimed: false; backfill: BackfillRecord }> {
    return this.use(`claiming backfill ${backfillId}`, () => {
      // One IMMEDIATE transaction: the check and the write see no other writer in between.
      const claimed = this.db.transaction(() => this.backfills.claim(backfillId, owner, now)).immediate()
      if (claimed) return { claimed: true as const }
      const backfill = this.backfills.get(backfillId)
      if (!backfill) throw this.unknownBackfill(`claim backfill ${backfillId}`, backfillId)
      return { claimed: false as const, backfill }
    })
  }

  async addBackfillRun(backfillId: string, runId: string): Promise<void> {
    this.use(`adding a run to backfill ${backfillId}`, () => {
      if (!this.txAddBackfillRun.immediate(backfillId, runId)) throw this.unknownBackfill(`add run ${runId} to backfill ${backfillId}`, backfillId)
    })
  }

  async requestBackfillCancel(backfillId: string, now: number): Promise<boolean> {
    return this.use(`requesting cancellation of backfill ${backfillId}`, () => {
      const result = this.txRequestCancel.immediate(backfillId, now)
      if (result === undefined) throw this.unknownBackfill(`cancel backfill ${backfillId}`, backfillId)
      return result
    })
  }

  async updateBackfillTargets(backfillId: string, updates: readonly BackfillTargetUpdate[], now: number): Promise<void> {
    this.use(`updating targets of backfill ${backfillId}`, () => {
      if (updates.length === 0) {
        if (!this.backfills.exists(backfillId)) throw this.unknownBackfill('update backfill targets', backfillId)
        return
      }
      this.txUpdateTargets.immediate(backfillId, updates, now)
    })
  }

  async getBackfillTargets(backfillId: string, opts?: { statuses?: BackfillTargetStatus[] }): Promise<BackfillTarget[]> {
    return this.use(`reading targets of backfill ${backfillId}`, () => {
      const targets = this.readTargets(backfillId, opts?.statuses)
      if (targets === undefined) throw this.unknownBackfill('read backfill targets', backfillId)
      return targets
    })
  }

  async countBackfillTargets(backfillId: string): Promise<Record<BackfillTargetStatus, number>> {
    return this.use(`counting targets of backfill ${backfillId}`, () => {
      const counts = this.readTargetCounts(backfillId)
      if (counts === undefined) throw this.unknownBackfill('count backfill targets', backfillId)
      return counts
    })
  }

  async addDynamicPartitions(name: string, keys: readonly string[], now: number): Promise<string[]> {
    return this.use(`adding dynamic partitions to ${String(name)}`, () => {
      if (keys.length === 0) return []
      return this.txAddDynamic.immediate(name, keys, now)
    })
  }

  async deleteDynamicPartitions(name: string, keys: readonly string[]): Promise<string[]> {
    return this.use(`deleting dynamic partitions from ${String(name)}`, () => {
      if (keys.length === 0) return []
      return this.txDeleteDynamic.immediate(name, keys)
    })
  }

  async getDynamicPartitions(): Promise<Record<string, string[]>> {
    return this.use('reading dynamic partitions', () => this.dynamicPartitions.all())
  }

  async upgradePartitionKeyLayouts(
    expected: ReadonlyMap<string, readonly string[]>,
    plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined,
    now: number,
  ): Promise<PartitionKeyRewrite[]> {
    return this.use('rewriting stored multi-partition keys', () => new PartitionKeyLayouts(this.db).upgrade(expected, plan, now))
  }

  async recordCheckResults(results: NewCheckResult[]): Promise<number[]> {
    if (results.length === 0) return []
    return this.use('recording check results', () => {
      try {
        return this.txCheckResults.immediate(results)
      } catch (err) {
        this.missingReference(err, new Set(results.map((r) => r.runId)), results.flatMap((r) => (r.materializationId === undefined ? [] : [r.materializationId])))
      }
    })
  }

  async getLatestCheckResults(assetKey: string, partitionKey?: string): Promise<CheckResultRecord[]> {
    return this.use(`reading check results of ${assetKey}`, () => this.checkResults.latest(assetKey, partitionKey))
  }

  async countLatestCheckResults(assetKeys?: readonly string[]): Promise<CheckCounts[]> {
    return this.use('counting check results', () => this.checkResults.count(assetKeys))
  }

  async registerModel(m: NewModelVersion): Promise<ModelVersion> {
    return this.use(`registering model ${String(m?.name)}`, () => this.txRegisterModel.immediate(m))
  }

  async registerModelOnce(m: NewModelVersion): Promise<ModelRegistrationResult> {
    return this.use(`registering model ${String(m?.name)}`, () => this.txRegisterModelOnce.immediate(m))
  }

  async getModel(name: string, version: number): Promise<ModelVersion | undefined> {
    return this.use(`reading model ${name} version ${version}`, () => this.models.get(name, version))
  }

  async getProductionVersions(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map()
    return this.use('reading production model versions', () => this.models.productionVersions(names))
  }

  async listModels(name?: string): Promise<ModelVersion[]> {
    return this.use(name === undefined ? 'listing models' : `listing versions of model ${name}`, () => this.models.list(name))
  }

  async setModelStage(name: string, version: number, stage: ModelStage, now: number, reason?: string): Promise<ModelStageResult> {
    return this.use(`moving model ${name} version ${version} to ${String(stage)}`, () => this.txSetModelStage.immediate(name, version, stage, now, reason))
  }

  async rollbackModel(name: string, now: number, reason?: string): Promise<ModelRollbackResult> {
    return this.use(`rolling back model ${name}`, () => this.txRollbackModel.immediate(name, now, reason))
  }

  async getModelHistory(name: string, version?: number): Promise<ModelStageChange[]> {
    return this.use(`reading the stage history of model ${name}`, () => this.models.history(name, version))
  }

  async listReferencedObjects(): Promise<string[]> {
    return this.use('listing referenced objects', () =>
      this.db.prepare('SELECT location FROM materializations UNION SELECT artifact FROM models').pluck().all() as string[],
    )
  }

  async markCorruptObjects(rows: ReadonlyArray<{ materializationId: number; problem: string }>, now: number): Promise<void> {
    if (rows.length === 0) return
    this.use('recording corrupt objects', () => this.db.transaction(() => this.corruptObjects.mark(rows, now)).immediate())
  }

  async unmarkCorruptObjects(materializationIds: readonly number[]): Promise<number> {
    if (materializationIds.length === 0) return 0
    return this.use('clearing corrupt-object records', () => this.db.transaction(() => this.corruptObjects.unmark(materializationIds)).immediate())
  }

  async getCorruptObjects(): Promise<CorruptObjectRecord[]> {
    return this.use('reading corrupt-object records', () => this.corruptObjects.latest())
  }

  async checkIntegrity(): Promise<string[]> {
    const rows = this.use('checking the database integrity', () => this.db.prepare('PRAGMA integrity_check').pluck().all() as string[])
    return rows.length === 1 && rows[0] === 'ok' ? [] : rows
  }

  // Automation (the daemon): see automation-store.ts.
  acquireDaemonLease: AutomationStorage['acquireDaemonLease'] = (claim, isAlive) => this.automation.acquireDaemonLease(claim, isAlive)
  renewDaemonLease: AutomationStorage['renewDaemonLease'] = (owner, now, ttlMs) => this.automation.renewDaemonLease(owner, now, ttlMs)
  releaseDaemonLease: AutomationStorage['releaseDaemonLease'] = (owner) => this.automation.releaseDaemonLease(owner)
  getDaemonLease: AutomationStorage['getDaemonLease'] = () => this.automation.getDaemonLease()
  commitAutomationTick: AutomationStorage['commitAutomationTick'] = (commit) => this.automation.commitAutomationTick(commit)
  getAutomationCursors: AutomationStorage['getAutomationCursors'] = () => this.automation.getAutomationCursors()
  getConditionStates: AutomationStorage['getConditionStates'] = () => this.automation.getConditionStates()
  listAutomationRequests: AutomationStorage['listAutomationRequests'] = (opts) => this.automation.listAutomationRequests(opts)
  getAutomationRequest: AutomationStorage['getAutomationRequest'] = (requestId) => this.automation.getAutomationRequest(requestId)
  lastRequestTimes: AutomationStorage['lastRequestTimes'] = () => this.automation.lastRequestTimes()
  setAutomationRequestStatus: AutomationStorage['setAutomationRequestStatus'] = (id, status, now, runStatus) => this.automation.setAutomationRequestStatus(id, status, now, runStatus)
  listAutomationTicks: AutomationStorage['listAutomationTicks'] = (opts) => this.automation.listAutomationTicks(opts)
  listAutomationEvaluations: AutomationStorage['listAutomationEvaluations'] = (assetKey, opts) => this.automation.listAutomationEvaluations(assetKey, opts)
  getDynamicPartitionsAt: AutomationStorage['getDynamicPartitionsAt'] = (at) => this.automation.getDynamicPartitionsAt(at)
  listInProgressSlots: AutomationStorage['listInProgressSlots'] = () => this.automation.listInProgressSlots()
  automationChanges: AutomationStorage['automationChanges'] = (previous) => this.automation.automationChanges(previous)
  getSlotStates: AutomationStorage['getSlotStates'] = (slots) => this.automation.getSlotStates(slots)
  pruneAutomationTicks: AutomationStorage['pruneAutomationTicks'] = (keep) => this.automation.pruneAutomationTicks(keep)

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }
}
