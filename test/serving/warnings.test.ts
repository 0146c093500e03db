// The warnings API of served models, generically: a tiny model whose online
// store holds days 10..20 says, per instance, what it could not give it; the
// server answers every prediction with `warnings`, counts them in /metrics by
// model and kind, and under strictFeatures (the CLI's --strict-features)
// refuses an instance whose features are unavailable with 422.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { servedModel } from '../../assets/serving.js'
import { openWorkspace, type Workspace } from '../../engine/index.js'
import { storeValue } from '../../engine/io/object-store.js'
import { registerModel } from '../../engine/registry/index.js'
import { startServer, type ServingServer } from '../../engine/serving/server.js'
import { createProject, type Project } from '../integration/helpers.js'

const DEFS = `import { defineDefinitions, servedModel } from 'strata-engine'
const store = { from: 10, to: 20 }
globalThis.predicted = 0
export default defineDefinitions({
  assets: [],
  serving: {
    windowed: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => json,
      warnings: (m, xs) => xs.map((x) => {
        const out = []
        if (x.day < store.from || x.day > store.to) {
          out.push({ kind: 'day_outside_store', message: 'no features for day ' + x.day, unavailable: 'day ' + x.day + ' is outside the store window ' + store.from + '..' + store.to })
        }
        if (x.region === undefined) out.push({ kind: 'unknown_region', message: 'unknown region' })
        return out
      }),
      predict: (m, xs) => {
        globalThis.predicted += xs.length
        return xs.map((x) => ({ probability: 1 / (1 + Math.exp(-m.w * x.day)), label: 'ok' }))
      },
    }),
    plain: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => json,
      predict: (m, xs) => xs.map(() => ({ probability: 0.5, label: 'ok' })),
    }),
    bad_kind: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => json,
      warnings: (m, xs) => xs.map(() => [{ kind: 'Day Outside', message: 'x' }]),
      predict: (m, xs) => xs.map(() => ({ probability: 0.5, label: 'ok' })),
    }),
    short_list: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => json,
      warnings: () => [],
      predict: (m, xs) => xs.map(() => ({ probability: 0.5, label: 'ok' })),
    }),
    self_warned: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => json,
      predict: (m, xs) => xs.map(() => ({ probability: 0.5, label: 'ok', warnings: ['from predict'] })),
    }),
  },
})
`
const MODELS = ['windowed', 'plain', 'bad_kind', 'short_list', 'self_warned']

const predicted = () => (globalThis as { predicted?: number }).predicted ?? 0

async function post(server: ServingServer, name: string, instances: unknown[]): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/v1/models/${name}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances }) })
  return { status: res.status, body: await res.json() }
}

const metricsOf = async (server: ServingServer) => (await fetch(`${server.url}/metrics`)).text()

