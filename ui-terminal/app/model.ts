/**
 * What the terminal UI shows and can do, as plain data and a small interface.
 * Components only see `UiModel`: the real one (workspace-model.ts) reads the
 * engine's storage and runs materializations; tests and benchmarks pass fakes.
 */
import type { FreshnessPolicy } from '../../assets/automation/freshness.js'
import type { Definitions } from '../../assets/types.js'
import {
  describeDirect,
  describeReason,
  resolveSelection,
  type AssetGraph,
  type AssetStatus,
  type AutomationExplanation,
  type AutomationOverview,
  type AutomationTickRecord,
  type BackfillStatus,
  type LastFailure,
  type PartitionDisplayStatus,
  type RunStatus,
  type StaleReason,
} from '../../engine/index.js'
import type { GraphData } from './graph/graph-data.js'
import { looksLikeSelection, SearchIndex, type SearchResult } from './search.js'

/** What a row's glyph shows: the asset's status, or that it is running / its last attempt failed. */
export type RowStatus = 'FRESH' | 'STALE' | 'MISSING' | 'RUNNING' | 'FAILED'

export type PartitionCounts = Record<PartitionDisplayStatus, number>

export interface AssetRow {
  key: string
  group: string
  status: RowStatus
  /** End of the latest materialization (the newest partition's, when partitioned). */
  materializedAt?: number
  partitions?: { total: number; counts: PartitionCounts }
  /** `asset({ freshness })` and the update it judges: the list marks the age of a late asset. */
  freshnessCheck?: FreshnessCheck
}

/** One line of a staleness explanation, as `strata why` prints it (depth 1: a root cause under an upstream). */
export interface ReasonLine {
  text: string
  depth: 0 | 1
}

export interface LineageEntry {
  key: string
  status: RowStatus
}

export interface AssetDetail {
  key: string
  group: string
  description?: string
  tags: Readonly<Record<string, string>>
  codeVersion: string
  codeVersionSource: 'auto' | 'explicit'
  status: RowStatus
  /** Whether the latest good materialization is fresh, stale or missing (behind a FAILED or RUNNING status). */
  freshness?: AssetStatus
  /** The failed last attempt of an unpartitioned asset: first line of the error, run, time. */
  failure?: LastFailure
  dataVersion?: string
  materializedAt?: number
  runId?: string
  /** Metadata of the latest materialization; undefined while it loads or when never materialized. */
  metadata?: Readonly<Record<string, unknown>>
  reasons: readonly ReasonLine[]
  upstream: readonly LineageEntry[]
  downstream: readonly LineageEntry[]
  /** Upstream materializations the latest one consumed. */
  consumed: ReadonlyArray<{ key: string; partitionKey: string; dataVersion: string }>
  partitions?: { definition: string; keys: readonly string[]; statuses: readonly PartitionDisplayStatus[] }
  /** The asset's declared checks and their latest results (undefined: it declares none). */
  checks?: ChecksView
  /** `asset({ freshness })` and the update it judges, judged against the clock when shown (a warning only, never blocking). */
  freshnessCheck?: FreshnessCheck
  /** What automates the asset and what the daemon last decided (undefined: nothing does). */
  automation?: AssetAutomation
}

/** A freshness policy and the update that counts for it. */
export interface FreshnessCheck {
  policy: FreshnessPolicy
  /** End of the materialization that counts: the latest one, or for a partitioned asset its latest partition's. */
  lastUpdated?: number
  /** That latest partition; null when unpartitioned or when no partition exists yet. */
  partitionKey: string | null
}

/** An asset's automation, as `strata automation why` explains it. */
export interface AssetAutomation {
  /** The condition as written, e.g. `eager()`; undefined when only schedules or sensors target it. */
  condition?: string
  /** The engine's explanation (the condition evaluated now, the daemon's last evaluations); undefined while it loads or when reading it failed. */
  explanation?: AutomationExplanation
  /** Why the explanation could not be read. */
  error?: string
}

