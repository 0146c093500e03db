// strata serve, generically: a tiny served model (y = sigmoid(w·x)) in a temp
// project, versions registered through the engine API, HTTP on loopback
// (127.0.0.1, ephemeral ports): valid, batched, malformed, unknown model,
// listing and metrics, hot promotion and rollback (poll and SIGHUP), shadow,
// canary; and the CLI's refusal to start without a production version.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openWorkspace, type Workspace } from '../../engine/index.js'
import { storeValue } from '../../engine/io/object-store.js'
import { promoteModel, registerModel, rollbackModel } from '../../engine/registry/index.js'
import { canaryBucket, PREDICTIONS_LOG, SHADOW_LOG, startServer, type PredictionRecord, type ServingServer, type ShadowRecord } from '../../engine/serving/server.js'
import { createProject, expectExit, type Project } from '../integration/helpers.js'

const DEFS = `import { defineDefinitions, invalidInstance, servedModel } from 'strata-engine'
export default defineDefinitions({
  assets: [],
  serving: {
    toy: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => {
        if (typeof json !== 'object' || json === null) invalidInstance('', 'expected an object { x }')
        if (json.x === undefined) invalidInstance('x', 'is missing')
        if (typeof json.x !== 'number') invalidInstance('x', 'must be a number (got ' + JSON.stringify(json.x) + ')')
        return json.x
      },
      predict: (m, xs) => xs.map((x) => {
        const probability = 1 / (1 + Math.exp(-m.w * x))
        return { probability, label: probability >= 0.5 ? 'pos' : 'neg' }
      }),
    }),
  },
})
`

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

