// Shadow/canary comparison of the flights example (examples/flights/shadow-comparison.ts):
// a hand-written log with known agreement, divergence and outcomes gives exact numbers;
// an empty or missing log gives zero counts and says so; the agreement check warns below
// the configured threshold; and end to end on the 30-day pipeline, serving/logs is an
// observed source whose growth makes monitoring/shadow_comparison stale, joined to the
// real outcomes of raw/flights.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Table } from 'apache-arrow'
import { DEFS, REPO, useThirtyDays } from './thirty-days.js'
import { createServingContext } from '../../engine/serving/log-reader.js'

const { TMP, SOURCE } = useThirtyDays('shadow-comparison')

const sc = await import('../../examples/flights/shadow-comparison.js')
const { loadConfig } = await import('../../examples/flights/config.js')

after(() => rmSync(TMP, { recursive: true, force: true }))

const jsonl = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n'
const flight = (origin: string, destination: string, date: string) => ({ origin, destination, distance: 300, date })
const key = (f: { origin: string; destination: string; date: string }) => `${f.origin}|${f.destination}|${Date.parse(f.date)}`
const pred = (probability: number) => ({ probability, label: probability >= 0.5 ? 'delayed' : 'on_time' })

// Four flights: f1 delayed, f2 on time, f3 delayed; f4 has no known outcome.
const f1 = flight('SFO', 'LAX', '2001-06-02T08:00:00Z')
const f2 = flight('SFO', 'LAX', '2001-06-02T09:30:00Z')
const f3 = flight('ORD', 'JFK', '2001-06-03T17:15:00Z')
const f4 = flight('SEA', 'DEN', '2001-07-15T12:00:00Z')
const outcomes = new Map<string, 0 | 1>([
  [key(f1), 1],
  [key(f2), 0],
  [key(f3), 1],
])
const outcome = (x: unknown) => sc.outcomeOf(outcomes, x)

const shadowLog = jsonl(
  // Labels: agree (delayed/delayed), disagree (on_time/delayed); |Δp| 0.2, 0.25.
  { at: 't', model: 'flight_delay', requestId: 'a', instances: [f1, f2], production: { version: 1, predictions: [pred(0.8), pred(0.3)] }, shadow: { version: 2, stage: 'staging', predictions: [pred(0.6), pred(0.55)] } },
  // Both agree; |Δp| 0.05, 0.
  { at: 't', model: 'flight_delay', requestId: 'b', instances: [f3, f4], production: { version: 1, predictions: [pred(0.4), pred(0.7)] }, shadow: { version: 2, stage: 'staging', predictions: [pred(0.45), pred(0.7)] } },
  // The shadow failed: counted, not compared.
  { at: 't', model: 'flight_delay', requestId: 'c', instances: [f1], production: { version: 1, predictions: [pred(0.8)] }, shadow: { version: 2, stage: 'staging', error: 'boom' } },
).concat('{"at": "t", "model": "flight_del') // a line cut short by a crash

const predictionsLog = jsonl(
  { at: 't', model: 'flight_delay', requestId: 'p1', role: 'production', version: 1, stage: 'production', versions: { production: 1, canary: 2 }, instances: [f1, f2], predictions: [pred(0.7), pred(0.2)] },
  { at: 't', model: 'flight_delay', requestId: 'p2', role: 'canary', version: 2, stage: 'staging', versions: { production: 1, canary: 2 }, instances: [f3, f2], predictions: [pred(0.9), pred(0.6)] },
  // No canary loaded at the time: no pair to count it in.
  { at: 't', model: 'flight_delay', requestId: 'p3', role: 'production', version: 1, stage: 'production', versions: { production: 1, canary: null }, instances: [f1], predictions: [pred(0.7)] },
)

