/**
 * The UI's model over a real workspace, through the engine API only. It polls
 * storage about every 500 ms (runs, their new events by `afterId`, backfills)
 * so runs of other processes show up within a second, recomputes status only
 * for assets whose state changed, and runs materializations and backfills in
 * this process with live events from `onEvent`.
 */
import { hostname } from 'node:os'
import { cancelBackfill, launchBackfill, materialize, type ExecutorName, type MaterializeResult, type RunEvent, type Workspace } from '../../engine/index.js'
import { BackfillTracker } from './backfill-tracker.js'
import { errorText, filterKeys, type AssetDetail, type BackfillRequest, type CancelTarget, type FilterResult, type MaterializeRequest, type PartitionInfo, type RunDetail, type StatusMessage, type UiModel, type UiSnapshot } from './model.js'
import { assetOfStep, RunTracker } from './run-tracker.js'
import { StatusCache } from './status-cache.js'

export interface WorkspaceModelOptions {
  /** Opens the workspace; on reload it gets the current one (see workspaceOpener: storage is kept). */
  open: (previous?: Workspace) => Promise<Workspace>
  title: string
  /** @defaultValue 'pool' */
  executor?: ExecutorName
  concurrency?: number
  /** @defaultValue 500 */
  pollMs?: number
}

interface Job {
  label: string
  abort: AbortController
  runIds: Set<string>
  backfillId?: string
  done?: Promise<void>
}

const RUNS_LISTED = 50
const ORPHAN_CHECK_MS = 5000
const FULL_REFRESH_MS = 60_000
const short = (id: string) => id.slice(0, 8)

