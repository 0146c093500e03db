// A registry production version as an input: an asset declaring
// `models: ['delay']` records the production version it was built with, is
// STALE after a promotion or a rollback (with the reason), and
// `materialize --stale` rebuilds it and what reads it, and nothing else.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, isStrataError } from 'strata-engine'
import { structureComponents } from '../../engine/versioning/structure.js'
import { describeChanges, diffComponents } from '../../engine/versioning/version-diff.js'
import { assetsByKey, createProject, get, stepsByKey, type Project } from '../integration/helpers.js'

const DEFS = `import { readFileSync } from 'node:fs'
import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
const setting = (name) => readFileSync(new URL('./' + name + '.txt', import.meta.url), 'utf8').trim()
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-03' })

// Not an input of the monitors: only the registry connects them.
export const model = asset({
  key: 'model',
  compute: (ctx) => {
    ctx.registry.register({ name: 'delay', metrics: {}, config: { depth: Number(setting('depth')) }, gate: { passed: true, reasons: [] }, stage: 'production' })
    return { depth: Number(setting('depth')) }
  },
})
const monitored = async (ctx) => (await ctx.registry.production('delay'))?.version ?? null
export const monitor = asset({ key: 'monitoring/reference', models: ['delay'], compute: async (ctx) => ({ version: await monitored(ctx) }) })
export const daily = asset({ key: 'monitoring/daily', partitions: days, models: ['delay'], compute: async (ctx) => ({ day: ctx.partitionKey, version: await monitored(ctx) }) })
export const report = asset({ key: 'report', ins: { monitor }, compute: (_ctx, { monitor }) => 'monitoring v' + monitor.version })
export const other = asset({ key: 'other', compute: () => 1 })
export default defineDefinitions({ assets: [model, monitor, daily, report, other] })
`

interface Why {
  status: string
  reasons: string[]
  reasonDetails: Array<{ kind: string; [k: string]: unknown }>
}

async function statuses(p: Project): Promise<Record<string, string>> {
  return Object.fromEntries([...assetsByKey(await p.ok(['list', '--json'])).values()].map((a) => [a.key, a.status]))
}

async function monitoredVersion(p: Project): Promise<number | null> {
  const lineage = (await p.ok(['lineage', 'monitoring/reference', '--json'])).json
  return p.readObject(lineage.location).version
}

