// Idempotent retraining: a registration with the same code version, config,
// consumed data versions and artifact as an existing version registers
// nothing; the registry names the version it repeats, and leaves its stage.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { modelIdentity, type IdentitySource } from '../../engine/registry/identity.js'
import { run, step, withWorkspace } from '../checks/helpers.js'
import { createProject, type Project } from '../integration/helpers.js'

const DEFS = `import { readFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const setting = (name) => readFileSync(new URL('./' + name + '.txt', import.meta.url), 'utf8').trim()

export const train = asset({ key: 'data/train', compute: () => setting('data').split(',').map(Number) })
export const model = asset({
  key: 'model',
  ins: { train },
  compute: (ctx, { train }) => {
    const weights = { w: train.reduce((a, b) => a + b, 0), seed: Number(setting('seed')) }
    ctx.registry.register({
      name: 'delay',
      // A wall time differs between identical trainings: metrics are not part of a version's identity.
      metrics: { rows: train.length, trainedAt: Date.now() },
      config: { depth: Number(setting('depth')), features: ['a', 'b'] },
      codeVersion: setting('code'),
      gate: { passed: true, reasons: [] },
      stage: 'production',
    })
    return weights
  },
})
export default defineDefinitions({ assets: [train, model] })
`

function project(): Project {
  return createProject(DEFS, { 'data.txt': '1,2,3', 'seed.txt': '7', 'depth.txt': '3', 'code.txt': 'train-v1' })
}

interface StepModel {
  name: string
  version: number
  stage: string
  kind: string
  unchanged?: boolean
}

/** Forces the model step (not --stale): a retrain on whatever data/train holds. */
async function retrain(p: Project, selection = 'model'): Promise<StepModel[]> {
  const r = await p.ok(['materialize', selection, '--json', '--executor', 'in-process'])
  const step = (r.json.steps as Array<{ key: string; models?: StepModel[] }>).find((s) => s.key === 'model')
  assert.ok(step?.models, `the model step reports its registry requests: ${r.stdout}`)
  // The fields this test is about (the output has more, e.g. the gate).
  return step.models.map(({ name, version, stage, kind }) => ({ name, version, stage, kind }))
}

const versions = async (p: Project) => ((await p.ok(['models', 'list', 'delay', '--json'])).json.models as StepModel[]).map((m) => [m.version, m.stage])

describe('identical retrain', () => {
  it('registers nothing, says which version it repeats, and keeps that version’s stage', { timeout: 180_000 }, async () => {
    const p = project()
    try {
      assert.deepEqual(await retrain(p, 'data/train model'), [{ name: 'delay', version: 1, stage: 'production', kind: 'register' }])
      assert.deepEqual(await retrain(p), [{ name: 'delay', version: 1, stage: 'production', kind: 'existing' }])
      assert.deepEqual(await versions(p), [[1, 'production']], 'no duplicate version 2')

      // The text output and the run's log say so.
      const text = await p.ok(['materialize', 'model', '--executor', 'in-process'])
      assert.match(text.stdout, /^ .*delay v1 unchanged \(identical retrain\)/m)
      const runId = (await p.ok(['runs', '--json'])).json.runs[0].runId as string
      const logs = (await p.ok(['logs', runId])).stdout
      assert.match(logs, /Model delay v1 unchanged \(identical retrain\): same code version, config, data versions consumed and artifact as version 1, so nothing was registered; it stays in production/)
      assert.doesNotMatch(logs, /Registered model/)

      // Each part of the identity makes a new version: config, ...
      p.write('depth.txt', '4')
      assert.deepEqual(await retrain(p), [{ name: 'delay', version: 2, stage: 'production', kind: 'register' }])
      // ... the code version, ...
      p.write('code.txt', 'train-v2')
      assert.equal((await retrain(p))[0]!.version, 3)
      // ... the model's bytes (another seed, same data and config), ...
      p.write('seed.txt', '8')
      assert.equal((await retrain(p))[0]!.version, 4)
      // ... and the data consumed.
      p.write('data.txt', '1,2,4')
      assert.equal((await retrain(p, 'data/train model'))[0]!.version, 5)
      assert.deepEqual(await versions(p), [[5, 'production'], [4, 'archived'], [3, 'archived'], [2, 'archived'], [1, 'archived']])

      // Back to version 2's data, config, code and seed: version 2 is recognised, and stays archived
      // (its registration asked for production, but a retrain must not undo a promotion or a rollback).
      p.write('depth.txt', '4')
      p.write('code.txt', 'train-v1')
      p.write('seed.txt', '7')
      p.write('data.txt', '1,2,3')
      assert.deepEqual(await retrain(p, 'data/train model'), [{ name: 'delay', version: 2, stage: 'archived', kind: 'existing' }])
      assert.deepEqual((await versions(p))[0], [5, 'production'])
      assert.equal((await versions(p)).length, 5)
    } finally {
      p.cleanup()
    }
  })
})

