// strata models list/show/promote/rollback through the real CLI, on each storage backend.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { registerModel } from '../../engine/registry/index.js'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, type Project } from '../integration/helpers.js'
import { forEachBackend, freshSchemaUrl } from '../storage/helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const model = asset({
  key: 'model',
  compute: (ctx) => {
    ctx.registry.register({ name: 'delay', metrics: { auc: 0.82, rmse: 11.5 }, config: { depth: 4 }, gate: { passed: true, reasons: ['auc 0.82 ≥ 0.75'] } })
    return { weights: [1, 2, 3] }
  },
})
export default defineDefinitions({ assets: [model] })
`

async function seed(p: Project, cli: Project['ok'], url: string | undefined): Promise<void> {
  // Version 1 through a real run, as an asset registers it; versions 2 (gate passed) and 3 (gate failed) through the engine API.
  await cli(['materialize', '--json', '--executor', 'in-process'])
  const s = await openStorage(p.home, { url })
  try {
    await registerModel(s, { name: 'delay', metrics: { auc: 0.86 }, codeVersion: 'c2', artifact: 's3://models/delay/2', gate: { passed: true, reasons: [] } })
    await registerModel(s, { name: 'delay', metrics: { auc: 0.6 }, codeVersion: 'c3', artifact: 's3://models/delay/3', gate: { passed: false, reasons: ['auc 0.6 < 0.75'] } })
    await registerModel(s, { name: 'churn', metrics: { f1: 0.7 }, codeVersion: 'c1', artifact: 's3://models/churn/1', gate: { passed: true, reasons: [] } })
  } finally {
    await s.close()
  }
}

forEachBackend((_withStorage, backend) =>
  describe('strata models', () => {
    it('list, show, promote (with and without a passing gate), rollback, and errors', async () => {
      const p = createProject(DEFS)
      const schema = backend === 'postgres' ? freshSchemaUrl() : undefined
      // Every command of the project on this backend: materialize, ctx.registry in the worker, strata models.
      const env = { STRATA_STORAGE_URL: schema?.url }
      const cli = (args: string[], code?: number) => p.ok(args, code, { env })
      try {
        await seed(p, cli, schema?.url)
        const list = (await cli(['models', 'list', '--json'])).json
        assert.deepEqual(
          list.models.map((m: any) => [m.name, m.version, m.stage]),
          [['churn', 1, 'development'], ['delay', 3, 'development'], ['delay', 2, 'development'], ['delay', 1, 'development']],
        )
        const first = list.models.find((m: any) => m.name === 'delay' && m.version === 1)
        for (const key of ['name', 'version', 'stage', 'metrics']) assert.ok(key in first, `list entries have "${key}"`)
        assert.deepEqual(first.metrics, { auc: 0.82, rmse: 11.5 })
        assert.deepEqual((await cli(['models', 'list', 'churn', '--json'])).json.models.map((m: any) => m.name), ['churn'])
        assert.match((await cli(['models', 'list'])).stdout, /delay\s+1\s+development\s+passed\s+\S+ ago\s+auc=0\.82 rmse=11\.5/)

        // promote: 1 to production, then 2 replaces it.
        const p1 = (await cli(['models', 'promote', 'delay', '1', 'production', '--json'])).json
        assert.deepEqual(p1, { model: { name: 'delay', version: 1, stage: 'production' }, replaced: null, changed: true })
        const p2 = await cli(['models', 'promote', 'delay', '2', 'production', '--reason', 'better auc'])
        assert.match(p2.stdout, /delay v2 → production \(v1 was in production; now archived\)/)
        const stages = (await cli(['models', 'list', 'delay', '--json'])).json.models.map((m: any) => [m.version, m.stage])
        assert.deepEqual(stages, [[3, 'development'], [2, 'production'], [1, 'archived']])

        // A gate that did not pass: exit 2, nothing changes.
        const gated = await cli(['models', 'promote', 'delay', '3', 'staging'], 2)
        assert.match(gated.stderr, /Model delay version 3 cannot move to staging: its gate did not pass \(auc 0\.6 < 0\.75\).*\[STRATA_GATE_FAILED\]/)
        await cli(['models', 'promote', 'delay', '3', 'production'], 2)

        // show: config, metrics, gate, lineage, code version, stage history.
        const show = (await cli(['models', 'show', 'delay', '1', '--json'])).json
        assert.equal(show.stage, 'archived')
        assert.deepEqual(show.config, { depth: 4 })
        assert.deepEqual(show.gate, { passed: true, reasons: ['auc 0.82 ≥ 0.75'] })
        assert.equal(show.lineage.assetKey, 'model')
        assert.equal(typeof show.lineage.materializationId, 'number')
        assert.match(show.artifact, /^objects\/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/)
        assert.equal(typeof show.codeVersion, 'string')
        assert.deepEqual(show.history.map((h: any) => [h.from, h.to, h.kind]), [[null, 'development', 'register'], ['development', 'production', 'promote'], ['production', 'archived', 'replaced']])
        const showText = (await cli(['models', 'show', 'delay', '2'])).stdout
        assert.match(showText, /delay v2\s+production/)
        assert.match(showText, /development → production\s+promote\s+better auc/)

        // rollback: 1 is back in production, 2 archived; prints what is in production now.
        const started = Date.now()
        const rb = await cli(['models', 'rollback', 'delay'])
        assert.ok(Date.now() - started < 10_000, 'rollback takes seconds at most')
        assert.match(rb.stdout, /Rolled back delay: v1 is in production again \(v2 archived\)/)
        assert.deepEqual(
          (await cli(['models', 'list', 'delay', '--json'])).json.models.map((m: any) => [m.version, m.stage]),
          [[3, 'development'], [2, 'archived'], [1, 'production']],
        )
        // With --json the error is JSON on stderr.
        const none = JSON.parse((await cli(['models', 'rollback', 'delay', '--json'], 2)).stderr).error
        assert.equal(none.code, 'STRATA_NO_ROLLBACK')
        assert.match(none.message, /no earlier production version/)

        // Unknown name, version, stage; bad usage: exit 2 with a clear message.
        assert.match((await cli(['models', 'show', 'nope', '1'], 2)).stderr, /No model named "nope"\. Registered models: churn, delay\./)
        assert.match((await cli(['models', 'show', 'delay', '9'], 2)).stderr, /Model "delay" has no version 9; its versions are 1, 2, 3\./)
        assert.match((await cli(['models', 'list', 'nope'], 2)).stderr, /No model named "nope"/)
        assert.match((await cli(['models', 'promote', 'delay', '9', 'staging'], 2)).stderr, /has no version 9.*\[STRATA_UNKNOWN_MODEL\]/)
        assert.match((await cli(['models', 'promote', 'delay', '1', 'live'], 2)).stderr, /Unknown model stage "live"; use one of development, staging, production, archived/)
        assert.match((await cli(['models', 'promote', 'delay', 'one', 'staging'], 2)).stderr, /"one" is not a model version/)
        assert.match((await cli(['models', 'rollback', 'ghost'], 2)).stderr, /No model named "ghost"/)
        assert.match((await cli(['models', 'frobnicate'], 2)).stderr, /Unknown subcommand "frobnicate"/)
      } finally {
        p.cleanup()
        await schema?.drop()
      }
    })
  }),
)

describe('strata models', () => {
  it('works with --home alone, without loading the definitions', async () => {
    const p = createProject() // no definitions.ts at all
    try {
      const s = await openStorage(p.home)
      try {
        await registerModel(s, { name: 'm', metrics: {}, codeVersion: 'c', artifact: 'a', gate: { passed: true, reasons: [] } })
      } finally {
        await s.close()
      }
      const r = await p.ok(['models', 'list', '--json', '--home', p.home])
      assert.deepEqual(r.json, { models: [{ name: 'm', version: 1, stage: 'development', metrics: {}, gatePassed: true, codeVersion: 'c', createdAt: r.json.models[0].createdAt }] })
      assert.match((await p.ok(['models', 'list'], 2)).stderr, /No definitions\.ts/)
    } finally {
      p.cleanup()
    }
  })
})
