import { definitionsVersion } from './executors/defs-version.js'
import type { Executor, ExecutorName } from './executors/index.js'
import { executeRun, type RunEvent, type RunResult } from './execution/run.js'
import { resolveSelection } from './graph/selection.js'
import { planTargets } from './partitions/plan.js'
import type { PartitionRequest } from './partitions/targets.js'
import { keysOptionsFor } from './status.js'
import { resolveTargets } from './targets.js'
import type { Workspace } from './workspace.js'

export interface MaterializeOptions {
  /** Selection syntax, e.g. `'*model'`, `'group:raw'`. @defaultValue all assets */
  selection?: string | readonly string[]
  /** Only missing or stale assets (and partitions); up-to-date steps are skipped when reached (early cut-off). @defaultValue false */
  stale?: boolean
  /** Partitions of the selected partitioned assets to build. */
  partitions?: PartitionRequest
  /**
   * A name (a pool is started for this call and closed after it), or an
   * executor to run on, kept open for its owner to close: e.g. a warm pool
   * shared by runs, `createPoolExecutor({ keepAlive: true })`, whose threads
   * keep the imported definitions until their files change. @defaultValue 'pool'
   */
  executor?: ExecutorName | Executor
  /** Capped at 4 × the number of CPUs. @defaultValue the number of CPUs */
  concurrency?: number
  onEvent?: (event: RunEvent) => void
  /** Cancels: no new steps; running steps get `graceMs` to finish, then the pool terminates them (see RunOptions). */
  signal?: AbortSignal
  /** @defaultValue 10,000 */
  graceMs?: number
  /** Stops running steps now (see RunOptions.stop). */
  stop?: AbortSignal
  /**
   * The run's time limit in milliseconds: past it the run is canceled
   * (running steps get `graceMs`, then are stopped) and recorded CANCELED with
   * the limit named; the result has `timedOut: true`. Each observation run and
   * main run has its own limit. Steps have their own, `asset({ timeoutMs })`.
   */
  runTimeoutMs?: number
  /** Evaluate partition definitions at this instant. @defaultValue now */
  now?: Date
  backfillId?: string
  /** Recorded as the run's selection. @defaultValue the selection text */
  description?: string
  /** The run's id, chosen by the caller (the automation daemon records it before launching). @defaultValue a random UUID */
  runId?: string
  /** Recorded on the run, e.g. what launched it. */
  tags?: Record<string, string>
}

/** The result of a materialize call; `runId` is null when nothing needed to run. */
export type MaterializeResult = Omit<RunResult, 'runId'> & { runId: string | null }

export async function materialize(ws: Workspace, opts: MaterializeOptions = {}): Promise<MaterializeResult> {
  const keys = resolveSelection(opts.selection, ws.graph, ws.defs)
  const keysOptions = await keysOptionsFor(ws, opts.now)
  const given = typeof opts.executor === 'object' ? opts.executor : undefined
  // A shared executor may have threads that imported older files: the version tells it (a fresh pool imports what is there).
  const defsVersion = given ? definitionsVersion(ws.defsPath, { ignoreDirs: [ws.home] }) : undefined
  let executor: Executor | undefined
  // Loaded only when there is work: a no-op --stale must not pay for starting a worker pool.
  const getExecutor = async () => {
    if (given) return given
    if (!executor) {
      const { createExecutor } = await import('./executors/index.js')
      executor = createExecutor((opts.executor as ExecutorName | undefined) ?? 'pool', { concurrency: opts.concurrency })
    }
    return executor
  }
  // Fresh but failed last time: --stale rebuilds these, and the run must not skip them as up to date.
  const failed = new Set<string>()
  const run = async (targets: Map<string, string[]>, order: readonly string[], selection: string, main = true) =>
    executeRun({
      defs: ws.defs,
      defsPath: ws.defsPath,
      defsVersion,
      storage: ws.storage,
      home: ws.home,
      objects: ws.objects?.spec,
      storageUrl: ws.storageUrl,
      executor: await getExecutor(),
      plan: planTargets(ws.defs, order, targets, keysOptions),
      selection,
      skipUpToDate: opts.stale,
      rebuild: failed,
      keysOptions,
      onEvent: opts.onEvent,
      signal: opts.signal,
      graceMs: opts.graceMs,
      stop: opts.stop,
      runTimeoutMs: opts.runTimeoutMs,
      backfillId: opts.backfillId,
      runId: main ? opts.runId : undefined,
      tags: opts.tags,
    })
  const description = opts.description ?? selectionText(opts.selection)
  try {
    // Whether an observed source changed is only known by looking: observe
    // first, then plan the rest against what the observation found.
    const observedKeys = opts.stale ? keys.filter((k) => ws.defs.byKey.get(k)!.observe) : []
    let observation: RunResult | undefined
    if (observedKeys.length > 0) {
      const targets = new Map(observedKeys.map((k) => [k, ws.defs.byKey.get(k)!.partitions?.keys(keysOptions) ?? []]))
      observation = await run(targets, observedKeys, `observe ${observedKeys.join(' ')}`, false)
      if (observation.status !== 'SUCCESS') return observation
    }
    const targets = await resolveTargets(ws, keys, { partitions: opts.partitions, stale: opts.stale, failed, keysOptions })
    for (const k of observedKeys) targets.delete(k)
    if (targets.size === 0) return observation ?? { runId: null, status: 'SUCCESS', steps: [], durationMs: 0 }
    const main = await run(targets, keys, description)
    if (!observation) return main
    return { ...main, steps: [...observation.steps, ...main.steps], durationMs: observation.durationMs + main.durationMs }
  } finally {
    await executor?.close()
  }
}

function selectionText(selection: string | readonly string[] | undefined): string {
  if (selection === undefined) return '*'
  return typeof selection === 'string' ? selection || '*' : selection.join(' ') || '*'
}