describe('identical retrain, engine API', () => {
  it('the step result names the existing version with unchanged: true; the run log has one line and no MODEL_REGISTERED event', async () => {
    await withWorkspace(project(), async (ws) => {
      assert.deepEqual(step(await run(ws, { selection: 'data/train model' }), 'model').models, [{ name: 'delay', version: 1, stage: 'production', kind: 'register' }])
      const again = await run(ws, { selection: 'model' })
      assert.deepEqual(step(again, 'model').models, [{ name: 'delay', version: 1, stage: 'production', kind: 'existing', unchanged: true }])
      const events = await ws.storage.getEvents(again.runId!, { types: ['MODEL_REGISTERED', 'LOG'] })
      assert.deepEqual(
        events.filter((e) => e.type === 'MODEL_REGISTERED' || /identical retrain/.test(e.message ?? '')).map((e) => [e.type, e.level]),
        [['LOG', 'info']],
      )
      assert.equal((await ws.storage.listModels('delay')).length, 1)
    })
  })
})

describe('modelIdentity', () => {
  const base: IdentitySource = {
    codeVersion: 'c1',
    config: { depth: 3, nested: { a: 1, b: [1, 2] } },
    artifact: 'objects/ab/abc.json',
    lineage: {
      materializationId: 9,
      inputs: [
        { assetKey: 'x', partitionKey: '2024-01-02', dataVersion: 'd2', materializationId: 4 },
        { assetKey: 'x', partitionKey: '2024-01-01', dataVersion: 'd1', materializationId: 3 },
      ],
    },
  }
  const stored = { location: 'objects/ab/abc.json', dataVersion: 'v1' }
  const id = modelIdentity(base, stored)

  it('ignores key order, input order, materialization ids and other lineage', () => {
    const reordered: IdentitySource = {
      ...base,
      config: { nested: { b: [1, 2], a: 1 }, depth: 3 },
      lineage: { runId: 'r2', materializationId: 12, inputs: [...base.lineage.inputs!].reverse().map((i) => ({ ...i, materializationId: i.materializationId + 10 })) },
    }
    assert.equal(modelIdentity(reordered, stored), id)
  })

  it('changes with the code version, the config, a consumed data version and the artifact', () => {
    assert.notEqual(modelIdentity({ ...base, codeVersion: 'c2' }, stored), id)
    assert.notEqual(modelIdentity({ ...base, config: { ...base.config, depth: 4 } }, stored), id)
    assert.notEqual(modelIdentity({ ...base, config: { ...base.config, nested: { a: 1, b: [2, 1] } } }, stored), id, 'array order is part of the config')
    assert.notEqual(modelIdentity({ ...base, lineage: { inputs: [{ ...base.lineage.inputs![0]!, dataVersion: 'd3' }, base.lineage.inputs![1]!] } }, stored), id)
    assert.notEqual(modelIdentity(base, { ...stored, dataVersion: 'v2' }), id)
  })

  it('knows a stored artifact by its data version, any other artifact by its URI', () => {
    // Another location holding a value with the same data version (e.g. an explicit one ignoring a wall time): the same artifact.
    assert.equal(modelIdentity({ ...base, artifact: 'objects/cd/cde.json' }, { location: 'objects/cd/cde.json', dataVersion: 'v1' }), id)
    const uri = { ...base, artifact: 's3://models/delay/1' }
    assert.equal(modelIdentity(uri, stored), modelIdentity(uri))
    assert.notEqual(modelIdentity(uri), modelIdentity({ ...base, artifact: 's3://models/delay/2' }))
  })
})
