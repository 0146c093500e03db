/**
 * What the automation daemon stores (migration 008): its lease on the home,
 * ticks, per-source cursors, run requests with the runs they launch, sensor
 * run keys, and per-asset condition evaluations. Times are epoch ms.
 */
import type { SlotHolder, SlotKey } from './types.js'

export type AutomationSourceKind = 'conditions' | 'schedule' | 'sensor'

/** The daemon holding a home. A lease not renewed by `expiresAt` is free to take. */
export interface DaemonLease {
  /** Random id of the daemon instance (a pid can be reused). */
  owner: string
  pid: number
  host: string
  acquiredAt: number
  heartbeatAt: number
  expiresAt: number
}

export interface LeaseClaim {
  owner: string
  pid: number
  host: string
  now: number
  ttlMs: number
}

export type LeaseResult =
  | { acquired: true; lease: DaemonLease; /** The lease taken from a dead or expired holder. */ replaced?: DaemonLease }
  | { acquired: false; holder: DaemonLease }

/** REQUESTED: runs were requested; SKIPPED: nothing to do (with a reason); FAILED: evaluation threw; EVALUATED: conditions evaluated. */
export type AutomationTickStatus = 'REQUESTED' | 'SKIPPED' | 'FAILED' | 'EVALUATED'

export interface NewAutomationTick {
  sourceKind: AutomationSourceKind
  /** Schedule or sensor name; `''` for the conditions. */
  sourceName: string
  /** Identity of a tick that must be committed once (a schedule's cron instant). */
  tickKey?: string
  /** The cron instant a schedule tick stands for. */
  scheduledFor?: number
  evaluatedAt: number
  status: AutomationTickStatus
  /** Skip reason or error message. */
  message?: string
  durationMs?: number
}

export interface AutomationTickRecord extends NewAutomationTick {
  tickId: number
  /** Requests recorded by this tick. */
  requested: number
}

/** Where a schedule or sensor resumes. */
export interface AutomationCursor {
  sourceKind: AutomationSourceKind
  sourceName: string
  /** A sensor's cursor; a schedule's last processed cron instant (epoch ms as text). */
  cursor?: string
  lastRunKey?: string
  lastTickAt?: number
  /** Consecutive failed evaluations (sensors back off on them). */
  failures: number
  /** Not evaluated before this instant (interval, backoff). */
  nextAt?: number
  updatedAt: number
}

export type AutomationRequestStatus = 'QUEUED' | 'LAUNCHED' | 'DONE'

export interface NewAutomationRequest {
  /** Unique per decision, e.g. `schedule:daily:2024-01-02T00:00:00.000Z`: the same decision is recorded once. */
  requestKey: string
  /** The id its run will have, chosen before launch so a restart can tell whether it was launched. */
  runId: string
  sourceKind: AutomationSourceKind
  sourceName: string
  /** Selection text recorded on the run. */
  selection: string
  assetKeys: string[]
  /** Partitions of the partitioned assets; undefined when none is partitioned. */
  partitionKeys?: string[]
  /** The (asset, partition) pairs it materializes: what later requests are merged against. */
  slots: SlotKey[]
  reason: string
  tags: Record<string, string>
  runKey?: string
  createdAt: number
}

export interface AutomationRequestRecord extends NewAutomationRequest {
  requestId: number
  tickId?: number
  status: AutomationRequestStatus
  launchedAt?: number
  endedAt?: number
  /** SUCCESS / FAILURE / CANCELED, or NOTHING_TO_DO when its targets no longer existed. */
  runStatus?: string
}

/** Per asset and condition (by its hash): when it started being evaluated, and its last evaluation. */
export interface ConditionState {
  assetKey: string
  condition: string
  /** The condition spec as JSON. */
  spec: string
  firstEvaluatedAt: number
  firstCodeVersion: string
  lastEvaluatedAt: number
  codeVersion: string
  /** Fingerprint of the last stored evaluation. */
  fingerprint?: string
}

export interface NewAutomationEvaluation {
  assetKey: string
  condition: string
  evaluatedAt: number
  partitions: number
  trueCount: number
  requested: number
  /** The request it made, by request key (resolved to an id when committed). */
  requestKey?: string
  /** One line in words. */
  summary: string
  /** JSON: condition parts and per-partition explanations (bounded). */
  detail: unknown
  fingerprint: string
}

export interface AutomationEvaluationRecord extends Omit<NewAutomationEvaluation, 'requestKey'> {
  evaluationId: number
  tickId: number
  requestId?: number
}

