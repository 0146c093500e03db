// ctx.registry inside compute: deferred registration applied after the
// materialization is recorded (lineage, artifact), gates, failed steps
// register nothing, and reads from workers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getProductionModel, listModels } from '../../engine/registry/index.js'
import { createProject } from '../integration/helpers.js'
import { run, step, withWorkspace } from '../checks/helpers.js'

const DEFS = `import { readFileSync } from 'node:fs'
import { asset, check, defineDefinitions } from 'strata-engine'
const setting = (name) => readFileSync(new URL('./' + name + '.txt', import.meta.url), 'utf8').trim()

export const train = asset({ key: 'data/train', codeVersion: 'data-v1', compute: () => [1, 2, 3, 4] })
export const model = asset({
  key: 'model',
  codeVersion: 'model-v1',
  ins: { train },
  compute: (ctx, { train }) => {
    const auc = setting('gate') === 'pass' ? 0.9 : 0.5
    const weights = { w: train.length, auc }
    ctx.registry.register({
      name: 'delay',
      metrics: { auc },
      config: { depth: Number(setting('depth')) },
      gate: { passed: auc >= 0.75, reasons: ['auc ' + auc + (auc >= 0.75 ? ' ≥ ' : ' < ') + '0.75'] },
      lineage: { note: 'nightly' },
      stage: 'production',
    })
    if (setting('promote') !== 'none') ctx.registry.promote('delay', Number(setting('promote')), 'staging')
    return weights
  },
  checks: [check({ name: 'sane', fn: () => setting('check') === 'pass' })],
})
export const serving = asset({
  key: 'serving',
  deps: [model],
  compute: async (ctx) => {
    const prod = await ctx.registry.production('delay')
    if (!prod) return { version: null }
    const weights = await ctx.registry.loadArtifact(prod)
    const all = await ctx.registry.list('delay')
    return { version: prod.version, weights, versions: all.map((m) => m.version), got: (await ctx.registry.get('delay', prod.version))?.stage }
  },
})
export const invalid = asset({ key: 'invalid', compute: (ctx) => { ctx.registry.register({ name: 'x y', metrics: {}, gate: { passed: true, reasons: [] } }); return 1 } })
export default defineDefinitions({ assets: [train, model, serving, invalid] })
`

function project(settings: { gate?: string; check?: string; promote?: string } = {}) {
  return createProject(DEFS, { 'gate.txt': settings.gate ?? 'pass', 'check.txt': settings.check ?? 'pass', 'promote.txt': settings.promote ?? 'none', 'depth.txt': '3' })
}