/** Same test as the engine's: a run of a process on this host that is gone is orphaned. */
function isOwnerAlive(pid: number, host: string): boolean {
  if (host !== hostname() || pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class WorkspaceModel implements UiModel {
  private ws?: Workspace
  private status?: StatusCache
  private tracker = new RunTracker()
  private backfills = new BackfillTracker()
  private readonly listeners = new Set<() => void>()
  private snapshot: UiSnapshot
  private readonly jobs = new Set<Job>()
  private running = new Set<string>()
  private message?: StatusMessage
  private generation = 0
  private loads = 0
  private pollTimer?: NodeJS.Timeout
  private emitTimer?: NodeJS.Timeout
  private refreshTimer?: NodeJS.Timeout
  private closed = false
  private polling?: Promise<void>
  private readonly pendingKeys = new Set<string>()
  private refreshing?: Promise<void>
  private refreshAgain: 'no' | 'partial' | 'full' = 'no'
  private runsSignature = ''
  private readonly followed = new Set<string>()
  private firstRunsPoll = true
  private lastOrphanCheck = Date.now()
  private lastFullRefresh = 0
  private readonly metadata = new Map<string, { id?: number; metadata?: Record<string, unknown>; loading: boolean }>()
  private dirtyRows = true
  private readonly pollMs: number

  constructor(private readonly opts: WorkspaceModelOptions) {
    this.pollMs = opts.pollMs ?? 500
    this.snapshot = { title: opts.title, generation: 0, loading: true, rows: [], runs: [], backfills: [] }
  }

  /** Loads the workspace and starts polling. Never throws: errors go to the status line. */
  async start(): Promise<void> {
    await this.load()
    this.schedulePoll()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): UiSnapshot => this.snapshot

  filter(text: string): FilterResult {
    if (!this.ws) return { ok: false, error: 'No definitions loaded.' }
    return filterKeys(text, this.ws.graph, this.ws.defs)
  }

  detail(key: string): AssetDetail | undefined {
    const d = this.status?.detail(key, this.running)
    if (!d || d.metadata || d.materializedAt === undefined) return d
    return { ...d, metadata: this.metadataOf(key) }
  }

  partition(key: string, partitionKey: string): PartitionInfo | undefined {
    return this.status?.partition(key, partitionKey)
  }

  runDetail(runId: string): RunDetail | undefined {
    const d = this.tracker.detail(runId)
    if (d?.loading && this.ws && !this.tracker.isOwn(runId) && this.tracker.needsEvents(runId)) void this.loadHistory(runId)
    return d
  }

  ownActive(): number {
    return this.jobs.size
  }

  materialize(req: MaterializeRequest): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    const selection = req.downstream ? `${req.key}*` : req.key
    const parts = req.partitions ?? []
    const label = parts.length ? `${selection} [${parts.length === 1 ? parts[0] : `${parts[0]}…${parts[parts.length - 1]} (${parts.length})`}]` : selection
    this.setMessage('info', `Materializing ${label}…`)
    this.startJob(label, (onEvent, signal) =>
      materialize(ws, { selection, partitions: parts.length ? { keys: [...parts] } : undefined, executor: this.opts.executor, concurrency: this.opts.concurrency, onEvent, signal }).then((r) => this.reportRun(r, `Nothing to do: ${label} is fresh.`)),
    )
  }

  materializeStale(): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    this.setMessage('info', 'Materializing everything missing or stale…')
    this.startJob('--stale', (onEvent, signal) =>
      materialize(ws, { stale: true, executor: this.opts.executor, concurrency: this.opts.concurrency, onEvent, signal }).then((r) => this.reportRun(r, 'Everything is fresh: nothing to materialize.')),
    )
  }

  backfill(req: BackfillRequest): void {
    const ws = this.requireWorkspace()
    if (!ws) return
    const label = `${req.key} ${req.from}..${req.to}`
    this.setMessage('info', `Starting a backfill of ${label}…`)
    this.startJob(label, async (onEvent, signal, job) => {
      const r = await launchBackfill(ws, {
        selection: req.key,
        from: req.from,
        to: req.to,
        executor: this.opts.executor,
        concurrency: this.opts.concurrency,
        onEvent,
        signal,
        onCreated: (b) => {
          job.backfillId = b.backfillId
          this.backfills.markOwn(b.backfillId)
          this.setMessage('info', `Backfill ${b.backfillId} started: ${label}.`)
          void this.poll()
        },
      })
      const c = r.counts
      const text = `Backfill ${r.backfill.backfillId} ${r.backfill.status.toLowerCase().replace('_', ' ')}: ${c.SUCCESS} done, ${c.UP_TO_DATE} up to date, ${c.FAILED} failed, ${c.SKIPPED} skipped, ${c.PENDING + c.IN_PROGRESS} remaining.`
      this.setMessage(r.backfill.status === 'COMPLETED_SUCCESS' ? 'info' : r.backfill.status === 'CANCELED' ? 'warn' : 'error', text)
    })
  }

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
    const job = [...this.jobs].find((j) => j.runIds.has(run.runId))
    if (job) {
      job.abort.abort()
      return this.setMessage('warn', `Canceling run ${short(run.runId)}: running steps finish, nothing new starts.`)
    }
    if (run.host !== hostname()) {
      return this.setMessage('error', `Run ${short(run.runId)} belongs to process ${run.pid} on ${run.host}, not this host: cancel it there.`)
    }
    try {
      process.kill(run.pid, 'SIGINT')
      this.setMessage('warn', `Sent SIGINT to process ${run.pid}: run ${short(run.runId)} stops after its running steps.`)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      this.setMessage('error', code === 'ESRCH' ? `Process ${run.pid} of run ${short(run.runId)} is gone; the run will be marked failed.` : `Could not signal process ${run.pid}: ${errorText(err)}`)
    }
  }

  reload(): void {
    if (this.jobs.size > 0) {
      this.setMessage('warn', `${this.jobs.size} run(s) started here are still going; reload after they finish.`)
      return
    }
    this.setMessage('info', 'Reloading definitions…')
    void this.load()
  }

  async close(opts: { cancelRuns?: boolean } = {}): Promise<void> {
    this.closed = true
    clearTimeout(this.pollTimer)
    clearTimeout(this.emitTimer)
    clearTimeout(this.refreshTimer)
    if (opts.cancelRuns) for (const job of this.jobs) job.abort.abort()
    await Promise.all([...this.jobs].map((j) => j.done))
    await this.polling
    await this.refreshing
    await this.ws?.close()
    this.ws = undefined
  }

  // --- loading and polling ---------------------------------------------------

  private async load(): Promise<void> {
    this.loads++
    let ws: Workspace
    try {
      ws = await this.opts.open(this.ws)
    } catch (err) {
      this.snapshot = { ...this.snapshot, loading: false }
      this.setMessage('error', `Could not load the definitions (fix them, then press R to reload): ${errorText(err)}`)
      return
    }
    const old = this.ws
    const sharedStorage = old !== undefined && old.storage === ws.storage
    if (this.closed) return void (sharedStorage ? undefined : await ws.close())
    await this.polling
    this.ws = ws
    this.status = new StatusCache(ws)
    this.tracker = new RunTracker()
    this.backfills = new BackfillTracker()
    this.runsSignature = ''
    this.followed.clear()
    this.firstRunsPoll = true
    this.metadata.clear()
    this.generation++
    if (old && !sharedStorage) await old.close()
    try {
      await this.status.refresh()
      this.lastFullRefresh = Date.now()
      await this.pollStorage(ws)
      if (this.loads > 1) this.setMessage('info', `Reloaded ${ws.defs.assets.length} asset(s).`)
    } catch (err) {
      this.setMessage('error', `Reading status failed: ${errorText(err)}`)
    }
    this.dirtyRows = true
    this.emitNow()
  }

  private schedulePoll(): void {
    if (this.closed) return
    this.pollTimer = setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll())
    }, this.pollMs)
    this.pollTimer.unref()
  }

  /** One poll; concurrent calls share it. */
  private poll(): Promise<void> {
    const ws = this.ws
    if (!ws || this.closed) return Promise.resolve()
    this.polling ??= this.pollStorage(ws)
      .catch((err) => this.setMessage('error', `Reading storage failed: ${errorText(err)}`))
      .finally(() => (this.polling = undefined))
    return this.polling
  }

  private async pollStorage(ws: Workspace): Promise<void> {
    const now = Date.now()
    if (now - this.lastOrphanCheck > ORPHAN_CHECK_MS) {
      this.lastOrphanCheck = now
      await ws.storage.failOrphanedRuns(isOwnerAlive, now)
      await ws.storage.interruptOrphanedBackfills(isOwnerAlive, now)
    }
    const runs = await ws.storage.listRuns({ limit: RUNS_LISTED })
    const signature = runs.map((r) => `${r.runId}:${r.status}:${r.stepKeys.length}`).join('|')
    let runsChanged = false
    if (signature !== this.runsSignature) {
      this.runsSignature = signature
      runsChanged = true
      for (const r of runs) {
        if (this.tracker.upsertRecord(r) && !this.firstRunsPoll && r.status !== 'RUNNING' && !this.tracker.isOwn(r.runId)) {
          // Finished (or ran entirely) since the last poll: what its steps touched changed.
          for (const id of r.stepKeys) this.pendingKeys.add(assetOfStep(id))
        }
      }
      this.tracker.retain(new Set(runs.map((r) => r.runId)))
    }
    this.firstRunsPoll = false
    // New events of runs other processes are driving, and the last ones of runs that just ended.
    for (const r of runs) {
      if (this.tracker.isOwn(r.runId) || !(r.status === 'RUNNING' || this.followed.has(r.runId))) continue
      const events = await ws.storage.getEvents(r.runId, { afterId: this.tracker.lastEventId(r.runId) })
      if (r.status === 'RUNNING') this.followed.add(r.runId)
      else this.followed.delete(r.runId)
      if (events.length === 0 && this.tracker.lastEventId(r.runId) > 0) continue
      for (const key of this.tracker.ingestEvents(r.runId, events)) this.pendingKeys.add(key)
      runsChanged = true
    }
    const backfillsChanged = await this.backfills.poll(ws.storage, now)
    if (runsChanged) this.updateRunning()
    if (now - this.lastFullRefresh > FULL_REFRESH_MS) {
      this.lastFullRefresh = now
      void this.refreshStatus(true)
    } else if (this.pendingKeys.size > 0) {
      void this.refreshStatus(false)
    }
    if (runsChanged || backfillsChanged) this.scheduleEmit()
  }

  private async loadHistory(runId: string): Promise<void> {
    const ws = this.ws!
    this.tracker.markLoading(runId, true)
    try {
      const events = await ws.storage.getEvents(runId, { limit: 50_000 })
      this.tracker.ingestEvents(runId, events)
    } catch (err) {
      this.setMessage('error', `Reading the events of run ${short(runId)} failed: ${errorText(err)}`)
    } finally {
      this.tracker.markLoading(runId, false)
      this.scheduleEmit()
    }
  }

  /** Recomputes status for pending keys (or all); one refresh at a time, requests in between are merged. */
  private refreshStatus(full: boolean): Promise<void> {
    if (this.refreshing) {
      if (full || this.refreshAgain === 'full') this.refreshAgain = 'full'
      else this.refreshAgain = 'partial'
      return this.refreshing
    }
    const status = this.status
    if (!status) return Promise.resolve()
    const keys = full ? undefined : [...this.pendingKeys]
    this.pendingKeys.clear()
    this.refreshing = status
      .refresh(keys)
      .then(() => {
        if (full) this.lastFullRefresh = Date.now()
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

  private metadataOf(key: string): Record<string, unknown> | undefined {
    const ref = this.status?.latestRef(key)
    if (!ref || !this.ws) return undefined
    const cached = this.metadata.get(key)
    if (cached && cached.id === ref.id) return cached.metadata
    if (cached?.loading) return undefined
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

  // --- runs started here -----------------------------------------------------

  private startJob(label: string, body: (onEvent: (e: RunEvent) => void, signal: AbortSignal, job: Job) => Promise<void>): void {
    const job: Job = { label, abort: new AbortController(), runIds: new Set() }
    let runId: string | undefined
    const onEvent = (e: RunEvent) => {
      if (e.type === 'run-start') {
        runId = e.runId
        job.runIds.add(e.runId)
      }
      if (!runId) return
      const changed = this.tracker.live(runId, e, { selection: label, pid: process.pid, host: hostname(), backfillId: job.backfillId })
      if (changed && e.type === 'step-end') {
        this.pendingKeys.add(changed)
        this.scheduleRefreshSoon()
      }
      if (e.type === 'run-end') {
        for (const s of e.result.steps) this.pendingKeys.add(s.key)
        this.scheduleRefreshSoon()
      }
      if (e.type !== 'step-log') this.updateRunning()
      this.scheduleEmit()
    }
    this.jobs.add(job)
    job.done = body(onEvent, job.abort.signal, job)
      .catch((err) => this.setMessage('error', errorText(err)))
      .finally(() => {
        this.jobs.delete(job)
        this.scheduleEmit()
      })
  }

  private reportRun(r: MaterializeResult, nothingToDo: string): void {
    if (r.runId === null) return this.setMessage('info', nothingToDo)
    const count = (f: (s: MaterializeResult['steps'][number]) => boolean) => r.steps.filter(f).length
    const ok = count((s) => s.status === 'SUCCESS')
    const upToDate = count((s) => s.skipReason === 'UP_TO_DATE')
    const failed = r.steps.filter((s) => s.status === 'FAILURE')
    const secs = `${(r.durationMs / 1000).toFixed(1)} s`
    if (r.status === 'SUCCESS') {
      this.setMessage('info', `Run ${short(r.runId)} succeeded in ${secs}: ${ok} materialized${upToDate ? `, ${upToDate} already up to date` : ''}.`)
    } else if (r.status === 'CANCELED') {
      this.setMessage('warn', `Run ${short(r.runId)} canceled after ${secs}: ${ok} materialized.`)
    } else {
      const first = failed[0]
      this.setMessage('error', `Run ${short(r.runId)} failed: ${failed.length} step(s) failed${first ? ` (${first.id}: ${first.error?.message ?? 'error'})` : ''}. Press r for its logs.`)
    }
  }

  private requireWorkspace(): Workspace | undefined {
    if (!this.ws) this.setMessage('error', 'No definitions are loaded: fix them and press R to reload.')
    return this.ws
  }

  // --- snapshots ---------------------------------------------------------------

  private setMessage(level: StatusMessage['level'], text: string): void {
    this.message = { level, text, at: Date.now() }
    this.scheduleEmit()
  }

  private scheduleEmit(): void {
    if (this.emitTimer || this.closed) return
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined
      this.emitNow()
    }, 25)
  }

  private emitNow(): void {
    const rows = this.dirtyRows && this.status ? this.status.rows(this.running) : this.snapshot.rows
    this.dirtyRows = false
    this.snapshot = {
      title: this.opts.title,
      generation: this.generation,
      loading: !!this.ws && !this.status?.ready,
      rows,
      runs: this.tracker.views(),
      backfills: this.backfills.views(),
      message: this.message,
    }
    for (const l of this.listeners) l()
  }
}
