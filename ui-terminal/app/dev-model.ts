/**
 * The UI's model under `strata dev`: it never imports the user's definitions.
 * The dev session loads them in disposable worker isolates; each good reload
 * reports its assets as plain data (`reload-ok` → `assets`: key, group,
 * upstream keys, code version, tags), from which this model builds a shadow
 * graph (engine AssetGraph over plain records: lineage, topological order and
 * the selection syntax work as in `strata ui`). Status comes from the
 * session's `stale` events (computed by the engine's status index in the
 * isolate), refined live by the auto run's step events; runs, their steps and
 * logs and materialization times come from storage, polled like `strata ui`.
 *
 * Runs are started by the session (`--auto`), not from the UI: m/M/s/b answer
 * with a hint, R asks the session to reload.
 */
import { hostname } from 'node:os'
import type { Definitions } from '../../assets/types.js'
import { AssetGraph, openStorage, type DevAsset, type DevEvent as SessionEvent, type LatestMaterialization, type Storage, type Workspace } from '../../engine/index.js'
import { BackfillTracker } from './backfill-tracker.js'
import { graphDataOf, type GraphData } from './graph/graph-data.js'
import { PollLoop } from './poll-loop.js'
import { SnapshotStore } from './snapshot-store.js'
import { errorText, filterKeys, groupOrder, type AssetDetail, type AssetRow, type FilterResult, type LineageEntry, type RowStatus, type UiModel, type UiSnapshot } from './model.js'
import { RunTracker } from './run-tracker.js'
import { StoragePoller } from './storage-poller.js'

export interface DevModelOptions {
  home: string
  title: string
  /** Asks the session to reload (R). */
  reload?: () => void
  /** @defaultValue 500 */
  pollMs?: number
  /** Storage to read instead of opening `home` (tests). */
  storage?: Storage
  /** Storage URL to open instead of the home's SQLite database. */
  storageUrl?: string
}

const RUNS_HINT = 'strata dev runs what is stale itself with --auto; to run by hand use strata materialize in another terminal.'

/** Plain asset records dressed as Definitions, enough for AssetGraph and resolveSelection (no compute, nothing imported). */
function shadowDefinitions(assets: readonly DevAsset[]): Definitions {
  const records = assets.map((a) => ({ key: a.key, upstreamKeys: a.upstream, group: a.group, tags: a.tags, description: a.description, codeVersion: a.codeVersion, codeVersionSource: a.codeVersionSource }))
  return { __strataDefinitions: true, assets: records, byKey: new Map(records.map((r) => [r.key, r])), pools: {}, resources: {} } as unknown as Definitions
}

export class DevModel extends SnapshotStore implements UiModel {
  private assets: DevAsset[] = []
  private byKey = new Map<string, DevAsset>()
  private defs?: Definitions
  private graph?: AssetGraph
  private order: string[] = []
  /** Not fresh, from the last `stale` event. */
  private stale = new Map<string, { status: 'STALE' | 'MISSING'; reason: string }>()
  /** Steps of the auto run, from its events (faster than polling storage). */
  private liveRunning = new Set<string>()
  private failed = new Set<string>()
  private latest = new Map<string, LatestMaterialization>()
  private loaded = false
  private storage?: Storage
  private ownStorage = false
  private tracker = new RunTracker()
  private backfills = new BackfillTracker()
  private poller?: StoragePoller
  private readonly pollLoop: PollLoop
  private readingLatest?: Promise<void>
  private latestAgain = false

  constructor(private readonly opts: DevModelOptions) {
    super(opts.title)
    this.pollLoop = new PollLoop(() => this.pollTick(), opts.pollMs ?? 500)
  }

  /** Opens storage and starts polling. Never throws: errors go to the status line. */
  async start(): Promise<void> {
    try {
      this.storage = this.opts.storage ?? (await openStorage(this.opts.home, { url: this.opts.storageUrl }))
      this.ownStorage = !this.opts.storage
      this.poller = new StoragePoller({ storage: this.storage } as Workspace, this.tracker, this.backfills)
      await this.pollLoop.now()
      void this.readLatest()
    } catch (err) {
      this.setMessage('error', `Opening storage failed: ${errorText(err)}`)
    }
    this.pollLoop.start()
  }

