/**
 * The storage interface: runs, the append-only event log, materializations,
 * lineage edges and the per-(asset, partition) state index. The engine only
 * talks to this interface; SQLite is the default backend and a PostgreSQL
 * backend can implement the same contract. Every method is async for that reason.
 *
 * Conventions: times are epoch milliseconds; `partitionKey` is `''` for
 * unpartitioned assets; JSON-ish fields are plain objects (backends serialize).
 */
import type { ModelStage, ModelStageChange, ModelVersion } from '../../assets/registry.js'
import type { AutomationStorage } from './automation-types.js'

export type { ModelGate, ModelLineage, ModelStage, ModelStageChange, ModelVersion } from '../../assets/registry.js'
export type * from './automation-types.js'

export type RunStatus = 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'CANCELED'

export interface NewRun {
  runId: string
  /** Selection text as the user typed it (or a description such as `backfill abc`). */
  selection: string
  /** Planned steps, e.g. `['raw/a', 'b[2024-01-01]']`. */
  stepKeys: string[]
  defsPath: string
  /** OS process id and host owning the run, used to detect runs whose process died. */
  pid: number
  host: string
  startedAt: number
  backfillId?: string
  tags?: Record<string, string>
  /** The owning process's lease, renewed by heartbeat (engine/leases.ts); absent on runs recorded before leases. */
  lease?: Lease
}

/**
 * Who holds a run or backfill, and until when. The holder renews it every few
 * seconds; once it has expired, a process on another host (which cannot check
 * the holder's pid) counts the holder as gone.
 */
export interface Lease {
  /** An id unique to the holding process. */
  owner: string
  /** Epoch ms. */
  expiresAt: number
}

export interface RunRecord extends NewRun {
  status: RunStatus
  endedAt?: number
  tags: Record<string, string>
}

export type EventType =
  | 'RUN_START'
  | 'RUN_SUCCESS'
  | 'RUN_FAILURE'
  | 'RUN_CANCELED'
  | 'STEP_START'
  | 'STEP_SUCCESS'
  | 'STEP_FAILURE'
  | 'STEP_RETRY'
  | 'STEP_SKIPPED'
  | 'STEP_CANCELED'
  | 'STEP_UP_TO_DATE'
  | 'LOG'
  | 'MATERIALIZATION'
  | 'CHECK'
  | 'MODEL_REGISTERED'

export interface NewEvent {
  runId: string
  ts: number
  type: EventType
  assetKey?: string
  partitionKey?: string
  level?: 'debug' | 'info' | 'warn' | 'error'
  message?: string
  data?: Record<string, unknown>
}

export interface EventRecord extends NewEvent {
  id: number
}

export type DataFormat = 'json' | 'arrow'

export interface NewMaterialization {
  assetKey: string
  partitionKey: string
  runId: string
  codeVersion: string
  dataVersion: string
  /** Path of the stored object, relative to the home directory. */
  location: string
  format: DataFormat
  bytes: number
  metadata: Record<string, unknown>
  startedAt: number
  endedAt: number
}

export interface MaterializationRecord extends NewMaterialization {
  id: number
}

/** One upstream materialization consumed by a materialization. */
export interface LineageEdge {
  upstreamMaterializationId: number
  upstreamAssetKey: string
  upstreamPartitionKey: string
  upstreamDataVersion: string
  /** Input name in `ins`, or undefined for an order-only `deps` entry. */
  inputName?: string
}

export interface LatestMaterialization extends MaterializationRecord {
  consumed: LineageEdge[]
}

/** One materialization of a `Storage.recordMaterializations` batch, with what `recordMaterialization` stores beside it. */
export interface MaterializationToRecord {
  materialization: NewMaterialization
  consumed: LineageEdge[]
  /** Appended right after its MATERIALIZATION event (e.g. the step's STEP_SUCCESS). */
  followingEvents?: NewEvent[]
  /** Check results of this value (with CHECK events); their `materializationId` is set to the new one. */
  checkResults?: NewCheckResult[]
}

/** What a code version is made of: component → hash or version (see engine/versioning/versions.ts). */
export interface CodeVersionRecord {
  assetKey: string
  codeVersion: string
  components: Record<string, string>
}

/** Execution state of one (asset, partition), kept incrementally for fast status reads. */
export type PartitionRunState = 'IN_PROGRESS' | 'FAILED' | 'MATERIALIZED'