describe('ctx.registry', () => {
  it('registers after the materialization is recorded: lineage names it and the inputs, artifact is the stored value; reads work in workers', async () => {
    const p = project()
    await withWorkspace(p, async (ws) => {
      const r = await run(ws, { selection: 'data/train model' })
      assert.equal(r.status, 'SUCCESS')
      const m = step(r, 'model')
      assert.deepEqual(m.models, [{ name: 'delay', version: 1, stage: 'production', kind: 'register' }])
      const train = await ws.storage.getLatest('data/train')
      const stored = await ws.storage.getLatest('model')
      const v1 = (await ws.storage.getModel('delay', 1))!
      assert.equal(v1.stage, 'production')
      assert.deepEqual(v1.metrics, { auc: 0.9 })
      assert.deepEqual(v1.config, { depth: 3 })
      assert.equal(v1.codeVersion, 'model-v1')
      assert.equal(v1.artifact, stored!.location)
      assert.deepEqual(v1.gate, { passed: true, reasons: ['auc 0.9 ≥ 0.75'] })
      assert.deepEqual(v1.lineage, {
        note: 'nightly',
        assetKey: 'model',
        partitionKeys: [],
        runId: r.runId,
        materializationId: stored!.id,
        inputs: [{ assetKey: 'data/train', partitionKey: '', dataVersion: train!.dataVersion, materializationId: train!.id, input: 'train' }],
      })
      const events = await ws.storage.getEvents(r.runId!, { types: ['MODEL_REGISTERED', 'STEP_SUCCESS'] })
      const modelEvents = events.filter((e) => e.assetKey === 'model').map((e) => e.type)
      assert.deepEqual(modelEvents, ['MODEL_REGISTERED', 'STEP_SUCCESS'])
      assert.match(events.find((e) => e.type === 'MODEL_REGISTERED')!.message!, /Registered model delay version 1 \(production\)/)

      // A second version (another config) replaces the first in production; a downstream asset in a pool worker reads it.
      p.write('depth.txt', '4')
      const r2 = await run(ws, { selection: 'model serving', executor: 'pool', concurrency: 1 })
      assert.equal(r2.status, 'SUCCESS', JSON.stringify(r2.steps.map((s) => s.error?.message)))
      assert.deepEqual((await listModels(ws, 'delay')).map((x) => [x.version, x.stage]), [[2, 'production'], [1, 'archived']])
      const served = await ws.storage.getLatest('serving')
      const { readFileSync } = await import('node:fs')
      const { join } = await import('node:path')
      const value = JSON.parse(readFileSync(join(ws.home, served!.location), 'utf8'))
      assert.deepEqual(value, { version: 2, weights: { w: 4, auc: 0.9 }, versions: [2, 1], got: 'production' })
    })
  })

  it('a gate that did not pass keeps the new version in development, with a warning; the step succeeds', async () => {
    const p = project({ gate: 'fail' })
    await withWorkspace(p, async (ws) => {
      const r = await run(ws, { selection: 'data/train model' })
      assert.equal(r.status, 'SUCCESS')
      assert.deepEqual(step(r, 'model').models, [{ name: 'delay', version: 1, stage: 'development', kind: 'register' }])
      assert.equal(await getProductionModel(ws, 'delay'), undefined)
      const logs = await ws.storage.getEvents(r.runId!, { types: ['LOG'] })
      assert.ok(logs.some((e) => e.level === 'warn' && /registered in development, not production, because its gate did not pass \(auc 0\.5 < 0\.75\)/.test(e.message ?? '')))
    })
  })

  it('nothing is registered when a blocking check fails, and a bad promote request fails the step before anything is recorded', async () => {
    const p = project({ check: 'fail' })
    await withWorkspace(p, async (ws) => {
      const r = await run(ws, { selection: 'data/train model' })
      assert.equal(step(r, 'model').error?.code, 'STRATA_CHECK_FAILED')
      assert.deepEqual(await listModels(ws), [])
      assert.equal(await ws.storage.getLatest('model'), undefined)

      p.write('check.txt', 'pass')
      p.write('promote.txt', '7')
      const bad = await run(ws, { selection: 'model' })
      const s = step(bad, 'model')
      assert.equal(s.status, 'FAILURE')
      assert.equal(s.error?.code, 'STRATA_UNKNOWN_MODEL')
      assert.match(s.error!.message, /model "delay" has no version 7/)
      assert.deepEqual(await listModels(ws), [], 'the registration queued with it was not applied')
      assert.equal(await ws.storage.getLatest('model'), undefined)

      p.write('promote.txt', 'none')
      p.write('gate.txt', 'fail')
      assert.equal((await run(ws, { selection: 'model' })).status, 'SUCCESS')
      p.write('gate.txt', 'pass')
      p.write('promote.txt', '1')
      const gated = await run(ws, { selection: 'model' })
      assert.equal(step(gated, 'model').error?.code, 'STRATA_GATE_FAILED', 'promoting version 1 (gate failed) to staging fails the step')
      assert.deepEqual((await listModels(ws)).map((m) => m.version), [1])
    })
  })

  it('register() with an invalid model throws inside compute: STRATA_INVALID_MODEL', async () => {
    const p = project()
    await withWorkspace(p, async (ws) => {
      const r = await run(ws, { selection: 'invalid' })
      assert.equal(step(r, 'invalid').error?.code, 'STRATA_INVALID_MODEL')
    })
  })
})
