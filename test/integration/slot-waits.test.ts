// A run meeting another run's attempt on a slot it needs: it waits for a live
// run and builds on its result, and never waits for a run whose process died.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { describe, it } from 'node:test'
import { createInProcessExecutor, executeRun, planAssets, type RunEvent, type Workspace } from '../../engine/index.js'
import { storeValue } from '../../engine/io/object-store.js'
import { waitFor } from './db.js'
import { withWorkspace } from './workspace.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => 1 })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a + 1 })
export default defineDefinitions({ assets: [a, b] })
`

function run(ws: Workspace, keys: string[], onEvent?: (e: RunEvent) => void) {
  return executeRun({ defs: ws.defs, defsPath: ws.defsPath, storage: ws.storage, home: ws.home, executor: createInProcessExecutor(), plan: planAssets(ws.defs, keys), selection: keys.join(' '), onEvent })
}

/** What another run records when it materializes `key` with the current code. */
async function materializeAs(ws: Workspace, runId: string, key: string, value: unknown) {
  const stored = await storeValue(ws.home, value)
  const now = Date.now()
  return ws.storage.recordMaterialization(
    { assetKey: key, partitionKey: '', runId, codeVersion: ws.defs.byKey.get(key)!.codeVersion, dataVersion: stored.contentHash.slice(0, 20), location: stored.location, format: stored.format, bytes: stored.bytes, metadata: {}, startedAt: now, endedAt: now },
    [],
  )
}

const otherRun = (runId: string, pid = process.pid) => ({ runId, selection: 'a', stepKeys: ['a'], defsPath: 'definitions.ts', pid, host: hostname(), startedAt: Date.now() })

describe('slots held by other runs', () => {
  it('a target another live run is materializing is waited for, then up to date', () =>
    withWorkspace(DEFS, async (ws) => {
      await ws.storage.createRun(otherRun('other'))
      assert.deepEqual(await ws.storage.claimSlots('other', [{ assetKey: 'a', partitionKey: '', basis: 0 }], Date.now()), [])
      const logs: string[] = []
      const result = run(ws, ['a'], (e) => e.type === 'step-log' && logs.push(e.line.message))
      await waitFor('the run to wait', () => logs.length > 0)
      assert.match(logs[0]!, /^Waiting for run other \(pid \d+ on .*\), which is materializing a$/)
      const theirs = await materializeAs(ws, 'other', 'a', 1)
      await ws.storage.finishRun('other', 'SUCCESS', Date.now())
      const r = await result
      assert.equal(r.status, 'SUCCESS')
      assert.deepEqual([r.steps[0]!.status, r.steps[0]!.skipReason, r.steps[0]!.dataVersion], ['SKIPPED', 'UP_TO_DATE', theirs.dataVersion])
      assert.equal((await ws.storage.listMaterializations('a')).length, 1, 'not built twice')
    }))

  it('an input another live run is materializing for the first time is waited for, not a missing input', () =>
    withWorkspace(DEFS, async (ws) => {
      await ws.storage.createRun(otherRun('other'))
      await ws.storage.claimSlots('other', [{ assetKey: 'a', partitionKey: '', basis: 0 }], Date.now())
      let waiting = false
      const result = run(ws, ['b'], (e) => e.type === 'step-log' && (waiting = true))
      await waitFor('the run to wait', () => waiting)
      const theirs = await materializeAs(ws, 'other', 'a', 41)
      await ws.storage.finishRun('other', 'SUCCESS', Date.now())
      const r = await result
      assert.equal(r.steps[0]!.status, 'SUCCESS', JSON.stringify(r.steps[0]))
      assert.deepEqual((await ws.storage.getLatest('b'))!.consumed.map((e) => e.upstreamMaterializationId), [theirs.id])
    }))

  it('a slot held by a run whose process died is not waited for: that run is marked failed and the step runs', () =>
    withWorkspace(DEFS, async (ws) => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!
      await ws.storage.createRun(otherRun('ghost', dead))
      await ws.storage.claimSlots('ghost', [{ assetKey: 'a', partitionKey: '', basis: 0 }], Date.now())
      const r = await run(ws, ['a'])
      assert.equal(r.steps[0]!.status, 'SUCCESS')
      assert.equal((await ws.storage.getRun('ghost'))!.status, 'FAILURE')
      assert.deepEqual((await ws.storage.getPartitionStates('a')).map((s) => [s.state, s.runId]), [['MATERIALIZED', r.runId]])
    }))
})