describe('shadow comparison (hand-written logs)', () => {
  const logs = sc.parseServingLogs(shadowLog, predictionsLog)

  it('parses both logs; a truncated line is counted as malformed, not fatal', () => {
    assert.equal(logs.shadow.length, 3)
    assert.equal(logs.predictions.length, 3)
    assert.deepEqual({ lines: logs.files.shadow.lines, malformed: logs.files.shadow.malformed }, { lines: 4, malformed: 1 })
    assert.equal(sc.parseServingLogs(shadowLog, predictionsLog).sha256, logs.sha256)
    assert.notEqual(sc.parseServingLogs(shadowLog + '\n', predictionsLog).sha256, logs.sha256, 'any change of content → a new data version')
  })

  it('shadow pair: exact agreement, divergence and realized metrics of each side on the known outcomes', () => {
    const c = sc.compareServingLogs(logs, outcome, 0.9)
    const p = c.pairs.find((x) => x.kind === 'shadow')!
    assert.deepEqual(
      { model: p.model, production: p.production, candidate: p.candidate, requests: p.requests, instances: p.instances },
      { model: 'flight_delay', production: 1, candidate: 2, requests: { production: 2, candidate: 2, failed: 1 }, instances: { production: 4, candidate: 4 } },
    )
    assert.equal(p.agreement, 0.75) // 3 of 4 labels
    assert.equal(p.labelDisagreements, 1)
    assert.deepEqual(p.divergence, { mean: 0.125, max: 0.25 }) // (0.2 + 0.25 + 0.05 + 0) / 4
    assert.deepEqual(p.meanProbability, { production: 0.55, candidate: 0.575 })
    assert.deepEqual(p.outcomes, { matched: 3, unmatched: 1 })
    // Production: delayed 0.8, 0.4 vs on time 0.3 → AUC 1; at 0.5, 0.4 is wrong → accuracy 2/3.
    assert.deepEqual(p.realized.production, { instances: 3, auc: 1, accuracy: 0.6667 })
    // Shadow: delayed 0.6, 0.45 vs on time 0.55 → AUC 1/2; only 0.6 is right → accuracy 1/3.
    assert.deepEqual(p.realized.candidate, { instances: 3, auc: 0.5, accuracy: 0.3333 })
    assert.deepEqual(p.realized.difference, { auc: -0.5, accuracy: -0.3333 })
  })

  it('canary pair: no paired agreement, each side measured on its own traffic', () => {
    const c = sc.compareServingLogs(logs, outcome, 0.9)
    const p = c.pairs.find((x) => x.kind === 'canary')!
    assert.equal(c.pairs.length, 2)
    assert.deepEqual(p.requests, { production: 1, candidate: 1, failed: 0 })
    assert.deepEqual(p.instances, { production: 2, candidate: 2 })
    assert.equal(p.agreement, null)
    assert.equal(p.divergence, null)
    assert.deepEqual(p.outcomes, { matched: 4, unmatched: 0 })
    assert.deepEqual(p.realized.production, { instances: 2, auc: 1, accuracy: 1 })
    assert.deepEqual(p.realized.candidate, { instances: 2, auc: 1, accuracy: 0.5 }) // f2 on time at 0.6
    assert.deepEqual(p.realized.difference, { auc: 0, accuracy: -0.5 })
    assert.equal(sc.pairLabel(p), 'flight_delay v1 vs v2 (canary)')
  })

  it('the agreement check warns below the configured threshold and passes at or above it', () => {
    const strict = sc.compareServingLogs(logs, outcome, 0.9)
    assert.deepEqual(strict.belowThreshold, ['flight_delay v1 vs v2 (shadow)'])
    const warn = sc.agreementCheck(strict) as { passed: boolean; message: string }
    assert.equal(warn.passed, false)
    assert.match(warn.message, /below 0\.9: flight_delay v1 vs v2 \(shadow\) 0\.75 \(1 of 4 instances disagree\)/)
    const lenient = sc.agreementCheck(sc.compareServingLogs(logs, outcome, 0.75)) as { passed: boolean; message: string }
    assert.equal(lenient.passed, true)
    assert.match(lenient.message, /lowest 0\.75/)
  })

  it('an empty or missing log: zero counts, says so, the check passes', async () => {
    const missing = await sc.readServingLogs(createServingContext(join(TMP, 'no-such-home', 'serving')))
    for (const empty of [sc.parseServingLogs(undefined, undefined), sc.parseServingLogs('', ''), missing]) {
      const c = sc.compareServingLogs(empty, outcome, 0.9)
      assert.deepEqual(c.pairs, [])
      assert.deepEqual(c.logged, { shadow: 0, predictions: 0, malformedLines: 0 })
      assert.match(c.note!, /no serving logs yet/)
      const r = sc.agreementCheck(c) as { passed: boolean; message: string }
      assert.equal(r.passed, true)
      assert.match(r.message, /no serving logs yet/)
    }
  })

  it('min_agreement comes from the monitoring section (default 0.9), validated', () => {
    const base = loadConfig()
    assert.equal(sc.minAgreementOf(base), 0.9)
    assert.equal(sc.minAgreementOf({ ...base, monitoring: { min_agreement: 0.8 } } as never), 0.8)
    assert.throws(() => sc.minAgreementOf({ ...base, monitoring: { min_agreement: 2 } } as never), /min_agreement must be a number in \[0, 1\]/)
    assert.equal(sc.minAgreementOf(loadConfig(join(REPO, 'examples/flights/training.config.json'))), 0.9)
  })
})

