/**
 * The UI's model over a real workspace, through the engine API. It polls
 * storage about every 500 ms (storage-poller.ts) so runs of other processes
 * show up within a second, recomputes status only for assets whose state
 * changed (status-cache.ts), and runs materializations and backfills in this
 * process with live events (own-runs.ts), all on one warm worker pool: its
 * threads keep the imported definitions from one run to the next.
 */
import { hostname } from 'node:os'
import { cancelBackfill, createPoolExecutor, launchBackfill, materialize, type Executor, type ExecutorName, type Workspace } from '../../engine/index.js'
import { AutomationFeed } from './automation-feed.js'
import { BackfillTracker } from './backfill-tracker.js'
import { CheckCache } from './check-cache.js'
import { PollLoop } from './poll-loop.js'
import { SnapshotStore } from './snapshot-store.js'
import { graphDataOf, type GraphData } from './graph/graph-data.js'
import { errorText, filterKeys, type AssetDetail, type AutomationView, type BackfillRequest, type CancelTarget, type FilterResult, type MaterializeRequest, type PartitionInfo, type RunDetail, type StatusMessage, type UiModel, type UiSnapshot } from './model.js'
import { backfillReport, OwnRuns, runReport } from './own-runs.js'
import { RunTracker } from './run-tracker.js'
import { StatusCache } from './status-cache.js'
import { StoragePoller } from './storage-poller.js'

export interface WorkspaceModelOptions {
  /** Opens the workspace; on reload it gets the current one (see workspaceOpener: storage is kept). */
  open: (previous?: Workspace) => Promise<Workspace>
  title: string
  /** @defaultValue 'pool' */
  executor?: ExecutorName
  concurrency?: number
  /** @defaultValue 500 */
  pollMs?: number
  /** The instant automation conditions are evaluated at (tests pin it to the daemon's clock). @defaultValue Date.now */
  now?: () => number
}

/** With partitioned assets, status is recomputed in full now and then: time windows and dynamic partitions appear without runs. */
const FULL_REFRESH_MS = 60_000
const short = (id: string) => id.slice(0, 8)

export class WorkspaceModel extends SnapshotStore implements UiModel {
  private ws?: Workspace
  private status?: StatusCache
  private tracker = new RunTracker()
  private backfills = new BackfillTracker()
  private poller?: StoragePoller
  private readonly own: OwnRuns
  private running = new Set<string>()
  private loads = 0
  private readonly pollLoop: PollLoop
  private refreshTimer?: NodeJS.Timeout
  private refreshing?: Promise<void>
  private refreshAgain: 'no' | 'partial' | 'full' = 'no'
  private readonly pendingKeys = new Set<string>()
  private lastFullRefresh = 0
  private readonly metadata = new Map<string, { id?: number; metadata?: Record<string, unknown>; loading: boolean }>()
  private readonly checks = new CheckCache(
    () => this.scheduleEmit(),
    (key, err) => this.setMessage('error', `Reading the check results of ${key} failed: ${errorText(err)}`),
  )
  private automationFeed?: AutomationFeed
  private dirtyRows = true
  private hasPartitions = false
  /** Started by the first run and kept until close: later runs start their steps on threads that have the definitions. */
  private warmPool?: Executor

  constructor(private readonly opts: WorkspaceModelOptions) {
    super(opts.title)
    this.pollLoop = new PollLoop(() => this.pollTick(), opts.pollMs ?? 500)
    this.own = new OwnRuns({
      tracker: () => this.tracker,
      statusChanged: (keys) => {
        for (const k of keys) this.pendingKeys.add(k)
        this.scheduleRefreshSoon()
      },
      changed: (stepsChanged) => {
        if (stepsChanged) this.updateRunning()
        this.scheduleEmit()
      },
      message: (level, text) => this.setMessage(level, text),
    })
  }

  /** Loads the workspace and starts polling. Never throws: errors go to the status line. */
  async start(): Promise<void> {
    await this.load()
    this.pollLoop.start()
  }

