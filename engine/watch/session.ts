import { resolveDefsPath } from '../definitions/load.js'
import { createPoolExecutor } from '../executors/pool.js'
import { resolveHome } from '../home.js'
import { createDebouncer, DEFAULT_DEBOUNCE_MS } from './debounce.js'
import { diffDefinitions, type DefinitionsSnapshot } from './diff.js'
import { locateLoadError } from './error-location.js'
import { scanImportGraph } from './import-graph.js'
import { IsolateError, startIsolate, type Isolate } from './isolate.js'
import type { StaleReport } from './protocol.js'
import type { DevEvent, DevSession, DevSessionOptions, ReloadReason } from './types.js'
import { createFileWatcher } from './watcher.js'

export { DEFAULT_DEBOUNCE_MS }

type Emit = (event: DevEvent) => void
/** Distributes over the union, so each event type keeps its own fields. */
type Unstamped<E> = E extends DevEvent ? Omit<E, 'ts'> : never

interface Wanted {
  reason: ReloadReason
  changed: Set<string>
  /** `reload()` calls waiting for this reload to be reported. */
  waiters: Array<() => void>
}

/** The auto run in progress, in the isolate that loaded its definitions. */
interface ActiveRun {
  isolate: Isolate
  reload: number
  done: Promise<void>
  cancelRequested: boolean
}

/**
 * Watch mode: watches the definitions file and the local modules it imports,
 * reloads them in a disposable worker after each save (debounced), reports
 * what changed and what became stale, and with `auto` re-materializes the
 * stale assets in that same worker. A newer good reload cancels a running
 * auto run (running steps finish, the run ends CANCELED) and plans again with
 * the new definitions. A load that fails is reported and changes nothing.
 *
 * Reloads run one at a time, in order; the main thread never imports the
 * definitions, so the session's memory does not grow with the number of reloads.
 *
 * With `auto`, the session keeps one warm worker pool for all its runs: the
 * isolates send it their steps, and its threads keep the definitions they
 * imported until the files change (then new threads import them).
 *
 * A run's orchestration uses exactly the definitions its reload reported, but
 * the pool's threads import the files themselves (as for `strata
 * materialize`): a save that lands in between can make a step run the newer
 * code. Each materialization records the code version that actually
 * ran, and that save's reload cancels the run and plans again from what is stored.
 */
