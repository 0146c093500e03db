// The flights example served over HTTP (30 days, the test config of
// test/flights): the online feature store is built by the same feature
// module as training, so a flight scored by `strata serve` gets exactly the
// probability the batch pipeline's feature rows give — no training/serving skew.
// Where the store cannot give that (a day outside its window, an airport
// absent from the history) the prediction says so in `warnings`, and
// strictFeatures (--strict-features) refuses a day outside the window.
import assert from 'node:assert/strict'
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tableFromIPC, type Table } from 'apache-arrow'
import { DEFS, useThirtyDays } from '../flights/thirty-days.js'

const { TMP, SOURCE } = useThirtyDays('serve-flights')

const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
copyFileSync(defaultSourcePath(), SOURCE)
const engine = await import('strata-engine/engine')
const { startServer } = await import('../../engine/serving/server.js')
const { FEATURE_NAMES } = await import('../../examples/flights/features.js')
const { flightColumns, float32Column } = await import('../../examples/flights/tables.js')
const { loadModel, toMatrix } = await import('../../examples/flights/model.js')

const LAST_DAY = '2001-01-30'
const JSON_HEADERS = { 'content-type': 'application/json' }

describe('flights served over HTTP', () => {
  let ws: Awaited<ReturnType<typeof engine.openWorkspace>>
  let server: Awaited<ReturnType<typeof startServer>>
  let strict: Awaited<ReturnType<typeof startServer>>
  const predict = async (on: typeof server, instances: unknown[]) => {
    const res = await fetch(`${on.url}/v1/models/flight_delay/predict`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ instances }) })
    return { status: res.status, body: (await res.json()) as any }
  }
  const warningCount = async (kind: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text()
    return Number(new RegExp(`^strata_serving_prediction_warnings_total\\{model="flight_delay",kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
  }
  // The store holds 2001-01-23..2001-01-30: a full 7-day history for departures on 01-30 and 01-31 only.
  const flight = (date: string, origin = 'ORD', destination = 'LAX') => ({ origin, destination, distance: 1744, date })
  const readTable = (location: string): Table => tableFromIPC(readFileSync(join(ws.home, location)))

  before(async () => {
    ws = await engine.openWorkspace({ defsFile: DEFS, home: join(TMP, 'home') })
    const result = await engine.materialize(ws, { selection: ['*models/flight_delay', '*serving/online_features'], stale: true })
    assert.equal(result.status, 'SUCCESS', JSON.stringify(result.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
    await engine.promoteModel(ws, 'flight_delay', 1, 'production')
    server = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage })
    strict = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage, strictFeatures: true })
  })
  after(async () => {
    await server?.close()
    await strict?.close()
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
    for (const p of body.predictions) assert.ok(!p.warnings.some((w: string) => w.startsWith('history')), `a day inside the window has its full history: ${p.warnings}`)

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

  it('warns, per prediction, when the day is outside the store\'s window or an airport is unknown, and counts it in /metrics', async () => {
    const before = { history: await warningCount('history_incomplete'), origin: await warningCount('unknown_origin'), destination: await warningCount('unknown_destination') }
    const r = await predict(server, [
      flight('2001-01-30T10:00:00Z'),
      flight('2001-01-31T23:30:00Z'),
      flight('2001-01-29T10:00:00Z'),
      flight('2001-01-23T10:00:00Z'),
      flight('2001-02-03T10:00:00Z'),
      flight('2001-01-30T10:00:00Z', 'ZZZ'),
      flight('2001-01-31T10:00:00Z', 'ORD', 'ZZZ'),
    ])
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(
      r.body.predictions.map((p: any) => p.warnings),
      [[], [], ['history incomplete: 6 of 7 days'], ['history incomplete: 0 of 7 days'], ['history incomplete: 4 of 7 days'], ['unknown origin'], ['unknown destination']],
    )
    assert.deepEqual(
      { history: (await warningCount('history_incomplete')) - before.history, origin: (await warningCount('unknown_origin')) - before.origin, destination: (await warningCount('unknown_destination')) - before.destination },
      { history: 3, origin: 1, destination: 1 },
    )
  })

  it('with strictFeatures refuses a day outside the window with 422 features_unavailable naming the instance, the date and the window', async () => {
    const r = await predict(strict, [flight('2001-01-30T10:00:00Z'), flight('2001-01-29T10:00:00Z')])
    assert.equal(r.status, 422)
    assert.equal(r.body.error.code, 'features_unavailable')
    assert.match(
      r.body.error.message,
      /^instances\[1\]: 2001-01-29 has 6 of its 7 history days in the online store, which serves departures on 2001-01-30\.\.2001-01-31 \(it holds the days 2001-01-23\.\.2001-01-30\)\. This server runs with --strict-features/,
    )
    // Inside the window, and for an unknown airport (features complete, the airport simply unseen), it answers.
    const ok = await predict(strict, [flight('2001-01-31T08:00:00Z'), flight('2001-01-30T08:00:00Z', 'ZZZ')])
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.deepEqual(ok.body.predictions.map((p: any) => p.warnings), [[], ['unknown origin']])
  })
})
