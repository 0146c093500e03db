/**
 * `strata daemon`: holds the home's lease, wakes every interval (sooner when
 * a sensor is due), has the definitions worker tick, and reloads the
 * definitions when a file they import changes. A reload that fails keeps the
 * last good definitions and says so; a good one takes over ticking at once
 * while the old worker finishes the runs it started.
 */
import { StrataError } from '../../assets/errors.js'
import { resolveDefsPath } from '../definitions/load.js'
import { resolveHome } from '../home.js'
import { openStorage } from '../storage/index.js'
import { resolveCommandStorageUrl } from '../workspace.js'
import type { Storage } from '../storage/types.js'
import { scanImportGraph } from '../watch/import-graph.js'
import { createFileWatcher, type FileWatcher } from '../watch/watcher.js'
import { systemClock, type Clock } from './clock.js'
import type { DaemonEvent } from './events.js'
import { startDaemonIsolate, type DaemonIsolate } from './isolate.js'
import type { LoadInfo } from './isolate-protocol.js'
import { DaemonLock } from './lock.js'

export const DEFAULT_INTERVAL_MS = 30_000

export interface DaemonOptions {
  defsPath?: string
  home?: string
  /** Storage URL (`--storage`). @defaultValue `STRATA_STORAGE_URL`, else the definitions' `storage`, else SQLite in the home */
  storage?: string
  /** Object store (`--objects`): a directory or a `postgres://` URL. @defaultValue `STRATA_OBJECTS`, else the definitions' `objects`, else the home */
  objects?: string
  cwd?: string
  /** How often conditions are evaluated. @defaultValue 30 s */
  intervalMs?: number
  /** The clock ticks are evaluated at (schedules, conditions, partitions). @defaultValue the system clock */
  clock?: Clock
  /** One tick, then launch and wait for every queued run, then stop. */
  once?: boolean
  /** Reload the definitions when their files change. @defaultValue !once */
  watch?: boolean
  /** Quiet period after a file change before reloading. @defaultValue 300 */
  debounceMs?: number
  lease?: { ttlMs?: number; heartbeatMs?: number }
  /** Where user code's console output goes (not typed with @types/node: this is published, and users need not have it). @defaultValue process.stderr */
  output?: { write(chunk: Uint8Array): unknown }
  onEvent?: (e: DaemonEvent) => void
}

export interface Daemon {
  readonly home: string
  readonly defsPath: string
  /** Stops ticking; waits for running runs unless `now` (they are then left to the next daemon: marked failed). */
  stop(reason: string, opts?: { now?: boolean }): Promise<void>
  /** Settles when the daemon has stopped; rejects if it stopped on an error (e.g. another daemon took its lease). */
  readonly done: Promise<void>
}