/** One tick and everything it decided, committed in one transaction. */
export interface AutomationTickCommit {
  tick: NewAutomationTick
  /** false: write the cursor and condition states only, no tick row (a tick that found nothing new); not with evaluations or requests. @defaultValue true */
  record?: boolean
  /** The tick source's cursor after it. */
  cursor?: Omit<AutomationCursor, 'sourceKind' | 'sourceName' | 'updatedAt'>
  conditions?: ConditionState[]
  evaluations?: NewAutomationEvaluation[]
  requests?: NewAutomationRequest[]
}

export type RequestOutcome =
  | { requestKey: string; status: 'QUEUED'; requestId: number }
  /** A sensor request whose run key that sensor already used. */
  | { requestKey: string; status: 'RUN_KEY_USED'; requestId: number }
  /** The request key was already recorded. */
  | { requestKey: string; status: 'DUPLICATE'; requestId: number }

export interface AutomationTickOutcome {
  /** Undefined when the tick key was already committed (nothing was written). */
  tickId?: number
  requests: RequestOutcome[]
}

/** Where the daemon last looked at a home: what changed since is cheap to find from it. */
export interface AutomationWatermark {
  materializationId: number
  runRowid: number
  /** Runs RUNNING then: one that is not any more has changed its partitions' states. */
  running: string[]
}

/** The stored execution state of one slot. */
export interface SlotState extends SlotKey {
  state: 'IN_PROGRESS' | 'FAILED' | 'MATERIALIZED'
  runId: string
  updatedAt: number
}

export interface AutomationStorage {
  /** Takes the home's daemon lease when it is free, expired, or held by a dead process on this host (`isAlive`). */
  acquireDaemonLease(claim: LeaseClaim, isAlive: (pid: number, host: string) => boolean): Promise<LeaseResult>
  /** Extends the lease; false when `owner` no longer holds it. */
  renewDaemonLease(owner: string, now: number, ttlMs: number): Promise<boolean>
  releaseDaemonLease(owner: string): Promise<void>
  getDaemonLease(): Promise<DaemonLease | undefined>

  /**
   * Commits a tick: its row, the source's cursor, condition states,
   * evaluations and run requests, in one transaction. A tick whose
   * `tickKey` is already committed writes nothing. A sensor request whose run
   * key was used, or whose request key exists, is not queued again.
   */
  commitAutomationTick(commit: AutomationTickCommit): Promise<AutomationTickOutcome>
  /** Deletes each source's ticks beyond its newest `keep` that requested nothing and explain no stored evaluation; returns how many. */
  pruneAutomationTicks(keep: number): Promise<number>
  getAutomationCursors(): Promise<AutomationCursor[]>
  getConditionStates(): Promise<ConditionState[]>
  /** Oldest first when filtered by status (the launch order), else newest first. */
  listAutomationRequests(opts?: { statuses?: AutomationRequestStatus[]; limit?: number; sourceKind?: AutomationSourceKind; sourceName?: string }): Promise<AutomationRequestRecord[]>
  getAutomationRequest(requestId: number): Promise<AutomationRequestRecord | undefined>
  /** When each (asset, partition) was last requested, for every one ever requested (the daemon reads it once, then keeps it). */
  lastRequestTimes(): Promise<Array<SlotKey & { requestedAt: number }>>
  /** LAUNCHED (with the launch time) or DONE (with the run's status). */
  setAutomationRequestStatus(requestId: number, status: 'LAUNCHED' | 'DONE', now: number, runStatus?: string): Promise<void>
  /** Newest first. */
  listAutomationTicks(opts?: { sourceKind?: AutomationSourceKind; sourceName?: string; limit?: number }): Promise<AutomationTickRecord[]>
  /** Newest first. */
  listAutomationEvaluations(assetKey: string, opts?: { limit?: number }): Promise<AutomationEvaluationRecord[]>
  /** Every slot IN_PROGRESS for a RUNNING run, with the run (what automation must not request meanwhile). */
  listInProgressSlots(): Promise<SlotHolder[]>
  /** Assets whose materializations or partition states changed since `previous` (none without it), and the new watermark. */
  automationChanges(previous?: AutomationWatermark): Promise<{ assets: string[]; watermark: AutomationWatermark }>
  /** The state rows of these slots (slots never attempted are left out). */
  getSlotStates(slots: readonly SlotKey[]): Promise<SlotState[]>
  /** Dynamic partition keys as they were at `at` (added at or before it). */
  getDynamicPartitionsAt(at: number): Promise<Record<string, string[]>>
}