async function post(server: ServingServer, name: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/v1/models/${name}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

async function until(what: string, fn: () => Promise<boolean>, ms = 5000): Promise<number> {
  const t0 = Date.now()
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
  return Date.now() - t0
}

describe('strata serve (a generic served model)', () => {
  let p: Project
  let ws: Workspace
  const servers: ServingServer[] = []
  const serve = async (opts: Partial<Parameters<typeof startServer>[0]> = {}) => {
    const s = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage, pollMs: 100, ...opts })
    servers.push(s)
    return s
  }
  const register = async (w: number, stage?: 'staging' | 'production') => {
    const { location } = await storeValue(ws.home, { w })
    return registerModel(ws, { name: 'toy', metrics: { w }, codeVersion: `w${w}`, artifact: location, gate: { passed: true, reasons: [] }, ...(stage ? { stage } : {}) })
  }

  before(async () => {
    p = createProject(DEFS)
    ws = await openWorkspace({ defsFile: join(p.dir, 'definitions.ts') })
  })
  after(async () => {
    for (const s of servers) await s.close()
    await ws?.close()
    p?.cleanup()
  })

  it('refuses to start without a production version: exit 2, naming strata models promote', async () => {
    const r = await p.run(['serve', '--port', '0'])
    expectExit(r, 2)
    assert.match(r.stderr, /Model "toy" has no production version/)
    assert.match(r.stderr, /strata models promote toy VERSION production/)
    await assert.rejects(serve(), /STRATA_NOT_SERVABLE|no production version/)
  })

  it('answers a valid request with the production version', async () => {
    await register(1, 'production')
    await register(2, 'staging')
    const server = await serve()
    const r = await post(server, 'toy', { instances: [{ x: 0.5 }] })
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.model, { name: 'toy', version: 1, stage: 'production' })
    assert.deepEqual(r.body.predictions, [{ probability: sigmoid(0.5), label: 'pos', warnings: [] }])
  })

  it('scores a batch in order', async () => {
    const server = servers[0]!
    const xs = Array.from({ length: 500 }, (_, i) => (i - 250) / 50)
    const r = await post(server, 'toy', { instances: xs.map((x) => ({ x })) })
    assert.equal(r.status, 200)
    assert.equal(r.body.predictions.length, 500)
    r.body.predictions.forEach((p: any, i: number) => {
      assert.equal(p.probability, sigmoid(xs[i]!))
      assert.equal(p.label, xs[i]! >= 0 ? 'pos' : 'neg')
    })
  })

  it('rejects malformed requests with 400/404 and a clear error, and keeps serving', async () => {
    const server = servers[0]!
    const cases: Array<[unknown, number, string, RegExp]> = [
      ['{"instances": [', 400, 'invalid_json', /not valid JSON/],
      [{ rows: [] }, 400, 'invalid_request', /\{"instances": \[ \.\.\. \]\}/],
      [{ instances: [] }, 400, 'invalid_request', /empty/],
      [{ instances: [{ x: 1 }, { x: 2 }, { x: 'three' }] }, 400, 'invalid_instance', /^instances\[2\]\.x: must be a number \(got "three"\)$/],
      [{ instances: [{ x: 1 }, {}] }, 400, 'invalid_instance', /^instances\[1\]\.x: is missing$/],
      [{ instances: [7] }, 400, 'invalid_instance', /^instances\[0\]: expected an object/],
    ]
    for (const [body, status, code, message] of cases) {
      const r = await post(server, 'toy', body)
      assert.equal(r.status, status, JSON.stringify(r.body))
      assert.equal(r.body.error.code, code)
      assert.match(r.body.error.message, message)
    }
    const unknown = await post(server, 'nope', { instances: [{ x: 1 }] })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.error.code, 'unknown_model')
    assert.match(unknown.body.error.message, /No served model "nope"/)
    const wrongMethod = await fetch(`${server.url}/v1/models/toy/predict`)
    assert.equal(wrongMethod.status, 405)
    const still = await post(server, 'toy', { instances: [{ x: 1 }] })
    assert.equal(still.status, 200)
  })

  it('lists loaded models, answers /healthz, exposes Prometheus metrics', async () => {
    const server = servers[0]!
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as any
    assert.deepEqual(
      models.models.map((m: any) => [m.name, m.version, m.stage, m.role]),
      [['toy', 1, 'production', 'production']],
    )
    assert.ok(!Number.isNaN(Date.parse(models.models[0].loadedAt)))
    const health = await fetch(`${server.url}/healthz`)
    assert.equal(health.status, 200)
    assert.equal(((await health.json()) as any).status, 'ok')
    const res = await fetch(`${server.url}/metrics`)
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    assert.match(text, /^strata_serving_requests_total\{model="toy",version="1",stage="production",code="200"\} 3$/m)
    assert.match(text, /^strata_serving_errors_total\{model="toy",code="invalid_instance"\} 3$/m)
    assert.match(text, /^strata_serving_errors_total\{model="\(unknown\)",code="unknown_model"\} 1$/m)
    assert.match(text, /^strata_serving_request_duration_seconds_bucket\{model="toy",version="1",le="\+Inf"\} 3$/m)
    assert.match(text, /^strata_serving_request_duration_seconds_count\{model="toy",version="1"\} 3$/m)
    assert.match(text, /^strata_serving_instances_total\{model="toy",version="1"\} 502$/m)
  })

  it('picks up a promotion and a rollback within seconds, without a restart', async () => {
    const server = servers[0]!
    await promoteModel(ws, 'toy', 2, 'production')
    const promotedIn = await until('v2 in production', async () => (await post(server, 'toy', { instances: [{ x: 1 }] })).body.model.version === 2)
    const r = await post(server, 'toy', { instances: [{ x: 1 }] })
    assert.deepEqual(r.body, { model: { name: 'toy', version: 2, stage: 'production' }, predictions: [{ probability: sigmoid(2), label: 'pos', warnings: [] }] })
    await rollbackModel(ws, 'toy')
    const rolledBackIn = await until('v1 back in production', async () => (await post(server, 'toy', { instances: [{ x: 1 }] })).body.model.version === 1)
    assert.ok(promotedIn < 3000 && rolledBackIn < 3000, `${promotedIn} ms, ${rolledBackIn} ms`)
    assert.match(await (await fetch(`${server.url}/metrics`)).text(), /^strata_serving_reloads_total\{model="toy"\} 2$/m)
  })

  it('shadow: answers with production, records both answers and their divergence', async () => {
    await promoteModel(ws, 'toy', 2, 'staging')
    const server = await serve({ shadow: 'staging' })
    assert.deepEqual(server.loaded().map((m) => [m.role, m.version]), [['production', 1], ['shadow', 2]])
    const r = await post(server, 'toy', { instances: [{ x: 1 }, { x: -0.1 }] }, { 'x-request-id': 'req-1' })
    assert.equal(r.body.model.version, 1)
    assert.deepEqual(r.body.predictions.map((p: any) => p.probability), [sigmoid(1), sigmoid(-0.1)])
    await server.flush()
    const path = join(ws.home, SHADOW_LOG)
    assert.ok(existsSync(path))
    const rec = JSON.parse(readFileSync(path, 'utf8').trim().split('\n').pop()!) as ShadowRecord
    assert.equal(rec.requestId, 'req-1')
    assert.deepEqual(rec.instances, [{ x: 1 }, { x: -0.1 }])
    assert.equal(rec.production.version, 1)
    assert.deepEqual(rec.shadow.predictions!.map((p) => p.probability), [sigmoid(2), sigmoid(-0.2)])
    assert.equal(rec.shadow.version, 2)
    assert.equal(rec.divergence!.instances, 2)
    assert.ok(Math.abs(rec.divergence!.maxAbs - (sigmoid(2) - sigmoid(1))) < 1e-12)
    assert.equal(rec.divergence!.labelDisagreements, 0)
  })

  it('canary: about the requested share goes to staging, deterministically per key; responses name the version', async () => {
    const server = await serve({ canary: { stage: 'staging', percent: 20 } })
    const N = 1000
    const versions: number[] = []
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, k) => post(server, 'toy', { instances: [{ x: 1 }] }, { 'x-request-id': `user-${i + k}` })))
      for (const r of batch) versions.push(r.body.model.version)
    }
    const share = versions.filter((v) => v === 2).length / N
    assert.ok(share > 0.16 && share < 0.24, `canary share ${share}`)
    // The same key gets the same version, and it is the one the hash predicts.
    for (let i = 0; i < 40; i++) {
      const again = await post(server, 'toy', { instances: [{ x: 1 }] }, { 'x-request-id': `user-${i}` })
      assert.equal(again.body.model.version, versions[i])
      assert.equal(again.body.model.version, canaryBucket('toy', `user-${i}`) < 20 ? 2 : 1)
      assert.equal(again.body.model.stage, again.body.model.version === 2 ? 'staging' : 'production')
    }
    // Without a header the key is the instances: the same request, the same version.
    const body = { instances: [{ x: 0.25 }, { x: 3 }] }
    const first = (await post(server, 'toy', body)).body.model.version
    for (let i = 0; i < 5; i++) assert.equal((await post(server, 'toy', body)).body.model.version, first)
  })

  it('canary: every answer is logged to serving/predictions.jsonl with the version and role that answered', async () => {
    const path = join(ws.home, PREDICTIONS_LOG)
    for (const s of servers) await s.flush() // the canary test above logged its requests too
    rmSync(path, { force: true })
    const server = await serve({ canary: { stage: 'staging', percent: 50 } })
    const ids = Array.from({ length: 12 }, (_, i) => `log-${i}`)
    const answered = new Map<string, number>()
    for (const id of ids) answered.set(id, (await post(server, 'toy', { instances: [{ x: 1 }, { x: -1 }] }, { 'x-request-id': id })).body.model.version)
    await server.flush()
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PredictionRecord)
    assert.equal(lines.length, ids.length)
    assert.deepEqual(new Set(lines.map((l) => l.version)), new Set([1, 2]), 'both versions answered some of the 12 keys')
    for (const l of lines) {
      assert.equal(l.version, answered.get(l.requestId))
      assert.equal(l.role, l.version === 2 ? 'canary' : 'production')
      assert.equal(l.stage, l.version === 2 ? 'staging' : 'production')
      assert.deepEqual(l.versions, { production: 1, canary: 2 })
      assert.deepEqual(l.instances, [{ x: 1 }, { x: -1 }])
      assert.deepEqual(l.predictions.map((p) => p.probability), l.version === 2 ? [sigmoid(2), sigmoid(-2)] : [sigmoid(1), sigmoid(-1)])
    }
  })

  it('the CLI picks up a promotion on SIGHUP (long poll interval) and stops on SIGTERM', async () => {
    const started = p.start(['serve', '--port', '0', '--poll-ms', '600000', '--json'])
    let out = ''
    started.child.stdout!.on('data', (c) => (out += c))
    await until('the server to listen', async () => out.includes('"url"'), 15_000)
    const { url } = JSON.parse(out)
    const ask = async () => ((await (await fetch(`${url}/v1/models/toy/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [{ x: 1 }] }) })).json()) as any).model.version
    assert.equal(await ask(), 1)
    await promoteModel(ws, 'toy', 2, 'production')
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(await ask(), 1, 'not polled yet')
    started.child.kill('SIGHUP')
    await until('v2 after SIGHUP', async () => (await ask()) === 2)
    started.child.kill('SIGTERM')
    expectExit(await started.result, 0)
  })
})
