import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { LEASE_OWNER, newLease, startHeartbeat } from './leases.js'
import { slotId } from './storage/slot-id.js'
import { StrataError } from '../assets/errors.js'
import { definitionsVersion } from './executors/defs-version.js'
import type { Executor, ExecutorName } from './executors/index.js'
import { executeRun, type RunEvent, type RunResult, type StepResult } from './execution/run.js'
import { resolveSelection } from './graph/selection.js'
import { planTargets } from './partitions/plan.js'
import { keysOptionsFor } from './status.js'
import type { BackfillRecord, BackfillTargetStatus, BackfillTargetUpdate } from './storage/types.js'
import { resolveTargets } from './targets.js'
import type { Workspace } from './workspace.js'

export interface BackfillRunOptions {
  /** A name, or an executor kept open for its owner (e.g. a warm pool, see MaterializeOptions.executor). @defaultValue 'pool' */
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
  /** The run's time limit in milliseconds: past it the run is canceled and unfinished partitions stay pending (see RunOptions.runTimeoutMs). */
  runTimeoutMs?: number
  /** Called once the backfill record exists (before anything runs). */
  onCreated?: (backfill: BackfillRecord) => void
}

export interface LaunchBackfillOptions extends BackfillRunOptions {
  selection: string | readonly string[]
  from?: string
  to?: string
  partitions?: readonly string[]
  /** Only missing or stale partitions. */
  stale?: boolean
  now?: Date
}

export interface BackfillResult {
  backfill: BackfillRecord
  run?: RunResult
  counts: Record<BackfillTargetStatus, number>
}


/** Plans every (asset, partition) of the selection in the range, stores the backfill, then runs it. */
export async function launchBackfill(ws: Workspace, opts: LaunchBackfillOptions): Promise<BackfillResult> {
  if (!opts.partitions?.length && (opts.from === undefined || opts.to === undefined)) {
    throw new StrataError('STRATA_USAGE', 'A backfill needs a partition range: --from KEY --to KEY, or a list: --partitions K1,K2.')
  }
  const keys = resolveSelection(opts.selection, ws.graph, ws.defs)
  if (!keys.some((k) => ws.defs.byKey.get(k)!.partitions)) {
    throw new StrataError('STRATA_USAGE', `None of the selected assets is partitioned; use strata materialize ${typeof opts.selection === 'string' ? opts.selection : opts.selection.join(' ')} instead.`)
  }
  const keysOptions = await keysOptionsFor(ws, opts.now)
  const request = opts.partitions?.length ? { keys: opts.partitions } : { from: opts.from, to: opts.to }
  const targets = await resolveTargets(ws, keys, { partitions: request, stale: opts.stale, keysOptions })
  const rows: Array<{ assetKey: string; partitionKey: string }> = []
  for (const [assetKey, partitions] of targets) {
    if (partitions.length === 0) rows.push({ assetKey, partitionKey: '' })
    else for (const partitionKey of partitions) rows.push({ assetKey, partitionKey })
  }
  const backfillId = randomUUID().slice(0, 8)
  await ws.storage.createBackfill(
    {
      backfillId,
      selection: typeof opts.selection === 'string' ? opts.selection : opts.selection.join(' '),
      assetKeys: keys,
      fromKey: opts.from,
      toKey: opts.to,
      partitionKeys: opts.partitions ? [...opts.partitions] : undefined,
      options: { stale: opts.stale === true },
      defsPath: ws.defsPath,
      createdAt: Date.now(),
      pid: process.pid,
      host: hostname(),
    },
    rows,
  )
  opts.onCreated?.((await ws.storage.getBackfill(backfillId))!)
  return runBackfill(ws, backfillId, 'launch', opts)
}

/**
 * Runs the unfinished targets of a stored backfill. `resume` continues after
 * a crash or interruption, redoing nothing that finished; `retry` re-runs
 * only the failed targets and those they blocked.
 */