export async function startDevSession(opts: DevSessionOptions = {}): Promise<DevSession> {
  const defsPath = resolveDefsPath(opts.defsPath, opts.cwd)
  const home = resolveHome(defsPath, opts.home)
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS
  const emit: Emit = (event) => {
    try {
      opts.onEvent?.(event)
    } catch {}
  }
  const stamp = (e: Unstamped<DevEvent>) => emit({ ...e, ts: Date.now() } as DevEvent)

  let closed = false
  let reloads = 0
  /** The last good definitions (plain data) and the reload that loaded them. */
  let good: (DefinitionsSnapshot & { reload: number }) | undefined
  let wanted: Wanted | undefined
  /** Whether `drain()` is going; cleared synchronously when it ends, so a `want()` right after is never lost. */
  let draining = false
  let loop: Promise<void> = Promise.resolve()
  /** The isolate whose load is in flight: killed when a newer change supersedes it. */
  let loading: Isolate | undefined
  let active: ActiveRun | undefined
  /**
   * An isolate started ahead of time, with the engine already imported but
   * no definitions: the next reload takes it and only imports the user's
   * modules (a reload then takes tens of milliseconds, not hundreds).
   */
  let spare: Isolate | undefined
  let projectFiles = new Set<string>([defsPath])
  /** Outlives the isolates: a run's steps start on threads that already have the definitions. */
  const pool = opts.auto ? createPoolExecutor({ keepAlive: true, concurrency: opts.concurrency }) : undefined

  const watcher = createFileWatcher((file) => debouncer.push(file))
  const debouncer = createDebouncer<string>(debounceMs, (files) => want('change', files))

  function rescan(): void {
    const graph = scanImportGraph(defsPath, { ignoreDirs: [home] })
    projectFiles = new Set(graph.files)
    const { added, removed } = watcher.setFiles([...graph.files, ...graph.missing])
    if (added.length || removed.length) stamp({ type: 'watching', files: watcher.files(), added, removed })
  }

  function takeIsolate(): Isolate {
    const isolate = spare?.usable ? spare : startIsolate({ defsPath, home, prepareRun: opts.auto }, opts.output, pool)
    if (spare && spare !== isolate) void spare.kill()
    spare = undefined
    return isolate
  }

  /** Warms the next spare once nothing else is going: warming competes for CPU with a load or a run. */
  function warmSpare(): void {
    if (!closed && !spare && !draining && !active) spare = startIsolate({ defsPath, home, prepareRun: opts.auto }, opts.output, pool)
  }

  function want(reason: ReloadReason, changed: readonly string[], waiter?: () => void): void {
    if (closed) {
      waiter?.()
      return
    }
    wanted ??= { reason, changed: new Set(), waiters: [] }
    if (reason !== 'change') wanted.reason = reason
    for (const f of changed) wanted.changed.add(f)
    if (waiter) wanted.waiters.push(waiter)
    // A load still in flight is for older files: drop it and load again.
    void loading?.kill()
    if (!draining) {
      draining = true
      loop = drain()
    }
  }

  async function drain(): Promise<void> {
    try {
      while (wanted && !closed) {
        const next = wanted
        wanted = undefined
        let superseded = false
        try {
          superseded = await reloadOnce(next)
        } catch (err) {
          stamp({ type: 'error', message: `Reload failed unexpectedly: ${(err as Error).stack ?? err}` })
        }
        // The newer reload answers these callers.
        if (superseded && wanted && !closed) (wanted as Wanted).waiters.push(...next.waiters)
        else for (const w of next.waiters) w()
      }
      if (wanted) for (const w of (wanted as Wanted).waiters) w()
    } finally {
      draining = false
      warmSpare()
    }
  }

  /** Returns true when a newer change superseded this load. */
  async function reloadOnce(req: Wanted): Promise<boolean> {
    const reload = ++reloads
    stamp({ type: 'reload-start', reload, reason: req.reason, changed: [...req.changed].sort() })
    const started = Date.now()
    // Before loading: a file imported for the first time is watched even if it does not load.
    rescan()
    const isolate = takeIsolate()
    loading = isolate
    let snapshot: Awaited<ReturnType<Isolate['load']>>
    try {
      snapshot = await isolate.load()
    } catch (err) {
      const superseded = isolate.disposed
      await isolate.kill()
      if (superseded) return true
      const e = err as IsolateError
      const { message, location } = locateLoadError(e.message, e.workerStack, projectFiles)
      stamp({ type: 'reload-error', reload, message, code: e.code, location, durationMs: Date.now() - started, inEffect: good?.reload ?? null })
      return false
    } finally {
      if (loading === isolate) loading = undefined
    }
    stamp({ type: 'reload-ok', reload, defsPath, assetCount: Object.keys(snapshot.codeVersions).length, durationMs: Date.now() - started, assets: snapshot.assets })
    if (good) stamp({ type: 'code-changed', reload, ...diffDefinitions(good, snapshot) })
    good = { codeVersions: snapshot.codeVersions, components: snapshot.components, reload }
    // The run of older definitions gives way; staleness is read once it has stopped writing.
    await stopRun('newer-definitions')
    let stale: StaleReport
    try {
      stale = await isolate.status()
    } catch (err) {
      stamp({ type: 'error', message: `Could not read asset status: ${(err as Error).message}` })
      await isolate.dispose()
      return false
    }
    stamp({ type: 'stale', reload, after: 'reload', assets: stale.assets, total: stale.total })
    if (opts.auto && stale.assets.length > 0 && !closed && !wanted) startRun(isolate, reload, stale.assets.map((a) => a.key))
    else await isolate.dispose()
    return false
  }

  function startRun(isolate: Isolate, reload: number, keys: string[]): void {
    stamp({ type: 'run-start', reload, keys })
    const started = Date.now()
    const run: ActiveRun = { isolate, reload, cancelRequested: false, done: Promise.resolve() }
    run.done = isolate
      .run({ concurrency: opts.concurrency }, (event) => stamp({ type: 'run-event', reload, event }))
      .then(
        (report) => {
          stamp({ type: 'run-end', reload, runId: report.runId, status: report.status, counts: report.counts, durationMs: report.durationMs })
          if (report.status !== 'CANCELED') stamp({ type: 'stale', reload, after: 'run', assets: report.stale.assets, total: report.stale.total })
        },
        (err) => {
          const counts = { succeeded: 0, failed: 0, skipped: 0, upToDate: 0 }
          stamp({ type: 'run-end', reload, runId: null, status: run.cancelRequested ? 'CANCELED' : 'FAILURE', counts, durationMs: Date.now() - started, error: (err as Error).message })
        },
      )
      .then(() => isolate.dispose())
      .finally(() => {
        if (active === run) active = undefined
        warmSpare()
      })
    active = run
  }

  /** Cancels the auto run, if one is going, and waits until it has ended. */
  async function stopRun(reason: 'newer-definitions' | 'close'): Promise<void> {
    const run = active
    if (!run) return
    if (!run.cancelRequested) {
      run.cancelRequested = true
      stamp({ type: 'run-canceled', reload: run.reload, reason })
      run.isolate.cancel()
    }
    await run.done
  }

  rescan()
  want('initial', [])

  return {
    defsPath,
    home,
    reload: () => new Promise<void>((resolve) => want('manual', [], resolve)),
    async idle() {
      while (!closed && (draining || debouncer.pending || active)) {
        await (draining ? loop : (active?.done ?? new Promise((r) => setTimeout(r, debounceMs))))
      }
    },
    async close() {
      if (closed) return
      closed = true
      debouncer.cancel()
      await watcher.close()
      void loading?.kill()
      await loop
      await stopRun('close')
      await spare?.kill()
      spare = undefined
      await pool?.close()
    },
  }
}