/** What the automation view shows, read from storage while it is open. */
export interface AutomationView {
  /** Whether the definitions declare any condition, schedule or sensor. */
  declared: boolean
  /** Conditions declared; the overview lists at most CONDITIONS_READ of them (automation-feed.ts). */
  conditions: number
  /** Conditions, schedules, sensors, the daemon and recent requests; undefined until first read. */
  overview?: AutomationOverview
  /** Recent ticks of every source, newest first. */
  ticks: readonly AutomationTickRecord[]
}

/** The latest result of one check on one partition (`''` when unpartitioned). */
export interface CheckView {
  name: string
  partitionKey: string
  /** failed: a blocking check failed; warned: a non-blocking one did. */
  status: 'passed' | 'failed' | 'warned'
  message?: string
  at: number
  runId: string
}

export interface ChecksView {
  declared: readonly string[]
  /** Latest results, failing first; undefined while they load. */
  results?: readonly CheckView[]
}

export interface PartitionInfo {
  partitionKey: string
  status: PartitionDisplayStatus
  reasons: readonly ReasonLine[]
  dataVersion?: string
  materializedAt?: number
  runId?: string
  /** Upstream partitions its latest materialization consumed (lineage edges); undefined when unknown. */
  consumed?: ReadonlyArray<{ key: string; partitionKey: string; dataVersion: string }>
}

export type StepStatus = 'PENDING' | 'RUNNING' | 'RETRYING' | 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'UP_TO_DATE' | 'CANCELED'

export interface StepView {
  /** `key` or `key[partition]`, as in the run's plan. */
  id: string
  assetKey: string
  status: StepStatus
  attempt: number
  startedAt?: number
  endedAt?: number
  durationMs?: number
  error?: string
}

export interface LogLine {
  ts: number
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  /** Set on the line that reports a failed attempt (a retry) or the step's failure. */
  kind?: 'retry' | 'failure'
  /** The error's stack frames, for those lines. */
  stack?: string
}

export interface RunView {
  runId: string
  selection: string
  status: RunStatus
  startedAt: number
  endedAt?: number
  total: number
  done: number
  ok: number
  failed: number
  skipped: number
  upToDate: number
  /** Ids of steps running now. */
  running: readonly string[]
  backfillId?: string
  pid: number
  host: string
  /** Started by this UI process. */
  own: boolean
}

export interface RunDetail {
  run: RunView
  steps: readonly StepView[]
  logs(stepId: string): readonly LogLine[]
  /** Older log lines of a step no longer kept in memory (they stay in storage: strata logs). */
  droppedLines?(stepId: string): number
  /** Run-level events (start, end, messages without a step). */
  runLog: readonly LogLine[]
  /** Events of a finished run are read on demand; true until they are in. */
  loading: boolean
}

export interface BackfillView {
  backfillId: string
  selection: string
  /** `FROM..TO` or the partition list. */
  range: string
  status: BackfillStatus
  total: number
  /** Finished targets (done, up to date, failed or skipped). */
  done: number
  failed: number
  inProgress: number
  createdAt: number
  endedAt?: number
  runIds: readonly string[]
  cancelRequested: boolean
  interrupted: boolean
  own: boolean
  /** Targets per second since the UI first saw it running; undefined until measurable. */
  rate?: number
}

export interface StatusMessage {
  level: 'info' | 'warn' | 'error'
  text: string
  at: number
}

export interface UiSnapshot {
  /** What is shown in the header, e.g. the definitions path. */
  title: string
  /** Bumped when definitions are (re)loaded: filters are resolved again. */
  generation: number
  loading: boolean
  /** Every asset, grouped by group. */
  rows: readonly AssetRow[]
  /** Newest first. */
  runs: readonly RunView[]
  backfills: readonly BackfillView[]
  message?: StatusMessage
}

/** Keys the filter text selects; a text search (see search.ts) also ranks them, best first. */
export type FilterResult = { ok: true; keys: ReadonlySet<string>; ranked?: SearchResult } | { ok: false; error: string }