describe('served model warnings', () => {
  let p: Project
  let ws: Workspace
  let lenient: ServingServer
  let strict: ServingServer

  before(async () => {
    p = createProject(DEFS)
    ws = await openWorkspace({ defsFile: join(p.dir, 'definitions.ts') })
    const { location } = await storeValue(ws.home, { w: 0.1 })
    for (const name of MODELS) await registerModel(ws, { name, metrics: {}, codeVersion: 'w', artifact: location, gate: { passed: true, reasons: [] }, stage: 'production' })
    lenient = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage, pollMs: 60_000 })
    strict = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage, pollMs: 60_000, strictFeatures: true })
  })
  after(async () => {
    await lenient?.close()
    await strict?.close()
    await ws?.close()
    p?.cleanup()
  })

  it('answers each prediction with its warnings, in order, [] when none', async () => {
    const r = await post(lenient, 'windowed', [{ day: 12, region: 'n' }, { day: 25, region: 'n' }, { day: 15 }, { day: 3 }])
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(
      r.body.predictions.map((x: any) => x.warnings),
      [[], ['no features for day 25'], ['unknown region'], ['no features for day 3', 'unknown region']],
    )
    assert.equal(r.body.predictions[1].probability, 1 / (1 + Math.exp(-0.1 * 25)), 'an unavailable instance is still scored without the strict flag')
  })

  it('gives warnings: [] to every prediction of a model without the hook', async () => {
    const r = await post(lenient, 'plain', [{}, {}])
    assert.deepEqual(r.body.predictions, [{ probability: 0.5, label: 'ok', warnings: [] }, { probability: 0.5, label: 'ok', warnings: [] }])
  })

  it('counts warnings in /metrics by model and kind', async () => {
    const kinds = async () => {
      const text = await metricsOf(lenient)
      const count = (kind: string) => Number(new RegExp(`^strata_serving_prediction_warnings_total\\{model="windowed",kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
      return { outside: count('day_outside_store'), region: count('unknown_region') }
    }
    const before = await kinds()
    await post(lenient, 'windowed', [{ day: 30, region: 'n' }, { day: 31 }, { day: 11 }])
    const now = await kinds()
    assert.deepEqual({ outside: now.outside - before.outside, region: now.region - before.region }, { outside: 2, region: 2 })
  })

  it('under strictFeatures refuses an unavailable instance with 422 features_unavailable, before predicting', async () => {
    const calls = predicted()
    const r = await post(strict, 'windowed', [{ day: 12, region: 'n' }, { day: 25, region: 'n' }, { day: 2 }])
    assert.equal(r.status, 422)
    assert.equal(r.body.error.code, 'features_unavailable')
    assert.match(r.body.error.message, /^instances\[1\]: day 25 is outside the store window 10\.\.20 \(and 1 more instance\)\. This server runs with --strict-features/)
    assert.deepEqual(r.body.error.details, [
      { index: 1, kind: 'day_outside_store', reason: 'day 25 is outside the store window 10..20' },
      { index: 2, kind: 'day_outside_store', reason: 'day 2 is outside the store window 10..20' },
    ])
    assert.equal(predicted(), calls, 'predict was not called')
    const text = await metricsOf(strict)
    assert.match(text, /^strata_serving_errors_total\{model="windowed",code="features_unavailable"\} 1$/m)
    assert.match(text, /^strata_serving_requests_total\{model="windowed",version="",stage="",code="422"\} 1$/m)
    // Warnings that do not mark features unavailable are answered, strict or not.
    const ok = await post(strict, 'windowed', [{ day: 12 }])
    assert.equal(ok.status, 200)
    assert.deepEqual(ok.body.predictions[0].warnings, ['unknown region'])
  })

  it('fails the request (500 prediction_failed) when the hook returns malformed warnings, naming the problem', async () => {
    const kind = await post(lenient, 'bad_kind', [{}])
    assert.equal(kind.status, 500)
    assert.equal(kind.body.error.code, 'prediction_failed')
    assert.match(kind.body.error.message, /warnings for instance 0, \[0\]\.kind must be lowercase words joined by "_".*\(got "Day Outside"\)/)
    const short = await post(lenient, 'short_list', [{}, {}])
    assert.match(short.body.error.message, /warnings returned an array of 0 for 2 instances; expected one array of warnings per instance/)
    const self = await post(lenient, 'self_warned', [{}])
    assert.equal(self.status, 500)
    assert.match(self.body.error.message, /predict returned a "warnings" field for instance 0; return warnings from servedModel\(\{ warnings \}\)/)
  })

  it('servedModel() rejects a warnings that is not a function', () => {
    const spec = { load: () => 1, parseInstance: (j: unknown) => j, predict: () => [] }
    assert.throws(() => servedModel({ ...spec, warnings: 'yes' as never }), { code: 'STRATA_INVALID_DEFINITIONS', message: 'servedModel(): warnings must be a function.' })
  })

  it('strata serve --strict-features refuses with 422 through the real CLI', async () => {
    const started = p.start(['serve', '--port', '0', '--json', '--strict-features'])
    try {
      let stdout = ''
      started.child.stdout!.on('data', (c) => (stdout += c))
      const t0 = Date.now()
      while (!stdout.includes('"url"')) {
        if (started.child.exitCode !== null || Date.now() - t0 > 15_000) throw new Error(`the server did not start: ${stdout}`)
        await new Promise((r) => setTimeout(r, 25))
      }
      const url = JSON.parse(stdout).url as string
      const res = await fetch(`${url}/v1/models/windowed/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [{ day: 40, region: 'n' }] }) })
      assert.equal(res.status, 422)
      assert.equal(((await res.json()) as any).error.code, 'features_unavailable')
    } finally {
      started.child.kill('SIGTERM')
      await started.result.catch(() => {})
    }
  })
})
