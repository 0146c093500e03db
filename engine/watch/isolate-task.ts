// Runs inside a disposable isolate worker (see isolate.ts): imports the
// definitions, opens the workspace, reports staleness and runs materialize,
// all in this thread, which is thrown away afterwards with every module it
// imported.
import { parentPort, workerData } from 'node:worker_threads'
import { loadStatusIndex, summarize } from '../status.js'
import { describeReason } from '../versioning/staleness.js'
import { versionInfoOf } from '../versioning/versions.js'
import { openWorkspace, type Workspace } from '../workspace.js'
import type { IsolateData, LoadError, Reply, Request, RunReport, StaleReport, StepReply } from './protocol.js'
import { createRemoteExecutor } from './remote-executor.js'
import type { DevAsset, RunCounts, StaleAsset } from './types.js'

const port = parentPort!
const { defsPath, home, prepareRun, sessionPool } = workerData as IsolateData
// Steps run on the session's warm pool when it has one, else on a pool of this run's own.
const remote = sessionPool ? createRemoteExecutor(port, sessionPool.concurrency) : undefined
// The executor and planner are only needed for runs: imported while warming when runs are expected, else on demand.
const runner = prepareRun ? import('../materialize.js') : undefined
let ws: Workspace | undefined
let abort: AbortController | undefined

const reply = (r: Reply) => port.postMessage(r)

function toError(err: unknown): LoadError {
  const e = err as { message?: unknown; code?: unknown; stack?: unknown; details?: { stack?: unknown } }
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    code: typeof e?.code === 'string' ? e.code : undefined,
    // loadDefinitions keeps the original error's stack in details.
    stack: typeof e?.details?.stack === 'string' ? e.details.stack : typeof e?.stack === 'string' ? e.stack : undefined,
  }
}

function workspace(): Workspace {
  if (!ws) throw new Error('The definitions are not loaded in this worker.')
  return ws
}

async function staleReport(w: Workspace): Promise<StaleReport> {
  const index = await loadStatusIndex(w)
  const assets: StaleAsset[] = []
  const order = w.graph.topologicalOrder()
  for (const key of order) {
    const s = summarize(index, key)
    if (s.status === 'FRESH') continue
    assets.push({ key, status: s.status, reason: s.reasons[0] ? describeReason(s.reasons[0]) : 'never materialized' })
  }
  return { assets, total: order.length }
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'load': {
      ws = await openWorkspace({ defsFile: defsPath, home })
      const w = ws
      const assets = w.graph.topologicalOrder().map((key): DevAsset => {
        const a = w.defs.byKey.get(key)!
        return {
          key,
          group: a.group,
          upstream: [...a.upstreamKeys],
          codeVersion: a.codeVersion,
          codeVersionSource: a.codeVersionSource,
          description: a.description,
          tags: { ...a.tags },
          partitions: a.partitions?.id,
        }
      })
      const components = Object.fromEntries(w.defs.assets.flatMap((a) => (versionInfoOf(a)?.components ? [[a.key, versionInfoOf(a)!.components!]] : [])))
      return { codeVersions: Object.fromEntries(w.defs.assets.map((a) => [a.key, a.codeVersion])), components, home: w.home, assets }
    }
    case 'status':
      return staleReport(workspace())
    case 'run': {
      const w = workspace()
      abort = new AbortController()
      const { materialize } = await (runner ?? import('../materialize.js'))
      const result = await materialize(w, {
        stale: true,
        executor: remote?.executor ?? 'pool',
        concurrency: req.concurrency,
        signal: abort.signal,
        description: 'strata dev --auto (stale)',
        onEvent: (event) => reply({ id: req.id, event }),
      })
      const counts: RunCounts = { succeeded: 0, failed: 0, skipped: 0, upToDate: 0 }
      for (const s of result.steps) {
        if (s.status === 'SUCCESS') counts.succeeded++
        else if (s.status === 'FAILURE') counts.failed++
        else if (s.skipReason === 'UP_TO_DATE') counts.upToDate++
        else counts.skipped++
      }
      const report: RunReport = { runId: result.runId, status: result.status, counts, durationMs: result.durationMs, stale: await staleReport(w) }
      return report
    }
    case 'cancel':
      abort?.abort()
      return undefined
    case 'close':
      abort?.abort()
      await ws?.close()
      ws = undefined
      return undefined
  }
}

port.on('message', (req: Request | StepReply) => {
  if ('step' in req) return remote?.onReply(req)
  handle(req).then(
    (value) => reply({ id: req.id, ok: true, value }),
    (err) => reply({ id: req.id, ok: false, error: toError(err) }),
  )
})