export interface PartitionStateRecord {
  assetKey: string
  partitionKey: string
  state: PartitionRunState
  runId: string
  updatedAt: number
  /** Latest successful materialization, if any (kept while a newer attempt is in progress or failed). */
  materializationId?: number
  dataVersion?: string
  /** Code version of that materialization. */
  codeVersion?: string
}

/** The last attempt at an unpartitioned asset, when it failed (see Storage.getFailedAttempts). */
export interface FailedAttempt {
  assetKey: string
  runId: string
  /** When the state became FAILED. */
  failedAt: number
  /** The STEP_FAILURE event's message; else the run's failure message (e.g. its process died); absent when neither exists. */
  message?: string
}

/** A materialization whose stored object was found damaged (see Storage.markCorruptObjects). */
export interface CorruptObjectRecord {
  materializationId: number
  assetKey: string
  partitionKey: string
  /** The object, as the materialization records it. */
  location: string
  /** What was found, e.g. `truncated: 12 of 40 bytes`. */
  problem: string
  /** When it was found (epoch ms). */
  detectedAt: number
}

/** One (asset, partition); `partitionKey` is `''` for unpartitioned assets. */
export interface SlotKey {
  assetKey: string
  partitionKey: string
}

/**
 * An attempt state to write. With `basis` (the id of the latest
 * materialization the attempt decided on, 0 when there was none) the write is
 * a compare-and-set: it leaves alone a slot whose materialization is newer
 * than `basis` or that another RUNNING run has IN_PROGRESS, so a failed or
 * late attempt never hides a newer success. Without `basis` it always writes.
 */
export interface AttemptStateRow extends SlotKey {
  state: 'IN_PROGRESS' | 'FAILED'
  basis?: number
}

/** A slot IN_PROGRESS for a RUNNING run, with the process that owns the run. */
export interface SlotHolder extends SlotKey {
  runId: string
  pid: number
  host: string
}

/** One consistent read of slots: their latest materializations, and those a RUNNING run has IN_PROGRESS. */
export interface SlotsView {
  latest: LatestMaterialization[]
  inProgress: SlotHolder[]
}

/** One all-or-nothing claim of `claimSlotsMany`: the slots of one step, each with the basis it decided on (see AttemptStateRow). */
export interface SlotClaim {
  slots: ReadonlyArray<SlotKey & { basis: number }>
}

/** Why `claimSlots` could not claim a slot. */
export type SlotConflict =
  | (SlotKey & { reason: 'IN_PROGRESS'; holder: SlotHolder })
  | (SlotKey & { reason: 'NEWER'; materializationId: number })

export type BackfillStatus = 'REQUESTED' | 'RUNNING' | 'COMPLETED_SUCCESS' | 'COMPLETED_FAILED' | 'CANCELED'

/** State of one (asset, partition) target of a backfill. */
export type BackfillTargetStatus = 'PENDING' | 'IN_PROGRESS' | 'SUCCESS' | 'UP_TO_DATE' | 'FAILED' | 'SKIPPED'

export interface NewBackfill {
  backfillId: string
  /** Selection text as given. */
  selection: string
  assetKeys: string[]
  fromKey?: string
  toKey?: string
  /** Explicit partition list (`--partitions`), if given. */
  partitionKeys?: string[]
  /** Options to reuse on resume, e.g. `{ stale: true, concurrency: 2 }`. */
  options: Record<string, unknown>
  defsPath: string
  createdAt: number
  /** Process currently driving the backfill. */
  pid: number
  host: string
}

export interface BackfillRecord extends NewBackfill {
  status: BackfillStatus
  updatedAt: number
  endedAt?: number
  /** Set by `cancelBackfill`; the driving process stops scheduling when it sees it. */
  cancelRequested: boolean
  /** True when the driving process died before finishing (found by failOrphanedRuns). */
  interrupted: boolean
  /** Runs that executed parts of it, oldest first. */
  runIds: string[]
  /** The driving process's lease while RUNNING, renewed by heartbeat (engine/leases.ts); absent before its first renewal. */
  lease?: Lease
}

/** A new status for one backfill target (see Storage.updateBackfillTargets). */
export interface BackfillTargetUpdate {
  assetKey: string
  partitionKey: string
  status: BackfillTargetStatus
  /** The run now working on the target. @defaultValue the stored run id */
  runId?: string
  /** Why it failed; an update without one clears the stored error. */
  error?: string
}