export async function runBackfill(ws: Workspace, backfillId: string, mode: 'launch' | 'resume' | 'retry', opts: BackfillRunOptions = {}): Promise<BackfillResult> {
  const record = await ws.storage.getBackfill(backfillId)
  if (!record) throw new StrataError('STRATA_UNKNOWN_BACKFILL', `No backfill "${backfillId}". List backfills with: strata backfill list`)
  if (record.status === 'RUNNING' && mode !== 'launch') {
    throw new StrataError('STRATA_USAGE', `Backfill ${backfillId} is running in process ${record.pid} on ${record.host}. Wait for it, or cancel it with: strata backfill cancel ${backfillId}`)
  }
  if (record.status === 'CANCELED') throw new StrataError('STRATA_USAGE', `Backfill ${backfillId} was canceled; start a new one with strata backfill.`)
  const targets = await ws.storage.getBackfillTargets(backfillId)
  const rerun: BackfillTargetStatus[] = mode === 'retry' ? ['FAILED', 'SKIPPED'] : ['PENDING', 'IN_PROGRESS']
  if (mode === 'resume' && record.status === 'COMPLETED_FAILED') rerun.push('FAILED', 'SKIPPED')
  let todo = targets.filter((t) => rerun.includes(t.status))

  // Status updates are batched, so a killed process can lose the last few; a
  // target whose partition was materialized by one of this backfill's runs is done.
  if (mode !== 'launch' && record.runIds.length > 0) {
    const runs = new Set(record.runIds)
    const doneNow = new Set<string>()
    for (const assetKey of new Set(todo.map((t) => t.assetKey))) {
      for (const s of await ws.storage.getPartitionStates(assetKey)) {
        if (s.state === 'MATERIALIZED' && runs.has(s.runId)) doneNow.add(slotId(assetKey, s.partitionKey))
      }
    }
    const finished = todo.filter((t) => doneNow.has(slotId(t.assetKey, t.partitionKey)))
    if (finished.length) {
      await ws.storage.updateBackfillTargets(backfillId, finished.map((t) => ({ assetKey: t.assetKey, partitionKey: t.partitionKey, status: 'SUCCESS' as const })), Date.now())
      todo = todo.filter((t) => !doneNow.has(slotId(t.assetKey, t.partitionKey)))
    }
  }

  const owner = { pid: process.pid, host: hostname() }
  if (todo.length === 0) {
    const counts = await ws.storage.countBackfillTargets(backfillId)
    const status = counts.FAILED + counts.SKIPPED > 0 ? 'COMPLETED_FAILED' : 'COMPLETED_SUCCESS'
    await ws.storage.setBackfillStatus(backfillId, status, Date.now())
    return { backfill: (await ws.storage.getBackfill(backfillId))!, counts }
  }
  if (mode === 'retry') {
    await ws.storage.updateBackfillTargets(backfillId, todo.map((t) => ({ assetKey: t.assetKey, partitionKey: t.partitionKey, status: 'PENDING' as const })), Date.now())
  }

  const byAsset = new Map<string, string[]>()
  for (const t of todo) {
    const list = byAsset.get(t.assetKey) ?? []
    if (t.partitionKey !== '') list.push(t.partitionKey)
    byAsset.set(t.assetKey, list)
  }
  const keysOptions = await keysOptionsFor(ws)
  const order = ws.graph.topologicalOrder(byAsset.keys())
  const plan = planTargets(ws.defs, order, byAsset, keysOptions)

  const runId = randomUUID()
  // Atomic: of several processes resuming this backfill at once, one drives it and the others are told who does.
  const claim = await ws.storage.claimBackfill(backfillId, owner, Date.now())
  if (!claim.claimed) {
    const b = claim.backfill
    if (b.status === 'CANCELED') throw new StrataError('STRATA_USAGE', `Backfill ${backfillId} was canceled; start a new one with strata backfill.`)
    throw new StrataError('STRATA_USAGE', `Backfill ${backfillId} is running in process ${b.pid} on ${b.host}. Wait for it, or cancel it with: strata backfill cancel ${backfillId}`)
  }
  // Leased while driven, so that a process on another host can tell when this one stopped.
  const renewLease = (expiresAt: number) => ws.storage.renewBackfillLease(backfillId, owner, { owner: LEASE_OWNER, expiresAt })
  await renewLease(newLease(Date.now()).expiresAt)
  const heartbeat = startHeartbeat(renewLease)
  await ws.storage.addBackfillRun(backfillId, runId)

  // Target updates go to storage in batches; cancellation requested from another process is polled.
  const abort = new AbortController()
  const forward = () => abort.abort()
  opts.signal?.addEventListener('abort', forward)
  let pending: BackfillTargetUpdate[] = []
  let writing = Promise.resolve()
  const flush = () => {
    const batch = pending
    pending = []
    if (batch.length) writing = writing.then(() => ws.storage.updateBackfillTargets(backfillId, batch, Date.now()))
    return writing
  }
  const timer = setInterval(() => {
    void flush()
    void ws.storage.getBackfill(backfillId).then((b) => {
      if (b?.cancelRequested) abort.abort()
    })
  }, 250)
  const rowsOf = (step: { assetKey: string; partitionKeys: string[] }) => (step.partitionKeys.length ? step.partitionKeys : [''])
  const onEvent = (e: RunEvent) => {
    if (e.type === 'step-start') {
      for (const p of rowsOf(e.step)) pending.push({ assetKey: e.step.assetKey, partitionKey: p, status: 'IN_PROGRESS', runId })
    } else if (e.type === 'step-end') {
      const status = targetStatus(e.result)
      for (const p of rowsOf(e.step)) pending.push({ assetKey: e.step.assetKey, partitionKey: p, status, runId, error: e.result.error?.message })
    }
    opts.onEvent?.(e)
  }

  let run: RunResult
  const given = typeof opts.executor === 'object' ? opts.executor : undefined
  const { createExecutor } = await import('./executors/index.js')
  const executor = given ?? createExecutor((opts.executor as ExecutorName | undefined) ?? 'pool', { concurrency: opts.concurrency })
  try {
    run = await executeRun({
      defs: ws.defs,
      defsPath: ws.defsPath,
      defsVersion: given ? definitionsVersion(ws.defsPath, { ignoreDirs: [ws.home] }) : undefined,
      storage: ws.storage,
      home: ws.home,
      objects: ws.objects?.spec,
      storageUrl: ws.storageUrl,
      executor,
      plan,
      selection: `backfill ${backfillId}: ${record.selection}`,
      skipUpToDate: record.options.stale === true,
      keysOptions,
      onEvent,
      signal: abort.signal,
      graceMs: opts.graceMs,
      stop: opts.stop,
      runTimeoutMs: opts.runTimeoutMs,
      runId,
      backfillId,
    })
  } finally {
    heartbeat.stop()
    clearInterval(timer)
    opts.signal?.removeEventListener('abort', forward)
    if (!given) await executor.close()
  }
  await flush()
  const counts = await ws.storage.countBackfillTargets(backfillId)
  const status = run.status === 'CANCELED' ? 'CANCELED' : counts.FAILED + counts.SKIPPED > 0 ? 'COMPLETED_FAILED' : 'COMPLETED_SUCCESS'
  await ws.storage.setBackfillStatus(backfillId, status, Date.now())
  return { backfill: (await ws.storage.getBackfill(backfillId))!, run, counts }
}

