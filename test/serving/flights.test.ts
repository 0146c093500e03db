// The flights example served over HTTP (30 days, the test config of
// test/flights): the online feature store is built by the same feature
// module as training, so a flight scored by `strata serve` gets exactly the
// probability the batch pipeline's feature rows give — no training/serving skew.
import assert from 'node:assert/strict'
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tableFromIPC, type Table } from 'apache-arrow'
import { DEFS, useThirtyDays } from '../flights/thirty-days.js'

const { TMP, SOURCE } = useThirtyDays('serve-flights')

const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
copyFileSync(defaultSourcePath(), SOURCE)
const engine = await import('strata/engine')
const { startServer } = await import('../../engine/serving/server.js')
const { FEATURE_NAMES } = await import('../../examples/flights/features.js')
const { flightColumns, float32Column } = await import('../../examples/flights/tables.js')
const { loadModel, toMatrix } = await import('../../examples/flights/model.js')

const LAST_DAY = '2001-01-30'
const JSON_HEADERS = { 'content-type': 'application/json' }

describe('flights served over HTTP', () => {
  let ws: Awaited<ReturnType<typeof engine.openWorkspace>>
  let server: Awaited<ReturnType<typeof startServer>>
  const readTable = (location: string): Table => tableFromIPC(readFileSync(join(ws.home, location)))

  before(async () => {
    ws = await engine.openWorkspace({ defsFile: DEFS, home: join(TMP, 'home') })
    const result = await engine.materialize(ws, { selection: ['*models/flight_delay', '*serving/online_features'], stale: true })
    assert.equal(result.status, 'SUCCESS', JSON.stringify(result.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
    await engine.promoteModel(ws, 'flight_delay', 1, 'production')
    server = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage })
  })
  after(async () => {
    await server?.close()
    await ws?.close()
    rmSync(TMP, { recursive: true, force: true })
  })

  it('serves flights with the same probabilities as the batch features of that day (no skew)', async () => {
    const raw = flightColumns(readTable((await ws.storage.getLatest('raw/flights', LAST_DAY))!.location))
    const picks = Array.from({ length: 300 }, (_, i) => Math.floor((i * raw.n) / 300))
    const instances = picks.map((i) => ({
      origin: raw.origin[i],
      destination: raw.destination[i],
      distance: raw.distance[i],
      date: new Date(raw.dateMs[i]!).toISOString(),
    }))
    const res = await fetch(`${server.url}/v1/models/flight_delay/predict`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ instances }) })
    assert.equal(res.status, 200)
    const body = (await res.json()) as any
    assert.deepEqual(body.model, { name: 'flight_delay', version: 1, stage: 'production' })
    assert.equal(body.predictions.length, picks.length)

    // Batch: the stored feature rows of that day (history = the 7 days before it) through the registered model.
    const features = readTable((await ws.storage.getLatest('features/flights', LAST_DAY))!.location)
    const cols = FEATURE_NAMES.map((n) => float32Column(features, n))
    const x = toMatrix(cols.map((c) => Float32Array.from(picks, (i) => c[i]!)), picks.length)
    const pkg = await engine.getModel(ws, 'flight_delay', 1)
    const model = await loadModel((JSON.parse(readFileSync(join(ws.home, pkg!.artifact), 'utf8')) as { model: Parameters<typeof loadModel>[0] }).model)
    try {
      const batch = model.predict(x, picks.length)
      picks.forEach((_, k) => {
        assert.equal(body.predictions[k].probability, batch[k], `flight ${k}`)
        assert.equal(body.predictions[k].label, batch[k]! >= 0.5 ? 'delayed' : 'on_time')
      })
    } finally {
      model.free()
    }
  })

  it('explains invalid flights by instance index and field', async () => {
    const instances = [
      { origin: 'SFO', destination: 'LAX', distance: 337, date: '2001-01-30T14:05:00Z' },
      { origin: 'SFO', destination: 'LAX', distance: 337, date: 'yesterday' },
    ]
    const res = await fetch(`${server.url}/v1/models/flight_delay/predict`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ instances }) })
    assert.equal(res.status, 400)
    const body = (await res.json()) as any
    assert.equal(body.error.code, 'invalid_instance')
    assert.match(body.error.message, /^instances\[1\]\.date: must be an ISO date-time/)
    const missing = await fetch(`${server.url}/v1/models/flight_delay/predict`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ instances: [{ origin: 'SFO', distance: 1, date: '2001-01-30T10:00' }] }) })
    assert.match(((await missing.json()) as any).error.message, /^instances\[0\]\.destination: is missing/)
  })
})
