import type { ExecutorName } from './executors/index.js'
import { planAssets } from './execution/plan.js'
import { executeRun, type RunEvent, type RunResult } from './execution/run.js'
import { resolveSelection } from './graph/selection.js'
import { readAssetStates } from './status.js'
import type { Workspace } from './workspace.js'

export interface MaterializeOptions {
  /** Selection syntax, e.g. `'*model'`, `'group:raw'`. @defaultValue all assets */
  selection?: string | readonly string[]
  /** Only missing or stale assets; up-to-date steps are skipped when reached (early cut-off). @defaultValue false */
  stale?: boolean
  /** @defaultValue 'pool' */
  executor?: ExecutorName
  /** @defaultValue the number of CPUs */
  concurrency?: number
  onEvent?: (event: RunEvent) => void
  signal?: AbortSignal
}

/** The result of a materialize call; `runId` is null when nothing needed to run. */
export type MaterializeResult = Omit<RunResult, 'runId'> & { runId: string | null }

export async function materialize(ws: Workspace, opts: MaterializeOptions = {}): Promise<MaterializeResult> {
  let keys = resolveSelection(opts.selection, ws.graph, ws.defs)
  if (opts.stale) {
    const states = await readAssetStates(ws)
    keys = keys.filter((k) => states.get(k)!.status !== 'FRESH')
  }
  if (keys.length === 0) return { runId: null, status: 'SUCCESS', steps: [], durationMs: 0 }
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
      plan: planAssets(ws.defs, keys),
      selection: selectionText(opts.selection),
      skipUpToDate: opts.stale,
      onEvent: opts.onEvent,
      signal: opts.signal,
    })
  } finally {
    await executor.close()
  }
}

function selectionText(selection: string | readonly string[] | undefined): string {
  if (selection === undefined) return '*'
  return typeof selection === 'string' ? selection || '*' : selection.join(' ') || '*'
}
