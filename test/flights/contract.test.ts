// The data contract guards the flights pipeline: a day that breaks
// flights.contract.yaml fails (blocking check), is not stored, and everything
// that reads it — that day's features and the 7 days whose history includes
// it, the evaluation, the registration — is skipped, while independent work
// (the training days before it) goes on.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { Int64, LargeUtf8, makeData, makeVector, Table, TimestampMicrosecond, tableToIPC, vectorFromArray } from 'apache-arrow'
import { Table as WasmTable, writeParquet } from 'parquet-wasm'

const TMP = mkdtempSync(join(tmpdir(), 'strata-flights-contract-'))
const SOURCE = join(TMP, 'synthetic.parquet')
process.env.FLIGHTS_END = '2001-01-11'
process.env.FLIGHTS_SOURCE = SOURCE
process.env.FLIGHTS_TRAINING_CONFIG = fileURLToPath(new URL('./fixtures/training.synthetic.json', import.meta.url))

const BAD_DAY = '2001-01-05'
const AIRPORTS = ['ATL', 'BOS', 'DEN', 'DFW', 'LAX', 'ORD', 'PHX', 'SFO']

/** 10 days × 10,500 flights shaped like flights-3m.parquet; on BAD_DAY every 30th flight has no origin. */
function syntheticParquet(): Uint8Array {
  let seed = 7
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
  const dates: bigint[] = []
  const delays: bigint[] = []
  const distances: bigint[] = []
  const origins: (string | null)[] = []
  const destinations: string[] = []
  for (let d = 1; d <= 10; d++) {
    const day = `2001-01-${String(d).padStart(2, '0')}`
    for (let i = 0; i < 10_500; i++) {
      const minute = Math.floor((i / 10_500) * 1440)
      const o = AIRPORTS[Math.floor(rand() * AIRPORTS.length)]!
      dates.push(BigInt(Date.parse(`${day}T00:00:00Z`) + minute * 60_000) * 1000n)
      delays.push(BigInt(Math.round(rand() < 0.2 ? 20 + rand() * 100 : -10 + rand() * 20)))
      distances.push(BigInt(100 + Math.floor(rand() * 2000)))
      origins.push(day === BAD_DAY && i % 30 === 0 ? null : o)
      destinations.push(AIRPORTS[(AIRPORTS.indexOf(o) + 1 + Math.floor(rand() * 7)) % AIRPORTS.length]!)
    }
  }
  const n = dates.length
  const table = new Table({
    date: makeVector(makeData({ type: new TimestampMicrosecond(), length: n, data: BigInt64Array.from(dates) })),
    delay: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(delays) })),
    distance: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(distances) })),
    origin: vectorFromArray(origins, new LargeUtf8()),
    destination: vectorFromArray(destinations, new LargeUtf8()),
  })
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')))
}

describe('flights pipeline: the data contract blocks a bad day', () => {
  after(() => rmSync(TMP, { recursive: true, force: true }))

  it('fails that day, skips what reads it, keeps independent work going, registers nothing', async () => {
    writeFileSync(SOURCE, syntheticParquet())
    const engine = await import('strata-engine/engine')
    const ws = await engine.openWorkspace({ defsFile: fileURLToPath(new URL('../../examples/flights/definitions.ts', import.meta.url)), home: join(TMP, 'home') })
    try {
      await engine.materialize(ws, { selection: 'source/flights_file', executor: 'in-process' })
      const result = await engine.materialize(ws, { stale: true })
      assert.equal(result.status, 'FAILURE')
      const step = (key: string, day?: string) => result.steps.find((s) => s.key === key && (day === undefined || s.partitionKeys[0] === day))!

      const bad = step('raw/flights', BAD_DAY)
      assert.equal(bad.status, 'FAILURE')
      assert.equal(bad.error?.code, 'STRATA_CHECK_FAILED')
      assert.match(bad.error!.message, /origin/)
      assert.equal(await ws.storage.getLatest('raw/flights', BAD_DAY), undefined, 'the violating day is not stored')
      const [check] = await ws.storage.getLatestCheckResults('raw/flights', BAD_DAY)
      assert.equal(check?.passed, false)
      assert.equal(check?.blocking, true)
      for (const day of ['2001-01-01', '2001-01-04', '2001-01-06', '2001-01-10']) assert.equal(step('raw/flights', day).status, 'SUCCESS', day)

      // Features of the bad day and of the 5 later days whose 7-day history includes it.
      for (const day of ['2001-01-05', '2001-01-06', '2001-01-08', '2001-01-10']) {
        assert.equal(step('features/flights', day).status, 'SKIPPED', day)
        assert.equal(step('features/flights', day).skipReason, 'UPSTREAM_FAILED')
      }
      for (const day of ['2001-01-01', '2001-01-02', '2001-01-03', '2001-01-04']) assert.equal(step('features/flights', day).status, 'SUCCESS', day)
      // The training days (01-02..01-04) only read days before the bad one: dataset and model still build.
      assert.equal(step('training/dataset').status, 'SUCCESS')
      assert.equal(step('training/model').status, 'SUCCESS')
      // Validation (01-09..01-10) reads the bad day through history: no evaluation, no registration.
      assert.equal(step('evaluation/report').status, 'SKIPPED')
      assert.equal(step('models/flight_delay').status, 'SKIPPED')
      assert.deepEqual(await engine.listModels(ws), [])
    } finally {
      await ws.close()
    }
  })
})