  filter(text: string): FilterResult {
    if (!this.ws) return { ok: false, error: 'No definitions loaded.' }
    return filterKeys(text, this.ws.graph, this.ws.defs)
  }

  detail(key: string): AssetDetail | undefined {
    let d = this.status?.detail(key, this.running)
    if (!d || !this.ws) return d
    if (!d.metadata && d.materializedAt !== undefined) d = { ...d, metadata: this.metadataOf(key) }
    const declared = this.ws.defs.byKey.get(key)?.checks ?? []
    if (declared.length) d = { ...d, checks: { declared: declared.map((c) => c.name), results: this.checks.get(this.ws, key) } }
    const automation = this.automationFeed?.asset(key)
    if (automation) d = { ...d, automation }
    return d
  }

  automation(): AutomationView | undefined {
    return this.automationFeed?.get()
  }

  partition(key: string, partitionKey: string): PartitionInfo | undefined {
    return this.status?.partition(key, partitionKey)
  }

  private graphCache?: { ws: Workspace; data: GraphData }
  graphData(): GraphData | undefined {
    if (!this.ws) return undefined
    if (this.graphCache?.ws !== this.ws) this.graphCache = { ws: this.ws, data: graphDataOf(this.ws.graph, this.ws.defs) }
    return this.graphCache.data
  }

  runDetail(runId: string): RunDetail | undefined {
    const d = this.tracker.detail(runId)
    if (d?.loading && this.poller && this.tracker.needsEvents(runId)) {
      this.poller.loadHistory(runId).then(
        () => this.scheduleEmit(),
        (err) => this.setMessage('error', `Reading the events of run ${short(runId)} failed: ${errorText(err)}`),
      )
    }
    return d
  }

  ownActive(): number {
    return this.own.size
  }