export interface BackfillTarget {
  assetKey: string
  partitionKey: string
  status: BackfillTargetStatus
  runId?: string
  updatedAt: number
  /** Message of the failure, for FAILED targets. */
  error?: string
}

/** The result of one asset check on one (asset, partition). */
export interface NewCheckResult {
  assetKey: string
  partitionKey: string
  checkName: string
  passed: boolean
  blocking: boolean
  message?: string
  metadata: Record<string, unknown>
  runId: string
  /** The materialization the check judged; absent when a blocking failure kept the value from being stored. */
  materializationId?: number
  ts: number
}

export interface CheckResultRecord extends NewCheckResult {
  id: number
}

/** Latest check results of one check of one asset, counted over its partitions. */
export interface CheckCounts {
  assetKey: string
  checkName: string
  /** Partitions whose latest result passed. */
  passed: number
  /** Latest result failed, blocking. */
  failed: number
  /** Latest result failed, non-blocking (a warning). */
  warned: number
}

/** A model version to register; the storage assigns the version number and stamps the stage change. */
export type NewModelVersion = Omit<ModelVersion, 'version' | 'stage' | 'stageChangedAt'> & {
  /** Stage to register it in (history: register, then promote). Staging/production need a passed gate. @defaultValue 'development' */
  stage?: ModelStage
}

/** What `setModelStage` changed. */
export interface ModelStageResult {
  model: ModelVersion
  /** The previous production version, archived because `model` was promoted to production. */
  replaced?: ModelVersion
  /** False when the version already was in that stage (nothing recorded). */
  changed: boolean
}

/** The stored multi-partition keys of one asset and the layout they were recorded in (migration 006). */
export interface PartitionKeyLayout {
  assetKey: string
  /** Dimension names in key-part order; null when the keys predate recording it (declaration order). */
  dimensions: string[] | null
  /** Distinct stored keys containing "|", from every table, sorted. */
  keys: string[]
}

/** How to bring one asset's stored keys to a new layout. */
export interface PartitionKeyRewrite {
  assetKey: string
  /** The layout to record: dimension names in key-part order. */
  dimensions: string[]
  /** [old key, new key] for each stored key that changes. */
  renames: Array<[string, string]>
  /** Stored keys left as they are because no order of their parts fits the dimensions. */
  unresolved: string[]
}

/** What `registerModelOnce` did: registered `model`, or found an identical version and left it as it was (`existing`). */
export interface ModelRegistrationResult {
  model: ModelVersion
  existing: boolean
}

/** What `rollbackModel` changed. */
export interface ModelRollbackResult {
  /** Now in production again. */
  restored: ModelVersion
  /** The version that was in production, now archived. */
  archived: ModelVersion
}

/** Automation methods (the daemon's lease, ticks, requests, evaluations) are in automation-types.ts. */
export interface Storage extends AutomationStorage {
  /** Where this storage lives, for messages (e.g. a file path). */
  readonly description: string