/** `materialize --stale`: the keys it built. */
async function rebuildStale(p: Project): Promise<string[]> {
  const steps = stepsByKey(await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process']))
  return [...steps.values()].filter((s) => s.status === 'SUCCESS').map((s) => s.key).sort()
}

const FRESH = { model: 'FRESH', 'monitoring/reference': 'FRESH', 'monitoring/daily': 'FRESH', report: 'FRESH', other: 'FRESH' }

describe('a production model version as an input', () => {
  it('promotion and rollback make the monitors STALE with the reason, and --stale rebuilds exactly them and what reads them', { timeout: 240_000 }, async () => {
    const p = createProject(DEFS, { 'depth.txt': '3' })
    try {
      // The model first (the monitors do not depend on its asset), then everything else.
      await p.ok(['materialize', 'model', '--json', '--executor', 'in-process'])
      assert.deepEqual(await rebuildStale(p), ['monitoring/daily', 'monitoring/reference', 'other', 'report'])
      assert.deepEqual(await statuses(p), FRESH)
      assert.equal(await monitoredVersion(p), 1)
      const lineage = (await p.ok(['lineage', 'monitoring/reference', '--json'])).json
      assert.deepEqual(lineage.productionModels, [{ name: 'delay', version: 1 }])
      assert.match((await p.ok(['lineage', 'monitoring/reference'])).stdout, /production model: delay v1/)

      // A new version registered straight into production (only the model asset runs).
      p.write('depth.txt', '4')
      await p.ok(['materialize', 'model', '--json', '--executor', 'in-process'])
      assert.deepEqual((await p.ok(['models', 'list', 'delay', '--json'])).json.models.map((m: { version: number; stage: string }) => [m.version, m.stage]), [[2, 'production'], [1, 'archived']])
      assert.deepEqual(await statuses(p), { ...FRESH, 'monitoring/reference': 'STALE', 'monitoring/daily': 'STALE', report: 'STALE' })
      const why = (await p.ok(['why', 'monitoring/reference', '--json'])).json as Why
      assert.deepEqual(why.reasons, ['production model delay changed: v1 → v2'])
      assert.deepEqual(why.reasonDetails, [{ kind: 'PRODUCTION_MODEL_CHANGED', model: 'delay', consumed: 1, current: 2 }])
      const daily = (await p.ok(['why', 'monitoring/daily', '--partition', '2024-01-02', '--json'])).json as Why
      assert.deepEqual(daily.reasons, ['production model delay changed: v1 → v2'])
      assert.match((await p.ok(['why', 'report'])).stdout, /root cause: monitoring\/reference: production model delay changed: v1 → v2/)
      assert.deepEqual(await rebuildStale(p), ['monitoring/daily', 'monitoring/reference', 'report'])
      assert.equal(await monitoredVersion(p), 2)
      assert.deepEqual(await statuses(p), FRESH)

      // Rollback: version 1 is in production again.
      await p.ok(['models', 'rollback', 'delay'])
      assert.deepEqual((await p.ok(['why', 'monitoring/reference', '--json'])).json.reasons, ['production model delay changed: v2 → v1'])
      assert.deepEqual(await statuses(p), { ...FRESH, 'monitoring/reference': 'STALE', 'monitoring/daily': 'STALE', report: 'STALE' })
      assert.deepEqual(await rebuildStale(p), ['monitoring/daily', 'monitoring/reference', 'report'])
      assert.equal(await monitoredVersion(p), 1)

      // A promotion by hand, then none in production at all.
      await p.ok(['models', 'promote', 'delay', '2', 'production'])
      assert.deepEqual((await p.ok(['why', 'monitoring/reference', '--json'])).json.reasons, ['production model delay changed: v1 → v2'])
      await rebuildStale(p)
      await p.ok(['models', 'promote', 'delay', '2', 'archived'])
      assert.deepEqual((await p.ok(['why', 'monitoring/reference', '--json'])).json.reasons, ['production model delay changed: v2 → none'])
      assert.deepEqual(await rebuildStale(p), ['monitoring/daily', 'monitoring/reference', 'report'])
      assert.equal(await monitoredVersion(p), null)
      assert.deepEqual((await p.ok(['lineage', 'monitoring/reference', '--json'])).json.productionModels, [{ name: 'delay', version: null }])
      assert.deepEqual(await statuses(p), FRESH)

      // With the production version unchanged, nothing is rebuilt.
      assert.deepEqual(await rebuildStale(p), [])
    } finally {
      p.cleanup()
    }
  })

  it('the declaration: model names are checked, sorted, and part of the structural version', () => {
    const throwsInvalid = (fn: () => unknown, message: RegExp) =>
      assert.throws(fn, (err: unknown) => isStrataError(err) && err.code === 'STRATA_INVALID_ASSET' && message.test(err.message))
    throwsInvalid(() => asset({ key: 'm', models: ['bad name'], compute: () => 1 }), /Asset "m": models lists "bad name", which is not a model name/)
    throwsInvalid(() => asset({ key: 'm', models: 'delay' as unknown as string[], compute: () => 1 }), /models must be a list of registry model names/)
    const a = asset({ key: 'm', models: ['zeta', 'delay', 'zeta'], compute: () => 1 })
    assert.deepEqual(a.models, ['delay', 'zeta'])
    assert.deepEqual(asset({ key: 'n', compute: () => 1 }).models, [])
    const before = structureComponents(asset({ key: 'm', compute: () => 1 }))
    const after = structureComponents(asset({ key: 'm', models: ['delay'], compute: () => 1 }))
    assert.equal(after['model:delay'], 'production')
    assert.deepEqual(describeChanges(diffComponents(before, after)), ['now reads the production version of model delay'])
    assert.deepEqual(describeChanges(diffComponents(after, before)), ['no longer reads the production version of model delay'])
  })

  it('flights monitoring reads the production version of its model', async () => {
    const flights = await import('../../examples/flights/definitions.js')
    const reference = get(new Map(flights.default.assets.map((x) => [x.key, x])), 'monitoring/reference')
    assert.deepEqual(reference.models, [flights.config.model_name])
  })
})