  /** Feeds one event of the dev session. */
  ingest(e: SessionEvent): void {
    switch (e.type) {
      case 'reload-ok': {
        this.assets = e.assets ?? []
        this.byKey = new Map(this.assets.map((a) => [a.key, a]))
        this.defs = shadowDefinitions(this.assets)
        try {
          this.graph = AssetGraph.fromDefinitions(this.defs)
        } catch (err) {
          this.graph = undefined
          this.setMessage('error', errorText(err))
        }
        this.order = groupOrder(this.assets).map((a) => a.key)
        this.loaded = true
        this.generation++
        // A good reload replaces what the status line said about the last one (a reload error, "Reloading…").
        if (e.reload > 1) this.setMessage('info', `Reloaded ${this.assets.length} asset(s).`)
        void this.readLatest()
        break
      }
      case 'reload-error':
        this.loaded = true
        this.setMessage('error', `Reload failed${e.location ? ` at ${e.location.file}:${e.location.line}` : ''}: ${e.message.split('\n')[0]} — ${e.inEffect === null ? 'nothing loaded yet' : 'keeping the last good definitions'}.`)
        break
      case 'stale':
        this.stale = new Map(e.assets.map((a) => [a.key, { status: a.status === 'MISSING' ? 'MISSING' : 'STALE', reason: a.reason }]))
        if (e.after === 'run') this.liveRunning.clear()
        void this.readLatest()
        break
      case 'run-start':
        this.failed.clear()
        this.liveRunning.clear()
        this.setMessage('info', `Materializing ${e.keys.length} missing/stale asset(s)…`)
        break
      case 'run-event': {
        const r = e.event
        if (r.type === 'step-start') this.liveRunning.add(r.step.assetKey)
        else if (r.type === 'step-end') {
          this.liveRunning.delete(r.step.assetKey)
          if (r.result.status === 'FAILURE') this.failed.add(r.step.assetKey)
          else if (r.result.status === 'SUCCESS' && !this.byKey.get(r.step.assetKey)?.partitions) this.stale.delete(r.step.assetKey)
          void this.pollLoop.now()
          void this.readLatest()
        } else return
        break
      }
      case 'run-end':
        this.liveRunning.clear()
        this.setMessage(e.status === 'SUCCESS' || e.runId === null ? 'info' : 'warn', e.runId === null ? 'Nothing to materialize.' : `Run ${e.runId.slice(0, 8)} ${e.status === 'SUCCESS' ? 'succeeded' : e.status === 'CANCELED' ? 'was canceled' : 'failed'}.`)
        void this.pollLoop.now()
        break
      default:
        return
    }
    this.scheduleEmit()
  }

  filter(text: string): FilterResult {
    if (!this.graph || !this.defs) return { ok: false, error: 'No definitions loaded.' }
    return filterKeys(text, this.graph, this.defs)
  }

  detail(key: string): AssetDetail | undefined {
    const a = this.byKey.get(key)
    if (!a) return undefined
    const latest = this.latest.get(key)
    const entry = (k: string): LineageEntry => ({ key: k, status: this.rowStatus(k) })
    const s = this.stale.get(key)
    return {
      key,
      group: a.group,
      description: a.description,
      tags: a.tags,
      codeVersion: a.codeVersion,
      codeVersionSource: a.codeVersionSource,
      status: this.rowStatus(key),
      dataVersion: latest?.dataVersion,
      materializedAt: latest?.endedAt,
      runId: latest?.runId,
      metadata: latest?.metadata,
      reasons: s ? [{ text: s.reason, depth: 0 }] : [],
      upstream: this.graph?.has(key) ? this.graph.upstream(key).map(entry) : [],
      downstream: this.graph?.has(key) ? this.graph.downstream(key).map(entry) : [],
      consumed: (latest?.consumed ?? []).map((c) => ({ key: c.upstreamAssetKey, partitionKey: c.upstreamPartitionKey, dataVersion: c.upstreamDataVersion })),
    }
  }

  partition(): undefined {
    return undefined
  }

  private graphCache?: { graph: AssetGraph; data: GraphData }
  graphData(): GraphData | undefined {
    if (!this.graph || !this.defs) return undefined
    if (this.graphCache?.graph !== this.graph) this.graphCache = { graph: this.graph, data: graphDataOf(this.graph, this.defs) }
    return this.graphCache.data
  }

  runDetail(runId: string) {
    const d = this.tracker.detail(runId)
    if (d?.loading && this.poller && this.tracker.needsEvents(runId)) {
      this.poller.loadHistory(runId).then(
        () => this.scheduleEmit(),
        (err) => this.setMessage('error', `Reading the events of run ${runId.slice(0, 8)} failed: ${errorText(err)}`),
      )
    }
    return d
  }