  createRun(run: NewRun): Promise<void>
  finishRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>, endedAt: number): Promise<void>
  getRun(runId: string): Promise<RunRecord | undefined>
  /** Newest first. */
  listRuns(opts?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]>
  /**
   * Marks RUNNING runs whose owning process is gone as FAILURE, and their
   * IN_PROGRESS partition states as FAILED: by `isAlive` on the process's
   * own host, by an expired lease elsewhere (see engine/storage/leases.ts).
   * Returns the run ids it changed.
   */
  failOrphanedRuns(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]>
  /** Extends the lease of a RUNNING run held by `owner`; false when the run is no longer RUNNING or another owner holds it. */
  renewRunLease(runId: string, owner: string, expiresAt: number): Promise<boolean>
  /**
   * RUNNING backfills whose driving process is gone: set back to REQUESTED with
   * `interrupted` true and their IN_PROGRESS targets to PENDING. Returns their ids.
   */
  interruptOrphanedBackfills(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]>
  /** Sets the lease of a RUNNING backfill driven by `driver` (its pid and host); false when it is not RUNNING or another process drives it. */
  renewBackfillLease(backfillId: string, driver: { pid: number; host: string }, lease: Lease): Promise<boolean>

  /**
   * Appends events in one transaction; returns their ids in order. `states`
   * (IN_PROGRESS/FAILED partition states) are written in the same transaction,
   * so a step start costs one commit.
   */
  appendEvents(events: NewEvent[], states?: { runId: string; now: number; rows: AttemptStateRow[] }): Promise<number[]>
  /**
   * Events of a run in id order, optionally only those after `afterId`.
   * Cursor guarantee, on every backend: events become visible in id order
   * (no event with a smaller id commits after one with a larger id is
   * visible), so a reader that polls with `afterId` = the last id it saw
   * sees every event exactly once, even while other processes append to the
   * same run. SQLite gets this from its single writer; PostgreSQL from a lock
   * every event-appending transaction takes before taking ids.
   */
  getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): Promise<EventRecord[]>

  /** Sets (asset, partition) states to IN_PROGRESS or FAILED for a run (materialized is set by recordMaterialization). */
  setPartitionStates(states: AttemptStateRow[], runId: string, now: number): Promise<void>

  /**
   * What a step decides on, in one read right before it runs: the latest
   * materializations of `slots` (with their consumed edges, unless
   * `consumed: false`, which leaves them empty and saves reading lineage), and
   * which of them a RUNNING run has IN_PROGRESS (with that run's pid and
   * host, to tell a live run from a dead one).
   */
  readSlots(slots: readonly SlotKey[], opts?: { consumed?: boolean }): Promise<SlotsView>
  /**
   * Claims slots for an attempt of `runId`: sets them all IN_PROGRESS in one
   * transaction, or none of them when one is IN_PROGRESS for another RUNNING
   * run or has a materialization newer than its `basis` (see AttemptStateRow).
   * Returns those conflicts; empty when the slots were claimed.
   */
  claimSlots(runId: string, slots: ReadonlyArray<SlotKey & { basis: number }>, now: number): Promise<SlotConflict[]>
  /**
   * Many claims of `runId` in one write transaction: each claim is
   * all-or-nothing under the same rules as `claimSlots`, independently of the
   * others (a conflicting claim leaves the others claimed), decided in order
   * as if `claimSlots` were called once per claim. Result `i` is the
   * conflicts of `claims[i]`; empty when it was claimed. For a caller
   * starting many steps at once, it saves a transaction per step.
   */
  claimSlotsMany(claims: ReadonlyArray<SlotClaim>, runId: string, now: number): Promise<SlotConflict[][]>
  /**
   * Ends attempts of `runId` that will never finish (a canceled run): its
   * IN_PROGRESS slots go back to their last materialization (MATERIALIZED,
   * with that materialization's run) or, when they never had one, lose their
   * state. A canceled attempt thus neither stays IN_PROGRESS nor hides the
   * last good materialization. Returns how many slots changed.
   */
  releaseSlots(runId: string): Promise<number>

  /**
   * Atomically stores a materialization, its lineage edges, its MATERIALIZATION
   * event, and makes it the latest for (asset, partition). `precedingEvents`
   * and `followingEvents` are appended before and after the MATERIALIZATION
   * event in the same transaction (buffered step events: one commit per step).
   */
  recordMaterialization(
    m: NewMaterialization,
    consumed: LineageEdge[],
    opts?: {
      precedingEvents?: NewEvent[]
      followingEvents?: NewEvent[]
      /** Check results of this value, stored (with CHECK events) in the same transaction; their `materializationId` is set to the new one. */
      checkResults?: NewCheckResult[]
    },
  ): Promise<MaterializationRecord>
  /**
   * Group commit: records a batch of materializations, in order, each exactly
   * as `recordMaterialization` would, in ONE transaction — all of them or
   * none (a failure rejects and stores nothing, so no latest changes).
   * `precedingEvents` are appended first. None is latest, nor visible to
   * another reader, before the transaction commits: report none of them done
   * before this resolves. Returns the records in batch order.
   */
  recordMaterializations(batch: readonly MaterializationToRecord[], opts?: { precedingEvents?: NewEvent[] }): Promise<MaterializationRecord[]>
  getMaterialization(id: number): Promise<MaterializationRecord | undefined>
  /** Latest materialization with the lineage edges it consumed. */
  getLatest(assetKey: string, partitionKey?: string): Promise<LatestMaterialization | undefined>
  /** Latest materializations of the given assets (all assets if omitted), unpartitioned and partitioned, with consumed edges. */
  getLatestMany(assetKeys?: readonly string[]): Promise<LatestMaterialization[]>
  /** Newest first. */
  listMaterializations(assetKey: string, opts?: { partitionKey?: string; limit?: number }): Promise<MaterializationRecord[]>
  /** The upstream edges a materialization consumed. */
  getLineage(materializationId: number): Promise<LineageEdge[]>

  /** Records what code versions are made of; a version already recorded for its asset is kept as it is. */
  recordCodeVersions(records: readonly CodeVersionRecord[]): Promise<void>
  /** The recorded components of these (asset, code version) pairs; pairs never recorded are left out. */
  getCodeVersions(pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>): Promise<CodeVersionRecord[]>

  /** Partition states of an asset (all partitions that ever ran). */
  getPartitionStates(assetKey: string): Promise<PartitionStateRecord[]>
  /**
   * Unpartitioned assets among `assetKeys` whose last attempt failed, each
   * with the message of that failure, in one query (not one per asset or run).
   */
  getFailedAttempts(assetKeys: readonly string[]): Promise<FailedAttempt[]>
  /** Counts of partition states of an asset, without reading every row into JS. */
  countPartitionStates(assetKey: string): Promise<Record<PartitionRunState, number>>
  /**
   * Display counts of an asset's recorded partitions against its current code
   * version, computed in the database: `fresh`/`codeChanged` among MATERIALIZED
   * rows, plus FAILED and IN_PROGRESS rows. Partitions never recorded are not
   * counted (the caller knows how many keys exist).
   */
  summarizePartitionStates(assetKey: string, codeVersion: string): Promise<{ fresh: number; codeChanged: number; failed: number; inProgress: number }>

  /** Creates a backfill (status REQUESTED) with all its targets PENDING, in one transaction. */
  createBackfill(backfill: NewBackfill, targets: Array<{ assetKey: string; partitionKey: string }>): Promise<void>
  getBackfill(backfillId: string): Promise<BackfillRecord | undefined>
  /** Newest first. */
  listBackfills(opts?: { limit?: number }): Promise<BackfillRecord[]>
  /** Sets the status (and endedAt for COMPLETED_* / CANCELED); RUNNING also records the driving pid/host and clears `interrupted`. */
  setBackfillStatus(backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }): Promise<void>
  /**
   * Takes a backfill to drive it: sets it RUNNING for `owner` (as
   * setBackfillStatus RUNNING does) only if it is neither RUNNING nor
   * CANCELED, in one atomic step, so of several processes resuming the same
   * backfill at once exactly one gets `claimed: true`; the others get the
   * backfill as it is (its driving pid/host when RUNNING). Throws for an
   * unknown backfill.
   */
  claimBackfill(backfillId: string, owner: { pid: number; host: string }, now: number): Promise<{ claimed: true } | { claimed: false; backfill: BackfillRecord }>
  /** Appends a run id to the backfill's runs. */
  addBackfillRun(backfillId: string, runId: string): Promise<void>
  /** Marks cancel requested; returns false if the backfill was already finished. */
  requestBackfillCancel(backfillId: string, now: number): Promise<boolean>
  /**
   * Updates target statuses in one transaction, as if one by one in order: a
   * target named twice ends with its last status and error, and the last run
   * id given (an update without one keeps the stored run id).
   */
  updateBackfillTargets(backfillId: string, updates: readonly BackfillTargetUpdate[], now: number): Promise<void>
  /** Targets in insertion order. */
  getBackfillTargets(backfillId: string, opts?: { statuses?: BackfillTargetStatus[] }): Promise<BackfillTarget[]>
  countBackfillTargets(backfillId: string): Promise<Record<BackfillTargetStatus, number>>

  /** Adds keys to a dynamic partitions definition (existing keys are ignored); returns the keys actually added. */
  addDynamicPartitions(name: string, keys: readonly string[], now: number): Promise<string[]>
  /** Removes keys; returns those removed. */
  deleteDynamicPartitions(name: string, keys: readonly string[]): Promise<string[]>
  /** Keys of every dynamic partitions definition, in insertion order. */
  getDynamicPartitions(): Promise<Record<string, string[]>>
  /**
   * Brings stored multi-partition keys to the layout of the definitions, in
   * one write transaction: `expected` gives each multi-partitioned asset's
   * dimension names in key order. For an asset whose recorded layout differs
   * (or predates recording), `plan` gets its stored keys and returns the
   * renames, applied to every table (undefined: left as is); an asset never
   * recorded just gets `expected` recorded. Returns the rewrites applied.
   * Reads only, without the write lock, when nothing differs.
   */
  upgradePartitionKeyLayouts(
    expected: ReadonlyMap<string, readonly string[]>,
    plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined,
    now: number,
  ): Promise<PartitionKeyRewrite[]>

  /**
   * Stores check results, each with a CHECK event in its run's event log, and
   * makes each the latest for its (asset, partition, check), in one
   * transaction. Returns their ids in order.
   */
  recordCheckResults(results: NewCheckResult[]): Promise<number[]>
  /** Latest result per check of one partition (`''` when unpartitioned), or of every partition when `partitionKey` is omitted; by partition then check name. */
  getLatestCheckResults(assetKey: string, partitionKey?: string): Promise<CheckResultRecord[]>
  /** Latest results counted per (asset, check) without reading every row into JS; all assets when `assetKeys` is omitted. */
  countLatestCheckResults(assetKeys?: readonly string[]): Promise<CheckCounts[]>

  /**
   * Registers a new version of `m.name` (version = previous max + 1, starting
   * at 1) with a `register` history entry; with `m.stage`, also moves it there
   * (same rules as setModelStage) in the same transaction.
   * Throws STRATA_INVALID_MODEL for a malformed model, STRATA_GATE_FAILED.
   */
  registerModel(m: NewModelVersion): Promise<ModelVersion>
  /**
   * As registerModel, unless a version of `m.name` is identical to `m` (same
   * code version, config, consumed data versions and artifact: see
   * engine/registry/identity.ts): then that version is returned as it is
   * (stage unchanged), with `existing: true`. Decided and applied in one
   * write transaction, so concurrent identical retrains register one version.
   */
  registerModelOnce(m: NewModelVersion): Promise<ModelRegistrationResult>
  getModel(name: string, version: number): Promise<ModelVersion | undefined>
  /** Versions of `name` (all models if omitted), by name then newest version first. */
  listModels(name?: string): Promise<ModelVersion[]>
  /** The version in production of each of `names` that has one, in one query (staleness of assets reading production models). */
  getProductionVersions(names: readonly string[]): Promise<Map<string, number>>
  /**
   * Moves a version to a stage and records it in the history. Promoting to
   * production archives the current production version (history kind
   * `replaced`). Throws STRATA_UNKNOWN_MODEL (no such name/version),
   * STRATA_INVALID_MODEL (unknown stage), STRATA_GATE_FAILED (staging or
   * production for a version whose gate did not pass).
   */
  setModelStage(name: string, version: number, stage: ModelStage, now: number, reason?: string): Promise<ModelStageResult>
  /**
   * Restores the production version that preceded the current one (following
   * the history, so repeated rollbacks walk further back) and archives the
   * current one. Throws STRATA_UNKNOWN_MODEL, or STRATA_NO_ROLLBACK when there
   * is no production version or none before it.
   */
  rollbackModel(name: string, now: number, reason?: string): Promise<ModelRollbackResult>
  /** Stage changes of a model (one version if given), oldest first. */
  getModelHistory(name: string, version?: number): Promise<ModelStageChange[]>

  /**
   * Every object location referred to by a materialization (any, not only the
   * latest, so history stays traceable) or by a registered model's artifact:
   * what `strata gc` must keep.
   */
  listReferencedObjects(): Promise<string[]>

  /**
   * Records materializations whose stored object is damaged (content that no
   * longer matches its hash, or gone), so staleness shows them STALE until a
   * newer materialization replaces them. Recording one again updates its
   * problem and time; ids that name no materialization are ignored.
   */
  markCorruptObjects(rows: ReadonlyArray<{ materializationId: number; problem: string }>, now: number): Promise<void>
  /** Forgets records of materializations whose object was found sound again (e.g. rewritten by a rebuild); returns how many were removed. */
  unmarkCorruptObjects(materializationIds: readonly number[]): Promise<number>
  /** Corrupt-object records of materializations that are still the latest of their (asset, partition), by asset then partition. */
  getCorruptObjects(): Promise<CorruptObjectRecord[]>
  /** The backend's own consistency check (SQLite: `PRAGMA integrity_check`): the problems it reports, empty when sound. */
  checkIntegrity(): Promise<string[]>

  close(): Promise<void>
}
