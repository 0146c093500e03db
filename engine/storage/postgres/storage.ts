/**
 * `PgStorage`: the `Storage` interface on a PostgreSQL connection pool, in
 * one schema per instance (`?schema=NAME`). Several processes on several
 * hosts can share one instance; see each method file for how its writes stay
 * correct under concurrency. The model registry and automation live in
 * models.ts and automation.ts.
 */
import type {
  AttemptStateRow,
  BackfillRecord,
  BackfillStatus,
  BackfillTarget,
  BackfillTargetStatus,
  CheckCounts,
  CheckResultRecord,
  CodeVersionRecord,
  EventRecord,
  EventType,
  FailedAttempt,
  LatestMaterialization,
  LineageEdge,
  MaterializationRecord,
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
import { notYetOnPostgres } from './unsupported.js'

type TargetUpdate = { assetKey: string; partitionKey: string; status: BackfillTargetStatus; runId?: string; error?: string }

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
    this.models = new PgModelStore(db, { description: this.description, getMaterialization: (id) => this.getMaterialization(id) })
    this.automation = new PgAutomationStore(db, this.description)
  }

  private notYet(operation: string): never {
    throw notYetOnPostgres(operation, this.description)
  }

  async createRun(_run: NewRun): Promise<void> {
    this.notYet('createRun')
  }
  async finishRun(_runId: string, _status: Exclude<RunStatus, 'RUNNING'>, _endedAt: number): Promise<void> {
    this.notYet('finishRun')
  }
  async getRun(_runId: string): Promise<RunRecord | undefined> {
    this.notYet('getRun')
  }
  async listRuns(_opts?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]> {
    this.notYet('listRuns')
  }
  async failOrphanedRuns(_isAlive: (pid: number, host: string) => boolean, _now: number): Promise<string[]> {
    this.notYet('failOrphanedRuns')
  }
  async interruptOrphanedBackfills(_isAlive: (pid: number, host: string) => boolean, _now: number): Promise<string[]> {
    this.notYet('interruptOrphanedBackfills')
  }
  async appendEvents(_events: NewEvent[], _states?: { runId: string; now: number; rows: AttemptStateRow[] }): Promise<number[]> {
    this.notYet('appendEvents')
  }
  async getEvents(_runId: string, _opts?: { afterId?: number; limit?: number; types?: EventType[] }): Promise<EventRecord[]> {
    this.notYet('getEvents')
  }
  async setPartitionStates(_states: AttemptStateRow[], _runId: string, _now: number): Promise<void> {
    this.notYet('setPartitionStates')
  }
  async readSlots(_slots: readonly SlotKey[], _opts?: { consumed?: boolean }): Promise<SlotsView> {
    this.notYet('readSlots')
  }
  async claimSlots(_runId: string, _slots: ReadonlyArray<SlotKey & { basis: number }>, _now: number): Promise<SlotConflict[]> {
    this.notYet('claimSlots')
  }
  async releaseSlots(_runId: string): Promise<number> {
    this.notYet('releaseSlots')
  }
  async recordMaterialization(
    _m: NewMaterialization,
    _consumed: LineageEdge[],
    _opts?: { precedingEvents?: NewEvent[]; followingEvents?: NewEvent[]; checkResults?: NewCheckResult[] },
  ): Promise<MaterializationRecord> {
    this.notYet('recordMaterialization')
  }
  async getMaterialization(_id: number): Promise<MaterializationRecord | undefined> {
    this.notYet('getMaterialization')
  }
  async getLatest(_assetKey: string, _partitionKey?: string): Promise<LatestMaterialization | undefined> {
    this.notYet('getLatest')
  }
  async getLatestMany(_assetKeys?: readonly string[]): Promise<LatestMaterialization[]> {
    this.notYet('getLatestMany')
  }
  async listMaterializations(_assetKey: string, _opts?: { partitionKey?: string; limit?: number }): Promise<MaterializationRecord[]> {
    this.notYet('listMaterializations')
  }
  async getLineage(_materializationId: number): Promise<LineageEdge[]> {
    this.notYet('getLineage')
  }
  async recordCodeVersions(_records: readonly CodeVersionRecord[]): Promise<void> {
    this.notYet('recordCodeVersions')
  }
  async getCodeVersions(_pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>): Promise<CodeVersionRecord[]> {
    this.notYet('getCodeVersions')
  }
  async getPartitionStates(_assetKey: string): Promise<PartitionStateRecord[]> {
    this.notYet('getPartitionStates')
  }
  async getFailedAttempts(_assetKeys: readonly string[]): Promise<FailedAttempt[]> {
    this.notYet('getFailedAttempts')
  }
  async countPartitionStates(_assetKey: string): Promise<Record<PartitionRunState, number>> {
    this.notYet('countPartitionStates')
  }
  async summarizePartitionStates(_assetKey: string, _codeVersion: string): Promise<{ fresh: number; codeChanged: number; failed: number; inProgress: number }> {
    this.notYet('summarizePartitionStates')
  }
  async createBackfill(_backfill: NewBackfill, _targets: Array<{ assetKey: string; partitionKey: string }>): Promise<void> {
    this.notYet('createBackfill')
  }
  async getBackfill(_backfillId: string): Promise<BackfillRecord | undefined> {
    this.notYet('getBackfill')
  }
  async listBackfills(_opts?: { limit?: number }): Promise<BackfillRecord[]> {
    this.notYet('listBackfills')
  }
  async setBackfillStatus(_backfillId: string, _status: BackfillStatus, _now: number, _owner?: { pid: number; host: string }): Promise<void> {
    this.notYet('setBackfillStatus')
  }
  async addBackfillRun(_backfillId: string, _runId: string): Promise<void> {
    this.notYet('addBackfillRun')
  }
  async requestBackfillCancel(_backfillId: string, _now: number): Promise<boolean> {
    this.notYet('requestBackfillCancel')
  }
  async updateBackfillTargets(_backfillId: string, _updates: TargetUpdate[], _now: number): Promise<void> {
    this.notYet('updateBackfillTargets')
  }
  async getBackfillTargets(_backfillId: string, _opts?: { statuses?: BackfillTargetStatus[] }): Promise<BackfillTarget[]> {
    this.notYet('getBackfillTargets')
  }
  async countBackfillTargets(_backfillId: string): Promise<Record<BackfillTargetStatus, number>> {
    this.notYet('countBackfillTargets')
  }
  async addDynamicPartitions(_name: string, _keys: readonly string[], _now: number): Promise<string[]> {
    this.notYet('addDynamicPartitions')
  }
  async deleteDynamicPartitions(_name: string, _keys: readonly string[]): Promise<string[]> {
    this.notYet('deleteDynamicPartitions')
  }
  async getDynamicPartitions(): Promise<Record<string, string[]>> {
    this.notYet('getDynamicPartitions')
  }
  async upgradePartitionKeyLayouts(
    _expected: ReadonlyMap<string, readonly string[]>,
    _plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined,
    _now: number,
  ): Promise<PartitionKeyRewrite[]> {
    this.notYet('upgradePartitionKeyLayouts')
  }
  async recordCheckResults(_results: NewCheckResult[]): Promise<number[]> {
    this.notYet('recordCheckResults')
  }
  async getLatestCheckResults(_assetKey: string, _partitionKey?: string): Promise<CheckResultRecord[]> {
    this.notYet('getLatestCheckResults')
  }
  async countLatestCheckResults(_assetKeys?: readonly string[]): Promise<CheckCounts[]> {
    this.notYet('countLatestCheckResults')
  }
  async listReferencedObjects(): Promise<string[]> {
    this.notYet('listReferencedObjects')
  }

  markCorruptObjects: Storage['markCorruptObjects'] = async () => this.notYet('markCorruptObjects')
  unmarkCorruptObjects: Storage['unmarkCorruptObjects'] = async () => this.notYet('unmarkCorruptObjects')
  getCorruptObjects: Storage['getCorruptObjects'] = async () => this.notYet('getCorruptObjects')

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
