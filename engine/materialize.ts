import type { ExecutorName } from './executors/index.js'
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
  /** @defaultValue 'pool' */
  executor?: ExecutorName
  /** @defaultValue the number of CPUs */
  concurrency?: number
  onEvent?: (event: RunEvent) => void
  signal?: AbortSignal
  /** Evaluate partition definitions at this instant. @defaultValue now */
  now?: Date
  backfillId?: string
  /** Recorded as the run's selection. @defaultValue the selection text */
  description?: string
}

/** The result of a materialize call; `runId` is null when nothing needed to run. */
export type MaterializeResult = Omit<RunResult, 'runId'> & { runId: string | null }

export async function materialize(ws: Workspace, opts: MaterializeOptions = {}): Promise<MaterializeResult> {
  const keys = resolveSelection(opts.selection, ws.graph, ws.defs)
  const keysOptions = await keysOptionsFor(ws, opts.now)
  const targets = await resolveTargets(ws, keys, { partitions: opts.partitions, stale: opts.stale, keysOptions })
  if (targets.size === 0) return { runId: null, status: 'SUCCESS', steps: [], durationMs: 0 }
  // Loaded only when there is work: a no-op --stale must not pay for starting a worker pool.
  const { createExecutor } = await import('./executors/index.js')
  const executor = createExecutor(opts.executor ?? 'pool', { concurrency: opts.concurrency })
  try {
    return await executeRun({
      defs: ws.defs,
      defsPath: ws.defsPath,
      storage: ws.storage,
      home: ws.home,
      executor,
      plan: planTargets(ws.defs, keys, targets, keysOptions),
      selection: opts.description ?? selectionText(opts.selection),
      skipUpToDate: opts.stale,
      keysOptions,
      onEvent: opts.onEvent,
      signal: opts.signal,
      backfillId: opts.backfillId,
    })
  } finally {
    await executor.close()
  }
}

function selectionText(selection: string | readonly string[] | undefined): string {
  if (selection === undefined) return '*'
  return typeof selection === 'string' ? selection || '*' : selection.join(' ') || '*'
}
