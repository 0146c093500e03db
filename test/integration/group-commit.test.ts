// Group commit in a run: finished steps share transactions, yet nothing is
// reported done, read downstream or latest before its commit, and a record
// that cannot be stored fails its own step only.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createInProcessExecutor, executeRun, planAssets, type RunEvent, type Workspace } from '../../engine/index.js'
import type { MaterializationToRecord, NewEvent, Storage } from '../../engine/storage/types.js'
import { withWorkspace } from './workspace.js'

const WIDE = `import { asset, defineDefinitions } from 'strata-engine'
const assets = Array.from({ length: 30 }, (_, i) => asset({ key: 'w' + i, compute: () => i }))
export const a = asset({ key: 'a', compute: () => 1 })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a + 1 })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b + 1 })
export default defineDefinitions({ assets: [...assets, a, b, c] })
`

interface Spy {
  storage: Storage
  /** What happened, in order: `commit k1,k2…` per recordMaterializations call, `read k…` per readSlots. */
  log: string[]
}

/** The workspace's storage, logging its commits and slot reads; `failOn` makes any batch holding that asset fail. */
function spy(ws: Workspace, failOn?: string): Spy {
  const log: string[] = []
  const target = ws.storage
  const storage = new Proxy(target, {
    get(t, prop) {
      if (prop === 'recordMaterializations') {
        return async (batch: readonly MaterializationToRecord[], opts?: { precedingEvents?: NewEvent[] }) => {
          if (failOn !== undefined && batch.some((r) => r.materialization.assetKey === failOn)) throw new Error(`disk full while recording ${failOn}`)
          const records = await t.recordMaterializations(batch, opts)
          log.push(`commit ${batch.map((r) => r.materialization.assetKey).join(',')}`)
          return records
        }
      }
      if (prop === 'readSlots') {
        return (slots: Parameters<Storage['readSlots']>[0], o?: Parameters<Storage['readSlots']>[1]) => {
          log.push(`read ${slots.map((s) => s.assetKey).join(',')}`)
          return t.readSlots(slots, o)
        }
      }
      const v = Reflect.get(t, prop, t)
      return typeof v === 'function' ? v.bind(t) : v
    },
  }) as Storage
  return { storage, log }
}

function run(ws: Workspace, storage: Storage, keys: string[], onEvent?: (e: RunEvent) => void) {
  return executeRun({ defs: ws.defs, defsPath: ws.defsPath, storage, home: ws.home, executor: createInProcessExecutor(), plan: planAssets(ws.defs, keys), selection: keys.join(' '), onEvent })
}

const wide = Array.from({ length: 30 }, (_, i) => `w${i}`)

describe('group commit', () => {
  it('independent steps share commits, and each is latest by the time it is reported done', () =>
    withWorkspace(WIDE, async (ws) => {
      const { storage, log } = spy(ws)
      const reported: Array<Promise<[string, number | undefined, number | undefined]>> = []
      const result = await run(ws, storage, wide, (e) => {
        // Read at once (SQLite answers synchronously): what storage holds at the moment the step is reported done.
        if (e.type === 'step-end') reported.push(ws.storage.getLatest(e.step.assetKey).then((m) => [e.step.assetKey, m?.id, e.result.materializationId]))
      })
      assert.equal(result.status, 'SUCCESS')
      const commits = log.filter((l) => l.startsWith('commit '))
      assert.ok(commits.length >= 1 && commits.length <= 3, `30 steps in a few commits, not one each: ${commits.length}`)
      assert.deepEqual(commits.flatMap((c) => c.slice('commit '.length).split(',')).sort(), [...wide].sort())
      const seen = await Promise.all(reported)
      assert.equal(seen.length, 30)
      for (const [key, latestId, reportedId] of seen) {
        assert.ok(reportedId !== undefined, `${key} reported a materialization`)
        assert.equal(latestId, reportedId, `${key} is latest when reported done`)
      }
      // The run's events all landed: a start and a success per step, in the shared transactions.
      const events = await ws.storage.getEvents(result.runId)
      assert.equal(events.filter((e) => e.type === 'STEP_START').length, 30)
      assert.equal(events.filter((e) => e.type === 'STEP_SUCCESS').length, 30)
      assert.equal(events.filter((e) => e.type === 'MATERIALIZATION').length, 30)
    }))

  it('a downstream step reads its inputs only after its upstream record is committed', () =>
    withWorkspace(WIDE, async (ws) => {
      const { storage, log } = spy(ws)
      const result = await run(ws, storage, ['a', 'b', 'c'])
      assert.equal(result.status, 'SUCCESS')
      const at = (entry: string) => {
        const i = log.findIndex((l) => l === entry || (l.startsWith('commit ') && entry.startsWith('commit ') && l.split(' ')[1]!.split(',').includes(entry.split(' ')[1]!)))
        assert.ok(i >= 0, `${entry} in ${JSON.stringify(log)}`)
        return i
      }
      assert.ok(at('commit a') < at('read b,a'), `b read after a's commit: ${JSON.stringify(log)}`)
      assert.ok(at('commit b') < at('read c,b'), `c read after b's commit: ${JSON.stringify(log)}`)
      const c = await ws.storage.getLatest('c')
      assert.equal(c?.consumed[0]?.upstreamMaterializationId, (await ws.storage.getLatest('b'))?.id)
    }))

  it('a record that cannot be stored fails its own step only; the batch it shared is stored without it', () =>
    withWorkspace(WIDE, async (ws) => {
      const { storage } = spy(ws, 'w7')
      const result = await run(ws, storage, wide)
      assert.equal(result.status, 'FAILURE')
      const byKey = new Map(result.steps.map((s) => [s.key, s]))
      assert.equal(byKey.get('w7')!.status, 'FAILURE')
      assert.match(byKey.get('w7')!.error!.message, /disk full while recording w7/)
      assert.equal(await ws.storage.getLatest('w7'), undefined, 'no materialization of the failed step')
      for (const key of wide.filter((k) => k !== 'w7')) {
        assert.equal(byKey.get(key)!.status, 'SUCCESS', key)
        assert.equal((await ws.storage.getLatest(key))?.id, byKey.get(key)!.materializationId, key)
      }
      const events = await ws.storage.getEvents(result.runId)
      assert.equal(events.filter((e) => e.type === 'STEP_START').length, 30, 'the events the failed batch carried were stored all the same')
      assert.deepEqual(
        events.filter((e) => e.type === 'STEP_FAILURE').map((e) => e.assetKey),
        ['w7'],
      )
    }))
})