export interface MaterializeRequest {
  key: string
  /** Also everything downstream (`key*`). */
  downstream?: boolean
  /** Partitions to build, for partitioned assets. */
  partitions?: readonly string[]
}

export interface BackfillRequest {
  key: string
  from: string
  to: string
}

export type CancelTarget = { kind: 'run'; runId: string } | { kind: 'backfill'; backfillId: string }

export interface UiModel {
  subscribe(listener: () => void): () => void
  getSnapshot(): UiSnapshot
  /** Resolves selection text; a bad selection gives the engine's message. */
  filter(text: string): FilterResult
  detail(key: string): AssetDetail | undefined
  partition(key: string, partitionKey: string): PartitionInfo | undefined
  /** Edges of the asset graph with their partition mappings, for the graph view; undefined until loaded. */
  graphData(): GraphData | undefined
  runDetail(runId: string): RunDetail | undefined
  materialize(req: MaterializeRequest): void
  materializeStale(): void
  backfill(req: BackfillRequest): void
  cancel(target: CancelTarget): void
  /** Loads the definitions again (e.g. after editing them). */
  reload(): void
  /** The automation view's data, read when asked and kept fresh while it is being asked for; absent where automation does not apply (watch mode). */
  automation?(): AutomationView | undefined
  /** Runs and backfills this process is driving now. */
  ownActive(): number
  /** Stops polling; with `cancelRuns`, aborts own runs and waits for them. */
  close(opts?: { cancelRuns?: boolean }): Promise<void>
}

const searchIndexes = new WeakMap<Definitions, SearchIndex>()

/**
 * Filter text → keys. Text that reads as a selection (`*KEY`, `KEY+`,
 * `group:`, `tag:`…) is resolved as one, with the engine's error message when
 * bad; other text searches keys, groups, descriptions and tags and ranks what
 * matches. Empty text selects everything.
 */
export function filterKeys(text: string, graph: AssetGraph, defs: Definitions): FilterResult {
  if (text.trim() !== '' && !looksLikeSelection(text)) {
    let index = searchIndexes.get(defs)
    if (!index) searchIndexes.set(defs, (index = new SearchIndex(defs.assets)))
    const ranked = index.search(text)
    return { ok: true, keys: new Set(ranked.keys), ranked }
  }
  try {
    return { ok: true, keys: new Set(resolveSelection(text.trim() === '' ? undefined : text, graph, defs)) }
  } catch (err) {
    return { ok: false, error: errorText(err) }
  }
}

const ROOTS_SHOWN = 5

/** Staleness reasons as `strata why` words them: an upstream reason is followed by its root causes. */
export function reasonLines(reasons: readonly StaleReason[]): ReasonLine[] {
  const lines: ReasonLine[] = []
  for (const reason of reasons) {
    if (reason.kind === 'UPSTREAM_STALE' || reason.kind === 'UPSTREAM_MISSING') {
      lines.push({ text: `upstream ${reason.dep} ${reason.kind === 'UPSTREAM_MISSING' ? 'is missing' : 'is stale'}`, depth: 0 })
      for (const root of reason.rootCauses.slice(0, ROOTS_SHOWN)) lines.push({ text: `root cause: ${describeDirect(root.reason, root.key)}`, depth: 1 })
      if (reason.rootCauses.length > ROOTS_SHOWN) lines.push({ text: `… ${reason.rootCauses.length - ROOTS_SHOWN} more root causes`, depth: 1 })
    } else {
      lines.push({ text: describeReason(reason), depth: 0 })
    }
  }
  return lines
}

/** Rows in display order: groups in order of first appearance, assets in the given (topological) order within a group. */
export function groupOrder<T extends { group: string }>(items: readonly T[]): T[] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const list = groups.get(item.group)
    if (list) list.push(item)
    else groups.set(item.group, [item])
  }
  return [...groups.values()].flat()
}

/** An error as one line for the status bar: the message, with the code of Strata errors. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const first = err.message.split('\n')[0] ?? err.message
    return typeof code === 'string' && code.startsWith('STRATA_') ? `${first} [${code}]` : first
  }
  return String(err)
}