describe('serving/logs → monitoring/shadow_comparison on the 30-day pipeline', () => {
  it('no logs: zero counts; a written log makes it stale and joins the real outcomes of raw/flights', async () => {
    const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
    const { flightColumns } = await import('../../examples/flights/tables.js')
    const { loadValue } = await import('../../engine/io/object-store.js')
    copyFileSync(defaultSourcePath(), SOURCE)
    const engine = await import('strata-engine/engine')
    const ws = await engine.openWorkspace({ defsFile: DEFS, home: join(TMP, 'home') })
    const latest = async (key: string) => {
      const m = await ws.storage.getLatest(key)
      return { m: m!, value: JSON.parse(readFileSync(join(ws.home, m!.location), 'utf8')) as import('../../examples/flights/shadow-comparison.js').ShadowComparison }
    }
    const selection = '*monitoring/shadow_comparison'
    try {
      const first = await engine.materialize(ws, { selection, stale: true })
      assert.equal(first.status, 'SUCCESS', JSON.stringify(first.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
      const empty = await latest('monitoring/shadow_comparison')
      assert.deepEqual(empty.value.pairs, [])
      assert.match(empty.m.metadata.note as string, /no serving logs yet/)
      assert.equal(empty.m.metadata.shadowRequests, 0)

      // Two delayed and two on-time flights of a monitored day, with a route and minute of their own.
      const raw = await ws.storage.getLatest('raw/flights', '2001-01-27')
      const rows = flightColumns((await loadValue(ws.home, raw!.location, raw!.format)) as Table)
      const seen = new Map<string, number>()
      for (let i = 0; i < rows.n; i++) {
        const k = `${rows.origin[i]}|${rows.destination[i]}|${rows.dateMs[i]}`
        seen.set(k, (seen.get(k) ?? 0) + 1)
      }
      const pick = (delayed: boolean) => {
        const out: number[] = []
        for (let i = 0; i < rows.n && out.length < 2; i++) if (rows.delay![i]! > 15 === delayed && seen.get(`${rows.origin[i]}|${rows.destination[i]}|${rows.dateMs[i]}`) === 1) out.push(i)
        return out
      }
      const instance = (i: number) => ({ origin: rows.origin[i], destination: rows.destination[i], distance: rows.distance[i], date: new Date(rows.dateMs[i]!).toISOString() })
      const delayed = pick(true)
      const onTime = pick(false)
      const instances = [...delayed, ...onTime].map(instance)
      // Production right on all four (0.9 / 0.1); the shadow says 0.6 "delayed" for all: 2 of 4 agree.
      // A second request: a flight before the monitoring period (no outcome), both 0.2: agrees.
      const outside = flight('SFO', 'LAX', '2001-01-05T08:00:00Z')
      mkdirSync(join(ws.home, 'serving'), { recursive: true })
      writeFileSync(
        join(ws.home, 'serving/shadow.jsonl'),
        jsonl(
          { at: 't', model: 'flight_delay', requestId: 'e1', instances, production: { version: 1, predictions: [pred(0.9), pred(0.9), pred(0.1), pred(0.1)] }, shadow: { version: 2, stage: 'staging', predictions: [pred(0.6), pred(0.6), pred(0.6), pred(0.6)] } },
          { at: 't', model: 'flight_delay', requestId: 'e2', instances: [outside], production: { version: 1, predictions: [pred(0.2)] }, shadow: { version: 2, stage: 'staging', predictions: [pred(0.2)] } },
        ),
      )
      const second = await engine.materialize(ws, { selection, stale: true })
      assert.equal(second.status, 'SUCCESS')
      assert.ok(second.steps.some((s) => s.key === 'monitoring/shadow_comparison' && s.status === 'SUCCESS'), 'the grown log made the comparison stale')
      const c = await latest('monitoring/shadow_comparison')
      const p = c.value.pairs[0]!
      assert.equal(c.value.pairs.length, 1)
      assert.equal(p.agreement, 0.6) // 3 of 5
      assert.deepEqual(p.divergence, { mean: 0.32, max: 0.5 }) // (0.3 + 0.3 + 0.5 + 0.5 + 0) / 5
      assert.deepEqual(p.outcomes, { matched: 4, unmatched: 1 })
      assert.deepEqual(p.realized.production, { instances: 4, auc: 1, accuracy: 1 })
      assert.deepEqual(p.realized.candidate, { instances: 4, auc: 0.5, accuracy: 0.5 })
      assert.deepEqual(p.realized.difference, { auc: -0.5, accuracy: -0.5 })
      assert.equal(c.m.metadata.lowestAgreement, 0.6)

      // The check (training.30d.json has no min_agreement: the default 0.9) warns, non-blocking.
      const checks = await ws.storage.getLatestCheckResults('monitoring/shadow_comparison')
      assert.equal(checks.length, 1)
      assert.equal(checks[0]!.passed, false)
      assert.equal(checks[0]!.blocking, false)
      assert.match(checks[0]!.message ?? '', /below 0\.9/)

      // Unchanged logs: re-observed, same data version, the comparison is not re-run.
      const third = await engine.materialize(ws, { selection, stale: true })
      assert.equal(third.status, 'SUCCESS')
      assert.ok(!third.steps.some((s) => s.key === 'monitoring/shadow_comparison'), JSON.stringify(third.steps.map((s) => s.key)))
    } finally {
      await ws.close()
    }
  })
})
