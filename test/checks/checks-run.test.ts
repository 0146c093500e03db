// Checks through real runs with the engine API (in-process executor):
// blocking failures fail the step and keep the last good materialization,
// warnings are recorded, results and CHECK events are stored.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { flightsProject, run, step, withWorkspace } from './helpers.js'
import { createProject } from '../integration/helpers.js'

describe('asset checks in runs', () => {
  it('passing checks are stored with the materialization they judged', () =>
    withWorkspace(flightsProject('good'), async (ws) => {
      const r = await run(ws)
      assert.equal(r.status, 'SUCCESS')
      const raw = step(r, 'raw/flights')
      assert.deepEqual(raw.checks?.map((c) => [c.name, c.passed, c.blocking]), [
        ['contract', true, true],
        ['enough_rows', true, false],
      ])
      const latest = await ws.storage.getLatestCheckResults('raw/flights')
      assert.deepEqual(latest.map((c) => c.checkName), ['contract', 'enough_rows'])
      for (const c of latest) {
        assert.equal(c.passed, true)
        assert.equal(c.materializationId, raw.materializationId)
        assert.equal(c.runId, r.runId)
        assert.equal(c.partitionKey, '')
      }
      assert.equal(latest.find((c) => c.checkName === 'contract')!.metadata.rowCount, 3)
      assert.deepEqual(latest.find((c) => c.checkName === 'enough_rows')!.metadata, { rows: 3 })
      const events = await ws.storage.getEvents(r.runId!, { types: ['CHECK'] })
      assert.equal(events.length, 2)
      assert.ok(events.every((e) => e.assetKey === 'raw/flights' && e.level === 'info' && e.data?.passed === true))
    }))

  it('a failing blocking check fails the step with STRATA_CHECK_FAILED, skips downstream, keeps the last good materialization, and is not retried', () =>
    withWorkspace(flightsProject('good'), async (ws) => {
      const good = await run(ws)
      const before = await ws.storage.getLatest('raw/flights')
      const featuresBefore = await ws.storage.getLatest('features')
      assert.ok(before && featuresBefore)

      writeFileSync(join(dirname(ws.defsPath), 'mode.txt'), 'bad')
      const r = await run(ws)
      assert.equal(r.status, 'FAILURE')
      const raw = step(r, 'raw/flights')
      assert.equal(raw.status, 'FAILURE')
      assert.equal(raw.error?.code, 'STRATA_CHECK_FAILED')
      assert.equal(raw.attempts, 1, 'a check failure is not retried even with a retry policy')
      assert.match(raw.error!.message, /check "contract" failed/)
      for (const v of [/field "delay": expected integer, got number/, /field "carrier": 1 value not in \["AA", "UA"\]/, /field "distance": 1 value outside \[0, 6000\]/, /field "origin": 1 null in a non-nullable field/, /null rate 0.5 exceeds 0/]) {
        assert.match(raw.error!.message, v)
      }
      assert.doesNotMatch(raw.error!.message, /enough_rows/, 'warnings do not fail the step')
      assert.deepEqual([step(r, 'features').status, step(r, 'features').skipReason], ['SKIPPED', 'UPSTREAM_FAILED'])
      assert.deepEqual([step(r, 'report').status, step(r, 'report').skipReason], ['SKIPPED', 'UPSTREAM_FAILED'])

      const after = await ws.storage.getLatest('raw/flights')
      assert.equal(after!.id, before.id, 'the last good materialization stays latest')
      assert.equal(after!.dataVersion, before.dataVersion)
      assert.equal((await ws.storage.listMaterializations('raw/flights')).length, 1, 'nothing was recorded for the failed value')
      assert.equal((await ws.storage.getLatest('features'))!.id, featuresBefore.id)

      const latest = await ws.storage.getLatestCheckResults('raw/flights', '')
      const contract = latest.find((c) => c.checkName === 'contract')!
      assert.equal(contract.passed, false)
      assert.equal(contract.blocking, true)
      assert.equal(contract.runId, r.runId)
      assert.equal(contract.materializationId, undefined)
      assert.equal((contract.metadata.violations as string[]).length, 5)
      const warn = latest.find((c) => c.checkName === 'enough_rows')!
      assert.deepEqual([warn.passed, warn.blocking, warn.message], [false, false, '2 rows'])

      const events = await ws.storage.getEvents(r.runId!)
      const types = events.filter((e) => e.assetKey === 'raw/flights').map((e) => e.type)
      assert.deepEqual(types.filter((t) => t === 'CHECK' || t === 'STEP_FAILURE' || t === 'STEP_RETRY'), ['CHECK', 'CHECK', 'STEP_FAILURE'])
      const failedCheck = events.find((e) => e.type === 'CHECK' && e.data?.checkName === 'contract')!
      assert.equal(failedCheck.level, 'error')
      assert.match(failedCheck.message!, /check contract FAILED \(blocking\)/)
      const states = await ws.storage.getPartitionStates('raw/flights')
      assert.equal(states[0]!.state, 'FAILED')
      assert.equal(states[0]!.materializationId, before.id)

      const counts = await ws.storage.countLatestCheckResults(['raw/flights'])
      assert.deepEqual(counts, [
        { assetKey: 'raw/flights', checkName: 'contract', passed: 0, failed: 1, warned: 0 },
        { assetKey: 'raw/flights', checkName: 'enough_rows', passed: 0, failed: 0, warned: 1 },
      ])
      assert.equal(good.status, 'SUCCESS')
    }))

  it('a failing warning check is recorded and the step succeeds', () =>
    withWorkspace(flightsProject('small'), async (ws) => {
      const r = await run(ws)
      assert.equal(r.status, 'SUCCESS')
      const raw = step(r, 'raw/flights')
      assert.equal(raw.status, 'SUCCESS')
      assert.equal(step(r, 'report').status, 'SUCCESS')
      const warn = (await ws.storage.getLatestCheckResults('raw/flights')).find((c) => c.checkName === 'enough_rows')!
      assert.equal(warn.passed, false)
      assert.equal(warn.blocking, false)
      assert.equal(warn.materializationId, raw.materializationId)
      const ev = (await ws.storage.getEvents(r.runId!, { types: ['CHECK'] })).find((e) => e.data?.checkName === 'enough_rows')!
      assert.equal(ev.level, 'warn')
    }))

  it('a check that throws, returns garbage or non-JSON metadata fails; a malformed contract file fails even a warning contract', async () => {
    const p = createProject(`import { asset, check, dataContract, defineDefinitions } from 'strata-engine'
const circular: any = {}
circular.self = circular
export const throws = asset({ key: 'throws', compute: () => [1], checks: [check({ name: 'boom', fn: () => { throw new Error('kaput') } })] })
export const garbage = asset({ key: 'garbage', compute: () => [1], checks: [check({ name: 'weird', fn: () => 'yes' as any })] })
export const meta = asset({ key: 'meta', compute: () => [1], checks: [check({ name: 'meta', blocking: false, fn: () => ({ passed: true, metadata: circular }) })] })
export const asyncCheck = asset({ key: 'async', compute: () => [1, 2], checks: [check({ name: 'later', fn: async (_c, v: number[]) => { await new Promise((r) => setTimeout(r, 5)); return v.length === 2 } })] })
export const malformed = asset({ key: 'malformed', compute: () => [{ a: 1 }], checks: [dataContract({ file: new URL('./bad.contract.yaml', import.meta.url), blocking: false })] })
export default defineDefinitions({ assets: [throws, garbage, meta, asyncCheck, malformed] })
`, { 'bad.contract.yaml': 'fields:\n  - { name: a, type: float }\n' })
    await withWorkspace(p, async (ws) => {
      const r = await run(ws)
      const t = step(r, 'throws')
      assert.equal(t.error?.code, 'STRATA_CHECK_FAILED')
      assert.match(t.checks![0]!.message!, /the check threw: kaput/)
      assert.match(step(r, 'garbage').checks![0]!.message!, /returned string; return true\/false or \{ passed/)
      const m = step(r, 'meta')
      assert.equal(m.status, 'SUCCESS', 'a non-blocking check failing on its metadata only warns')
      assert.match(m.checks![0]!.message!, /metadata is not JSON-serializable/)
      assert.equal(step(r, 'async').status, 'SUCCESS')
      const bad = step(r, 'malformed')
      assert.equal(bad.status, 'FAILURE')
      assert.equal(bad.error?.code, 'STRATA_INVALID_CONTRACT')
      assert.match(bad.error!.message, /bad\.contract\.yaml/)
      assert.match(bad.error!.message, /unknown type "float"/)
      assert.equal((await ws.storage.getLatestCheckResults('malformed'))[0]!.passed, false)
    })
  })

  it('partitioned assets: one result per partition, and a failing partition keeps its own last good materialization', async () => {
    const p = createProject(`import { readFileSync } from 'node:fs'
import { asset, check, defineDefinitions, staticPartitions } from 'strata-engine'
const bad = () => readFileSync(new URL('./bad.txt', import.meta.url), 'utf8').trim()
export const regional = asset({
  key: 'regional',
  partitions: staticPartitions(['us', 'eu', 'ap']),
  compute: (ctx) => ({ region: ctx.partitionKey, rows: ctx.partitionKey === bad() ? 0 : 10 }),
  checks: [check({ name: 'has_rows', fn: (_c, v: { rows: number }) => ({ passed: v.rows > 0, message: v.rows + ' rows' }) })],
})
export default defineDefinitions({ assets: [regional] })
`, { 'bad.txt': 'none' })
    await withWorkspace(p, async (ws) => {
      const all3 = { partitions: { keys: ['us', 'eu', 'ap'] } }
      assert.equal((await run(ws, all3)).status, 'SUCCESS')
      const eu = await ws.storage.getLatest('regional', 'eu')
      p.write('bad.txt', 'eu')
      const r = await run(ws, all3)
      assert.equal(r.status, 'FAILURE')
      const failed = r.steps.filter((s) => s.status === 'FAILURE')
      assert.deepEqual(failed.map((s) => s.partitionKeys), [['eu']])
      assert.equal((await ws.storage.getLatest('regional', 'eu'))!.id, eu!.id)
      const all = await ws.storage.getLatestCheckResults('regional')
      assert.deepEqual(all.map((c) => [c.partitionKey, c.passed]), [['ap', true], ['eu', false], ['us', true]])
      assert.deepEqual(await ws.storage.countLatestCheckResults(), [{ assetKey: 'regional', checkName: 'has_rows', passed: 2, failed: 1, warned: 0 }])
    })
  })
})