  materialize(req: MaterializeRequest): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    const selection = req.downstream ? `${req.key}*` : req.key
    const parts = req.partitions ?? []
    const label = parts.length ? `${selection} [${parts.length === 1 ? parts[0] : `${parts[0]}…${parts[parts.length - 1]} (${parts.length})`}]` : selection
    this.setMessage('info', `Materializing ${label}…`)
    this.own.start(label, async (onEvent, signal) => {
      const r = await materialize(ws, { selection, partitions: parts.length ? { keys: [...parts] } : undefined, executor: this.runExecutor(), concurrency: this.opts.concurrency, onEvent, signal })
      this.report(runReport(r, `Nothing to do: ${label} is fresh.`))
    })
  }

  materializeStale(): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    this.setMessage('info', 'Materializing everything missing or stale…')
    this.own.start('--stale', async (onEvent, signal) => {
      const r = await materialize(ws, { stale: true, executor: this.runExecutor(), concurrency: this.opts.concurrency, onEvent, signal })
      this.report(runReport(r, 'Everything is fresh: nothing to materialize.'))
    })
  }

  backfill(req: BackfillRequest): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    const label = `${req.key} ${req.from}..${req.to}`
    this.setMessage('info', `Starting a backfill of ${label}…`)
    this.own.start(label, async (onEvent, signal, job) => {
      const r = await launchBackfill(ws, {
        selection: req.key,
        from: req.from,
        to: req.to,
        executor: this.runExecutor(),
        concurrency: this.opts.concurrency,
        onEvent,
        signal,
        onCreated: (b) => {
          job.backfillId = b.backfillId
          this.backfills.markOwn(b.backfillId)
          this.setMessage('info', `Backfill ${b.backfillId} started: ${label}.`)
          void this.pollLoop.now()
        },
      })
      this.report(backfillReport(r))
    })
  }

  /** Own runs: abort. Other processes on this host: SIGINT (a graceful cancel). Backfills: cancelBackfill. */
  cancel(target: CancelTarget): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    if (target.kind === 'backfill') {
      cancelBackfill(ws, target.backfillId).then(
        (b) => this.setMessage('warn', b.status === 'CANCELED' ? `Backfill ${b.backfillId} canceled.` : `Cancel requested: backfill ${b.backfillId} stops after its running steps.`),
        (err) => this.setMessage('error', errorText(err)),
      )
      return
    }
    const run = this.tracker.view(target.runId)
    if (!run) return this.setMessage('error', `No run ${short(target.runId)}.`)
    if (run.status !== 'RUNNING') return this.setMessage('warn', `Run ${short(run.runId)} already finished (${run.status}); nothing to cancel.`)
    const job = this.own.jobOfRun(run.runId)
    if (job) {
      job.abort.abort()
      return this.setMessage('warn', `Canceling run ${short(run.runId)}: running steps finish, nothing new starts.`)
    }
    if (run.host !== hostname()) return this.setMessage('error', `Run ${short(run.runId)} belongs to process ${run.pid} on ${run.host}, not this host: cancel it there.`)
    try {
      process.kill(run.pid, 'SIGINT')
      this.setMessage('warn', `Sent SIGINT to process ${run.pid}: run ${short(run.runId)} stops after its running steps.`)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      this.setMessage('error', code === 'ESRCH' ? `Process ${run.pid} of run ${short(run.runId)} is gone; the run will be marked failed.` : `Could not signal process ${run.pid}: ${errorText(err)}`)
    }
  }

  reload(): void {
    if (this.own.size > 0) return this.setMessage('warn', `${this.own.size} run(s) started here are still going; reload after they finish.`)
    this.setMessage('info', 'Reloading definitions…')
    void this.load()
  }

  async close(opts: { cancelRuns?: boolean } = {}): Promise<void> {
    this.closed = true
    this.stopEmitting()
    clearTimeout(this.refreshTimer)
    this.automationFeed?.close()
    if (opts.cancelRuns) this.own.abortAll()
    await this.own.waitAll()
    await this.warmPool?.close()
    this.warmPool = undefined
    await this.pollLoop.stop()
    await this.refreshing
    await this.ws?.close()
    this.ws = undefined
  }

  // --- loading, polling, status ------------------------------------------------

  private async load(): Promise<void> {
    this.loads++
    let ws: Workspace
    try {
      ws = await this.opts.open(this.ws)
    } catch (err) {
      this.snapshot = { ...this.snapshot, loading: false }
      return this.setMessage('error', `Could not load the definitions (fix them, then press R to reload): ${errorText(err)}`)
    }
    const old = this.ws
    const sharedStorage = old !== undefined && old.storage === ws.storage
    if (this.closed) return void (sharedStorage ? undefined : await ws.close())
    await this.pollLoop.idle()
    this.ws = ws
    this.status = new StatusCache(ws)
    this.tracker = new RunTracker()
    this.backfills = new BackfillTracker()
    this.poller = new StoragePoller(ws, this.tracker, this.backfills)
    this.metadata.clear()
    this.checks.clear()
    this.automationFeed?.close()
    this.automationFeed = new AutomationFeed(ws, {
      changed: () => this.scheduleEmit(),
      failed: (what, err) => this.setMessage('error', `Reading ${what} failed: ${errorText(err)}`),
      now: this.opts.now ?? Date.now,
    })
    this.hasPartitions = ws.defs.assets.some((a) => a.partitions !== undefined)
    this.generation++
    if (old && !sharedStorage) await old.close()
    try {
      await this.status.refresh()
      this.lastFullRefresh = Date.now()
      await this.poller.poll()
      this.updateRunning()
      if (this.loads > 1) this.setMessage('info', `Reloaded ${ws.defs.assets.length} asset(s).`)
    } catch (err) {
      this.setMessage('error', `Reading status failed: ${errorText(err)}`)
    }
    this.dirtyRows = true
    this.emitNow()
  }

  /** One poll of storage; run through pollLoop, which shares a tick in flight. */
  private pollTick(): Promise<void> {
    const poller = this.poller
    if (!poller || this.closed) return Promise.resolve()
    return poller
      .poll()
      .then(({ changedKeys, runsChanged, backfillsChanged }) => {
        for (const k of changedKeys) this.pendingKeys.add(k)
        if (runsChanged) this.updateRunning()
        if (this.hasPartitions && Date.now() - this.lastFullRefresh > FULL_REFRESH_MS) void this.refreshStatus(true)
        else if (this.pendingKeys.size > 0) void this.refreshStatus(false)
        if (runsChanged || backfillsChanged) this.scheduleEmit()
      })
      .catch((err) => this.setMessage('error', `Reading storage failed: ${errorText(err)}`))
      .then(() => this.automationFeed?.poll())
      .catch((err) => this.setMessage('error', `Reading the automation state failed: ${errorText(err)}`))
  }

  /** Recomputes status for pending keys (or all); one refresh at a time, requests in between are merged. */
  private refreshStatus(full: boolean): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = full || this.refreshAgain === 'full' ? 'full' : 'partial'
      return this.refreshing
    }
    const status = this.status
    if (!status) return Promise.resolve()
    const keys = full ? undefined : [...this.pendingKeys]
    this.pendingKeys.clear()
    if (full) this.lastFullRefresh = Date.now()
    this.refreshing = status
      .refresh(keys)
      .then((done) => {
        this.checks.invalidate(done)
        this.automationFeed?.invalidate(done)
        this.dirtyRows = true
        this.scheduleEmit()
      })
      .catch((err) => this.setMessage('error', `Computing status failed: ${errorText(err)}`))
      .finally(() => {
        this.refreshing = undefined
        const again = this.refreshAgain
        this.refreshAgain = 'no'
        if (again !== 'no' && !this.closed) void this.refreshStatus(again === 'full')
      })
    return this.refreshing
  }

  /** Own runs report finished steps as they happen: refresh shortly, batching bursts. */
  private scheduleRefreshSoon(): void {
    if (this.refreshTimer || this.closed) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      void this.refreshStatus(false)
    }, 50)
  }

  private updateRunning(): void {
    const next = this.tracker.runningAssets()
    if (next.size !== this.running.size || [...next].some((k) => !this.running.has(k))) {
      this.running = next
      this.dirtyRows = true
    }
  }

  /** Metadata the status index does not carry (partitioned assets without upstreams): read once per materialization. */
  private metadataOf(key: string): Record<string, unknown> | undefined {
    const ref = this.status?.latestRef(key)
    if (!ref || !this.ws) return undefined
    const cached = this.metadata.get(key)
    if (cached && cached.id === ref.id) return cached.loading ? undefined : cached.metadata
    this.metadata.set(key, { id: ref.id, loading: true })
    this.ws.storage.getLatest(key, ref.partitionKey).then(
      (m) => {
        this.metadata.set(key, { id: ref.id, metadata: m?.metadata ?? {}, loading: false })
        this.scheduleEmit()
      },
      () => this.metadata.delete(key),
    )
    return undefined
  }

  /** The pool all runs started here share (in-process runs need none). */
  private runExecutor(): Executor | ExecutorName {
    if (this.opts.executor === 'in-process') return 'in-process'
    return (this.warmPool ??= createPoolExecutor({ keepAlive: true, concurrency: this.opts.concurrency }))
  }

  private requireWorkspace(): Workspace | undefined {
    if (!this.ws) this.setMessage('error', 'No definitions are loaded: fix them and press R to reload.')
    return this.ws
  }

  // --- snapshots ---------------------------------------------------------------

  private report({ level, text }: { level: StatusMessage['level']; text: string }): void {
    this.setMessage(level, text)
  }

  protected buildSnapshot(): UiSnapshot {
    const rows = this.dirtyRows && this.status ? this.status.rows(this.running) : this.snapshot.rows
    this.dirtyRows = false
    return {
      title: this.opts.title,
      generation: this.generation,
      loading: !!this.ws && !this.status?.ready,
      rows,
      runs: this.tracker.views(),
      backfills: this.backfills.views(),
      message: this.message,
    }
  }
}