export async function startDaemon(opts: DaemonOptions = {}): Promise<Daemon> {
  const defsPath = resolveDefsPath(opts.defsPath, opts.cwd)
  const home = resolveHome(defsPath, opts.home)
  const clock = opts.clock ?? systemClock
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS
  const emit = (e: DaemonEvent) => {
    try {
      opts.onEvent?.(e)
    } catch {
      // A reporter's failure is not the daemon's.
    }
  }
  // Resolved once here, so the lease and every run of every reload use the same storage.
  const storageUrl = await resolveCommandStorageUrl({ flag: opts.storage, defsPath })
  const storage: Storage = await openStorage(home, { url: storageUrl })
  let lock: DaemonLock
  try {
    lock = await DaemonLock.acquire(storage, home, opts.lease)
  } catch (err) {
    await storage.close()
    throw err
  }
  const newIsolate = () => startDaemonIsolate({ defsPath, home, intervalMs, ...(storageUrl ? { storage: storageUrl } : {}), ...(opts.objects !== undefined ? { objects: opts.objects } : {}) }, emit, opts.output)
  let current: DaemonIsolate = newIsolate()
  let info: LoadInfo
  try {
    info = await current.request('load', { now: clock.now().getTime(), recover: true })
  } catch (err) {
    await current.dispose()
    await lock.release()
    await storage.close()
    throw err
  }
  emit({ type: 'started', pid: process.pid, home, defsPath, schedules: info.schedules, sensors: info.sensors, conditions: info.conditions, ...(lock.replaced ? { replaced: { pid: lock.replaced.pid, host: lock.replaced.host } } : {}) })

  let stopping = false
  let finished: (err?: Error) => void = () => {}
  const done = new Promise<void>((resolve, reject) => (finished = (err) => (err ? reject(err) : resolve())))
  done.catch(() => {})
  // Ticks and definition swaps take turns: a worker never ticks after it was replaced.
  let turn: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = turn.then(fn, fn)
    turn = next.catch(() => {})
    return next
  }
  const draining = new Set<Promise<void>>()
  let timer: NodeJS.Timeout | undefined
  let watcher: FileWatcher | undefined
  let lastConditions = -Infinity

  const period = () => Math.max(50, Math.min(intervalMs, ...info.sensorIntervalsMs))

  const tick = async () => {
    if (stopping) return
    const due = performance.now() - lastConditions >= intervalMs - 5
    if (due) lastConditions = performance.now()
    try {
      await serial(() => current.request('tick', { now: clock.now().getTime(), conditions: due }))
    } catch (err) {
      emit({ type: 'error', message: `tick failed: ${err instanceof Error ? err.message : String(err)}` })
      // The worker is gone (user code called process.exit, or it crashed): load the definitions in a new one.
      if (!current.alive && !stopping) await reload()
    }
    if (!stopping && !opts.once) timer = setTimeout(() => void tick(), period())
  }

  const reload = () =>
    serial(async () => {
      if (stopping) return
      const next = newIsolate()
      try {
        const nextInfo = await next.request('load', { now: clock.now().getTime(), recover: false })
        const old = current
        current = next
        info = nextInfo
        const drain = old
          .request('drain', {})
          .catch(() => {})
          .then(() => old.dispose())
        draining.add(drain)
        void drain.finally(() => draining.delete(drain))
        emit({ type: 'reload', ok: true, schedules: info.schedules, sensors: info.sensors, conditions: info.conditions })
      } catch (err) {
        await next.dispose()
        const e = err as { message?: string; code?: string }
        emit({ type: 'reload', ok: false, error: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}) })
      }
      watchFiles()
    })

  let debounce: NodeJS.Timeout | undefined
  const watchFiles = () => {
    if (!watcher) return
    const graph = scanImportGraph(defsPath, { ignoreDirs: [home] })
    watcher.setFiles([...graph.files, ...graph.missing])
  }
  if (opts.watch ?? !opts.once) {
    watcher = createFileWatcher(() => {
      clearTimeout(debounce)
      debounce = setTimeout(() => void reload(), opts.debounceMs ?? 300)
    })
    watchFiles()
  }

  // Resolves once stopped, whatever the reason: an error is what `done` rejects with.
  const stop = async (reason: string, stopOpts: { now?: boolean } = {}, error?: Error): Promise<void> => {
    if (stopping) return done.catch(() => {})
    stopping = true
    clearTimeout(timer)
    clearTimeout(debounce)
    await watcher?.close()
    try {
      await turn
      if (!stopOpts.now) {
        await current.request('drain', {}).catch(() => {})
        await Promise.all([...draining])
      }
      await current.dispose()
    } finally {
      await lock.release().catch(() => {})
      await storage.close()
      emit({ type: 'stopped', reason })
      finished(error)
    }
  }

  lock.startHeartbeat((holder) => {
    const who = holder ? `pid ${holder.pid} on ${holder.host}` : 'another process'
    void stop('lease lost', { now: true }, new StrataError('STRATA_DAEMON_RUNNING', `Another daemon (${who}) took over the home ${home} after this one missed its heartbeats; this one stops.`))
  })

  if (opts.once) {
    void (async () => {
      try {
        await serial(() => current.request('tick', { now: clock.now().getTime(), conditions: true }))
        await serial(() => current.request('settle', { now: clock.now().getTime() }))
        await stop('one tick done')
      } catch (err) {
        await stop('failed', {}, err instanceof Error ? err : new Error(String(err)))
      }
    })()
  } else void tick()

  return { home, defsPath, stop: (reason, o) => stop(reason, o), done }
}
