// Short steps handed to worker threads in batches: fewer hand-offs, the same
// outcomes, logs and guarantees as one step per hand-off.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createPoolExecutor, executeRun, loadValue, type RunEvent, type Workspace } from '../../engine/index.js'
import { planTargets } from '../../engine/partitions/plan.js'
import { withWorkspace } from './workspace.js'

/** 300 daily partitions of a trivial asset; `extra` goes inside its compute, before the return. */
const daily = (extra = '') => `import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01', end: '2024-10-27' })
export const daily = asset({ key: 'daily', partitions: days, compute: (ctx) => { ${extra}; ctx.log.info('day ' + ctx.partitionKey); return { day: ctx.partitionKey } } })
export default defineDefinitions({ assets: [daily] })
`

async function backfill(ws: Workspace, opts: { signal?: AbortSignal; stop?: AbortSignal; onEvent?: (e: RunEvent) => void } = {}) {
  const executor = createPoolExecutor({ concurrency: 2 })
  try {
    const days = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10))
    const plan = planTargets(ws.defs, ['daily'], new Map([['daily', days]]), {})
    const result = await executeRun({ defs: ws.defs, defsPath: ws.defsPath, storage: ws.storage, home: ws.home, executor, plan, selection: 'daily', ...opts })
    const events = await ws.storage.getEvents(result.runId)
    const end = events.find((e) => e.type.startsWith('RUN_') && e.type !== 'RUN_START')!
    return { result, events, handOffs: end.data!.handOffs as number, batches: end.data!.batches as number }
  } finally {
    await executor.close()
  }
}

describe('batched hand-offs', () => {
  it('300 trivial steps take fewer hand-offs than steps, each with its own value and log lines', () =>
    withWorkspace(daily(), async (ws) => {
      const { result, events, handOffs, batches } = await backfill(ws)
      assert.equal(result.status, 'SUCCESS')
      assert.equal(result.steps.length, 300)
      assert.ok(batches > 0 && handOffs < 300 - batches, `${handOffs} hand-offs (${batches} batches) for 300 steps`)
      // Each step reports its own time, not its wait behind the steps before it in its batch: on 2 threads, together at most twice the run.
      const stepTime = result.steps.reduce((sum, s) => sum + s.durationMs, 0)
      assert.ok(stepTime <= 2 * result.durationMs, `steps report ${stepTime} ms in all for a run of ${result.durationMs} ms`)
      // Every step's log line is attributed to its own partition.
      const logs = events.filter((e) => e.type === 'LOG' && e.message?.startsWith('day '))
      assert.equal(logs.length, 300)
      for (const e of logs) assert.equal(e.message!, `day ${e.partitionKey}`)
      // Every partition's stored value is its own.
      for (const key of ['2024-01-01', '2024-05-17', '2024-10-26']) {
        const latest = await ws.storage.getLatest('daily', key)
        assert.ok(latest, key)
        assert.deepEqual(await loadValue(ws, latest), { day: key })
      }
    }))

  it('a step that kills its thread fails alone: the other steps of its batch succeed', () =>
    withWorkspace(daily(`if (ctx.partitionKey === '2024-08-01') process.exit(3)`), async (ws) => {
      const { result, batches } = await backfill(ws)
      assert.ok(batches > 0, 'steps were batched')
      assert.equal(result.status, 'FAILURE')
      const failed = result.steps.filter((s) => s.status === 'FAILURE')
      assert.deepEqual(failed.map((s) => s.partitionKeys[0]), ['2024-08-01'])
      assert.equal(failed[0]!.error!.code, 'STRATA_WORKER_DIED')
      assert.equal(result.steps.filter((s) => s.status === 'SUCCESS').length, 299)
      assert.equal(await ws.storage.getLatest('daily', '2024-08-01'), undefined)
    }))

  it('stopping the run stops batched steps as CANCELED, never FAILED, and keeps what finished', () =>
    withWorkspace(daily(`if (ctx.partitionKey >= '2024-06-01') { const end = Date.now() + 60_000; while (Date.now() < end) {} }`), async (ws) => {
      const stop = new AbortController()
      const cancel = new AbortController()
      const { result } = await backfill(ws, {
        signal: cancel.signal,
        stop: stop.signal,
        onEvent: (e) => {
          if (e.type === 'step-start' && e.step.partitionKeys[0] === '2024-06-01') {
            cancel.abort()
            setTimeout(() => stop.abort(), 200)
          }
        },
      })
      assert.equal(result.status, 'CANCELED')
      assert.equal(result.steps.filter((s) => s.status === 'FAILURE').length, 0)
      const done = result.steps.filter((s) => s.status === 'SUCCESS')
      assert.ok(done.length > 0 && done.every((s) => s.partitionKeys[0]! < '2024-06-01'), `${done.length} finished before the cutoff`)
      for (const s of done) assert.ok(await ws.storage.getLatest('daily', s.partitionKeys[0]!), `${s.partitionKeys[0]} recorded`)
      const inProgress = await ws.storage.readSlots([{ assetKey: 'daily', partitionKey: '2024-06-01' }])
      assert.deepEqual(inProgress.inProgress, [])
    }))
})