  materialize(): void {
    this.setMessage('warn', RUNS_HINT)
  }

  materializeStale(): void {
    this.setMessage('warn', RUNS_HINT)
  }

  backfill(): void {
    this.setMessage('warn', RUNS_HINT)
  }

  cancel(target: Parameters<UiModel['cancel']>[0]): void {
    if (target.kind === 'backfill') return this.setMessage('warn', `Cancel backfills with strata backfill --cancel ${target.backfillId}.`)
    const run = this.tracker.view(target.runId)
    if (!run) return this.setMessage('error', `No run ${target.runId.slice(0, 8)}.`)
    if (run.status !== 'RUNNING') return this.setMessage('warn', `Run ${run.runId.slice(0, 8)} already finished (${run.status}); nothing to cancel.`)
    if (run.pid === process.pid) return this.setMessage('warn', 'This is the dev session’s own run: save a change to re-plan it, or quit with q.')
    if (run.host !== hostname()) return this.setMessage('error', `Run ${run.runId.slice(0, 8)} belongs to process ${run.pid} on ${run.host}, not this host: cancel it there.`)
    try {
      process.kill(run.pid, 'SIGINT')
      this.setMessage('warn', `Sent SIGINT to process ${run.pid}: run ${run.runId.slice(0, 8)} stops after its running steps.`)
    } catch (err) {
      this.setMessage('error', `Could not signal process ${run.pid}: ${errorText(err)}`)
    }
  }

  reload(): void {
    if (!this.opts.reload) return
    this.setMessage('info', 'Reloading definitions…')
    this.opts.reload()
  }

  ownActive(): number {
    return 0
  }

  async close(): Promise<void> {
    this.closed = true
    this.stopEmitting()
    await this.pollLoop.stop()
    await this.readingLatest
    if (this.ownStorage) await this.storage?.close()
    this.storage = undefined
  }

  // ---------------------------------------------------------------------------

  private rowStatus(key: string): RowStatus {
    if (this.liveRunning.has(key) || this.pollRunning.has(key)) return 'RUNNING'
    if (this.failed.has(key)) return 'FAILED'
    return this.stale.get(key)?.status ?? 'FRESH'
  }

  private pollRunning: ReadonlySet<string> = new Set()

  private pollTick(): Promise<void> {
    const poller = this.poller
    if (!poller || this.closed) return Promise.resolve()
    return poller
      .poll()
      .then(({ changedKeys, runsChanged, backfillsChanged }) => {
        if (runsChanged) this.pollRunning = this.tracker.runningAssets()
        if (changedKeys.size > 0) void this.readLatest()
        if (runsChanged || backfillsChanged) this.scheduleEmit()
      })
      .catch((err) => this.setMessage('error', `Reading storage failed: ${errorText(err)}`))
  }

  /** The latest materialization of every asset (newest partition's for partitioned ones): times, data versions, lineage. */
  private readLatest(): Promise<void> {
    if (this.readingLatest) {
      this.latestAgain = true
      return this.readingLatest
    }
    const storage = this.storage
    if (!storage || this.closed || this.order.length === 0) return Promise.resolve()
    this.readingLatest = storage
      .getLatestMany(this.order)
      .then((all) => {
        const next = new Map<string, LatestMaterialization>()
        for (const m of all) {
          const prev = next.get(m.assetKey)
          if (!prev || m.endedAt > prev.endedAt) next.set(m.assetKey, m)
        }
        this.latest = next
        this.scheduleEmit()
      })
      .catch((err) => this.setMessage('error', `Reading materializations failed: ${errorText(err)}`))
      .finally(() => {
        this.readingLatest = undefined
        if (this.latestAgain && !this.closed) {
          this.latestAgain = false
          void this.readLatest()
        }
      })
    return this.readingLatest
  }

  protected buildSnapshot(): UiSnapshot {
    const rows: AssetRow[] = this.order.map((key) => ({ key, group: this.byKey.get(key)!.group, status: this.rowStatus(key), materializedAt: this.latest.get(key)?.endedAt }))
    return {
      title: this.opts.title,
      generation: this.generation,
      loading: !this.loaded,
      rows,
      runs: this.tracker.views(),
      backfills: this.backfills.views(),
      message: this.message,
    }
  }
}