function targetStatus(r: StepResult): BackfillTargetStatus {
  if (r.status === 'SUCCESS') return 'SUCCESS'
  if (r.status === 'FAILURE') return 'FAILED'
  if (r.skipReason === 'UP_TO_DATE') return 'UP_TO_DATE'
  // A canceled step was never attempted: leave it for a resume.
  if (r.skipReason === 'CANCELED') return 'PENDING'
  return 'SKIPPED'
}

/** Requests cancellation; a backfill no process is driving is canceled at once. */
export async function cancelBackfill(ws: Workspace, backfillId: string): Promise<BackfillRecord> {
  const record = await ws.storage.getBackfill(backfillId)
  if (!record) throw new StrataError('STRATA_UNKNOWN_BACKFILL', `No backfill "${backfillId}". List backfills with: strata backfill list`)
  if (record.status === 'COMPLETED_SUCCESS' || record.status === 'COMPLETED_FAILED' || record.status === 'CANCELED') {
    throw new StrataError('STRATA_USAGE', `Backfill ${backfillId} already finished (${record.status}); nothing to cancel.`)
  }
  if (record.status === 'RUNNING') await ws.storage.requestBackfillCancel(backfillId, Date.now())
  else await ws.storage.setBackfillStatus(backfillId, 'CANCELED', Date.now())
  return (await ws.storage.getBackfill(backfillId))!
}
