/**
 * Public types of a dev session (`strata dev`): its options, its handle and
 * the events it reports. Events are plain data (JSON-able, structured-clone
 * safe), so a terminal log, the Ink UI or a test can consume them alike.
 */
import type { RunEvent, RunStatus } from '../execution/run.js'
import type { AssetStatus } from '../versioning/staleness.js'

export interface DevSessionOptions {
  /** Definitions file (absolute, or relative to `cwd`). @defaultValue `./definitions.ts` */
  defsPath?: string
  /** State directory. @defaultValue `STRATA_HOME`, else `.strata/` beside the definitions file */
  home?: string
  cwd?: string
  /** Re-materialize what is missing or stale after every good reload (and at start). @defaultValue false */
  auto?: boolean
  /** Quiet period after the last file change before reloading. @defaultValue 200 */
  debounceMs?: number
  /** Steps at once in auto runs. @defaultValue the number of CPUs */
  concurrency?: number
  /**
   * Where what the user's code prints goes (console output of the definitions
   * modules and of compute functions, which run in worker threads).
   * @defaultValue process.stderr
   */
  output?: DevOutput
  /** Called synchronously for every event, in order. Exceptions thrown here are ignored. */
  onEvent?: (event: DevEvent) => void
}

/**
 * Where a dev session writes what the user's code prints. `process.stderr`
 * and any `stream.Writable` are ones; so is an object whose `write` collects
 * the text. Declared here rather than as Node's `NodeJS.WritableStream` so
 * that the published declarations type-check without `@types/node`.
 */
export interface DevOutput {
  /** Receives each chunk as printed. Returning `false` means "full": printing pauses until `drain`, when `once` is there to report it. */
  write(chunk: string | Uint8Array): unknown
  /** Calls `listener` once when the output can take more (a Node stream's `once('drain')`). */
  once?(event: 'drain', listener: () => void): unknown
}

export interface DevSession {
  /** The resolved definitions file. */
  readonly defsPath: string
  /** The resolved state directory (never watched). */
  readonly home: string
  /**
   * Reloads now, without waiting for a file change or the debounce. Resolves
   * when the reload has been reported (`reload-ok` plus `stale`, or
   * `reload-error`); an auto run it starts is not awaited.
   */
  reload(): Promise<void>
  /** Resolves when the session is idle: no reload pending or in progress and no run going. */
  idle(): Promise<void>
  /**
   * Stops watching, cancels a running auto run (running steps finish; it ends
   * CANCELED) and waits for it, then discards the disposable worker. Idempotent.
   */
  close(): Promise<void>
}

/** Why a reload happened. */
export type ReloadReason = 'initial' | 'change' | 'manual'

/** Where a load error points, when it can be told (a syntax error's position, the first project frame of a stack). */
export interface SourceLocation {
  /** Absolute path. */
  file: string
  line: number
  column: number
}

export interface CodeVersionChange {
  key: string
  previous: string
  current: string
  /** What changed, one line each (`code changed: helper ./lib.ts (factor)`, `mapping of input "history" changed: -7..-1 → -7..0`), when both versions' components are known. */
  changes?: string[]
}

/**
 * An asset of a good load, as plain data: what a view needs to list the
 * assets and draw their lineage without importing the definitions (the Ink UI
 * of `strata dev` builds its asset list and graph from these).
 */
export interface DevAsset {
  key: string
  group: string
  /** Upstream keys (ins then deps, without `self`). */
  upstream: string[]
  codeVersion: string
  codeVersionSource: 'auto' | 'explicit'
  description?: string
  tags: Record<string, string>
  /** The partitions definition's id, when partitioned. */
  partitions?: string
}

/** An asset that is not fresh, with the first reason (as `strata list` words it). */
export interface StaleAsset {
  key: string
  status: Exclude<AssetStatus, 'FRESH'>
  reason: string
}

/** How the steps of a run ended. */
export interface RunCounts {
  succeeded: number
  failed: number
  /** Skipped because an upstream failed or the run was canceled. */
  skipped: number
  /** Skipped by early cut-off: inputs and code unchanged. */
  upToDate: number
}

interface Base {
  /** `Date.now()` when the event was emitted. */
  ts: number
}

/** Every reload, good or bad, has a number: 1 is the initial load. Later events name the reload whose definitions they come from. */
interface OfReload extends Base {
  reload: number
}

/**
 * Everything a dev session reports, in order:
 *
 * `watching` (whenever the set of watched files changes) →
 * `reload-start` → `reload-ok` | `reload-error` →
 * after a good reload: `code-changed` (not after the first good load), `run-canceled` (when a run of older
 * definitions was going), `stale` →
 * with `auto` and something stale: `run-start` → `run-event`… → `run-end` → `stale` (after: 'run').
 *
 * A `reload-error` leaves the last good definitions in effect (an auto run of
 * them goes on); nothing is materialized from broken definitions. A change
 * saved while a load is in flight drops that load: its `reload-start` is
 * followed directly by the next one's.
 */
export type DevEvent =
  /** The watched files: the definitions file and the local modules it imports, transitively. */
  | (Base & { type: 'watching'; files: string[]; added: string[]; removed: string[] })
  /** Loading the definitions in a fresh worker. `changed` lists the saved files that triggered it. */
  | (OfReload & { type: 'reload-start'; reason: ReloadReason; changed: string[] })
  /** `assets`: every asset of the loaded definitions, in topological order. */
  | (OfReload & { type: 'reload-ok'; defsPath: string; assetCount: number; durationMs: number; assets: DevAsset[] })
  /**
   * The definitions could not be loaded: a syntax error, a failed import, an
   * exception at module load, invalid definitions (`code` is the StrataError
   * code, e.g. STRATA_CYCLE). The previous good definitions stay in effect.
   */
  | (OfReload & {
      type: 'reload-error'
      message: string
      code?: string
      location?: SourceLocation
      durationMs: number
      /** The reload whose definitions stay in effect, or null when none has loaded yet. */
      inEffect: number | null
    })
  /** Compared with the previous good definitions: code versions that changed (old → new), assets added and removed. Lists may be empty. */
  | (OfReload & { type: 'code-changed'; changed: CodeVersionChange[]; added: string[]; removed: string[] })
  /**
   * Assets that are missing or stale, in topological order, with their first
   * reason, from the engine's status index. `after` says whether this follows
   * a reload or an auto run.
   */
  | (OfReload & { type: 'stale'; after: 'reload' | 'run'; assets: StaleAsset[]; total: number })
  /** An auto run of the stale assets is starting (`keys` were stale when it was planned). */
  | (OfReload & { type: 'run-start'; keys: string[] })
  /** An engine run event, as `materialize({ onEvent })` reports it, relayed as plain data. */
  | (OfReload & { type: 'run-event'; event: RunEvent })
  /** The auto run ended. `runId` is null when nothing needed to run after all. */
  | (OfReload & { type: 'run-end'; runId: string | null; status: RunStatus; counts: RunCounts; durationMs: number; error?: string })
  /** Cancellation of the auto run was requested: running steps finish, no new step starts; a `run-end` with status CANCELED follows. */
  | (OfReload & { type: 'run-canceled'; reason: 'newer-definitions' | 'close' })
  /** Something unexpected (a worker crash outside a load or run); the session goes on. */
  | (Base & { type: 'error'; message: string })

export type DevEventType = DevEvent['type']
