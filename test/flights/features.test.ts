// Every feature of examples/flights/features.ts on its own, on small
// hand-made tables, plus the point-in-time guarantees around them.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, dailyPartitions, defineDefinitions, isStrataError, timeWindowMapping } from 'strata-engine'
import {
  aggregateDay,
  buildHistory,
  computeFeatures,
  DELAY_THRESHOLD_MINUTES,
  FEATURE_NAMES,
  FEATURES,
  labels,
  MISSING,
  PRIOR_FLIGHTS,
  profileFeature,
  type FeatureSpec,
  type FlightColumns,
} from '../../examples/flights/features.js'
import { featuresTable, float32Column, int8Column, numberColumn, stringColumn } from '../../examples/flights/tables.js'

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`)

/** [departure 'yyyy-MM-ddTHH:mm', origin, destination, distance, delay] */
type Row = [string, string, string, number, number?]

function flights(rows: Row[]): FlightColumns {
  return {
    n: rows.length,
    dateMs: Float64Array.from(rows, (r) => Date.parse(`${r[0]}:00Z`)),
    distance: Float64Array.from(rows, (r) => r[3]),
    origin: rows.map((r) => r[1]),
    destination: rows.map((r) => r[2]),
    delay: rows.every((r) => r[4] !== undefined) ? Float64Array.from(rows, (r) => r[4]!) : undefined,
  }
}

const feature = (name: string): FeatureSpec => {
  const f = FEATURES.find((x) => x.name === name)
  assert.ok(f, `feature ${name} exists`)
  return f
}

/** Rounds to float32 as the feature columns store values. */
const f32 = (x: number) => Math.fround(x)

// Two days of history before 2001-03-08 (a Thursday):
//   03-06: ORD→LGA ×4 (delays 30, 0, 20, -5), ORD→BOS ×2 (0, 60), ATL→ORD ×2 (0, 0)
//   03-07: ORD→LGA ×2 (45 at 19:00, 0 at 08:00), ATL→LGA ×2 (16, 15)
const history6: Row[] = [
  ['2001-03-06T08:00', 'ORD', 'LGA', 733, 30],
  ['2001-03-06T09:00', 'ORD', 'LGA', 733, 0],
  ['2001-03-06T18:30', 'ORD', 'LGA', 733, 20],
  ['2001-03-06T20:00', 'ORD', 'LGA', 733, -5],
  ['2001-03-06T10:00', 'ORD', 'BOS', 867, 0],
  ['2001-03-06T21:00', 'ORD', 'BOS', 867, 60],
  ['2001-03-06T07:00', 'ATL', 'ORD', 606, 0],
  ['2001-03-06T12:00', 'ATL', 'ORD', 606, 0],
]
const history7: Row[] = [
  ['2001-03-07T19:00', 'ORD', 'LGA', 733, 45],
  ['2001-03-07T08:00', 'ORD', 'LGA', 733, 0],
  ['2001-03-07T13:00', 'ATL', 'LGA', 762, 16],
  ['2001-03-07T14:00', 'ATL', 'LGA', 762, 15],
]
const asOf = day('2001-03-08')
const days = [aggregateDay(flights(history6), day('2001-03-06')), aggregateDay(flights(history7), day('2001-03-07'))]
const history = buildHistory(days, asOf)
const noHistory = buildHistory([], asOf)

// Flights to score on 2001-03-08. Their delays are set but must never matter.
const today = flights([
  ['2001-03-08T07:15', 'ORD', 'LGA', 733, 100],
  ['2001-03-08T19:45', 'ORD', 'BOS', 867, 100],
  ['2001-03-08T12:00', 'ATL', 'LGA', 762, 100],
  ['2001-03-08T23:59', 'SFO', 'LAX', 337, 100],
])

// Window totals: 12 flights; delayed (> 15): 30, 20, 60, 45, 16 → 5; delay sum 30+0+20-5+0+60+0+0+45+0+16+15 = 181.
const prior = 5 / 12
const priorMean = 181 / 12
const smooth = (delayed: number, n: number, p = prior) => (delayed + PRIOR_FLIGHTS * p) / (n + PRIOR_FLIGHTS)

describe('flights features: each feature on its own', () => {
  it('distance: the flight distance in miles', () => {
    assert.deepEqual([...feature('distance').compute(today, history)], [733, 867, 762, 337])
    assert.deepEqual([...feature('distance').compute(today, noHistory)], [733, 867, 762, 337], 'needs no history')
  })

  it('dep_hour: the local departure hour, 0–23', () => {
    assert.deepEqual([...feature('dep_hour').compute(today, history)], [7, 19, 12, 23])
    const edges = flights([['2001-03-08T00:00', 'ORD', 'LGA', 1], ['2001-03-08T00:59', 'ORD', 'LGA', 1], ['2001-03-08T01:00', 'ORD', 'LGA', 1]])
    assert.deepEqual([...feature('dep_hour').compute(edges, noHistory)], [0, 0, 1])
  })

  it('weekday: 0 = Monday … 6 = Sunday', () => {
    // 2001-01-01 was a Monday, 2001-01-07 a Sunday, 2001-03-08 a Thursday.
    const week = flights([['2001-01-01T10:00', 'A', 'B', 1], ['2001-01-06T10:00', 'A', 'B', 1], ['2001-01-07T23:59', 'A', 'B', 1], ['2001-03-08T10:00', 'A', 'B', 1]])
    assert.deepEqual([...feature('weekday').compute(week, noHistory)], [0, 5, 6, 3])
  })

  it('origin_delayed_rate_7d: smoothed share of the origin’s departures delayed > 15 min', () => {
    // ORD: 8 flights, 4 delayed (30, 20, 60, 45). ATL: 4 flights, 1 delayed (16; 15 is not > 15). SFO unseen → the prior.
    const got = feature('origin_delayed_rate_7d').compute(today, history)
    assert.deepEqual([...got], [smooth(4, 8), smooth(4, 8), smooth(1, 4), smooth(0, 0)].map(f32))
    assert.equal(got[3], f32(prior), 'an unseen airport gets the overall rate')
  })

  it('origin_delay_mean_7d: smoothed mean delay of the origin’s departures, clipped at 0', () => {
    // ORD delays: 30+0+20-5+0+60+45+0 = 150 over 8. ATL: 0+0+16+15 = 31 over 4.
    const got = feature('origin_delay_mean_7d').compute(today, history)
    const mean = (sum: number, n: number) => (sum + PRIOR_FLIGHTS * priorMean) / (n + PRIOR_FLIGHTS)
    assert.deepEqual([...got], [mean(150, 8), mean(150, 8), mean(31, 4), priorMean].map(f32))
    // An airport whose flights were all early is clipped at 0, never -1 (which means missing).
    const early = buildHistory([aggregateDay(flights([['2001-03-07T10:00', 'ORD', 'LGA', 1, -60]]), day('2001-03-07'))], asOf)
    assert.deepEqual([...feature('origin_delay_mean_7d').compute(flights([['2001-03-08T10:00', 'ORD', 'LGA', 1]]), early)], [0])
  })

  it('origin_flights_7d: departures from the origin over the window, 0 when unseen', () => {
    assert.deepEqual([...feature('origin_flights_7d').compute(today, history)], [8, 8, 4, 0])
  })

  it('route_delayed_rate_7d: smoothed delayed share of this origin → destination', () => {
    // ORD→LGA: 6 flights, 3 delayed (30, 20, 45). ORD→BOS: 2, 1. ATL→LGA: 2, 1. SFO→LAX unseen.
    assert.deepEqual([...feature('route_delayed_rate_7d').compute(today, history)], [smooth(3, 6), smooth(1, 2), smooth(1, 2), smooth(0, 0)].map(f32))
  })

  it('dest_delayed_rate_7d: smoothed delayed share of flights into the destination', () => {
    // Into LGA: 8 flights (6 from ORD, 2 from ATL), delayed 30, 20, 45, 16 → 4. Into BOS: 2, 1. Into LAX: unseen.
    assert.deepEqual([...feature('dest_delayed_rate_7d').compute(today, history)], [smooth(4, 8), smooth(1, 2), smooth(4, 8), smooth(0, 0)].map(f32))
  })

  it('origin_delayed_rate_1d: the previous day alone, smoothed towards that day’s rate', () => {
    // 2001-03-07: 4 flights, 2 delayed (45, 16) → prior 0.5. ORD: 2 flights, 1 delayed. ATL: 2, 1.
    const got = feature('origin_delayed_rate_1d').compute(today, history)
    assert.deepEqual([...got], [smooth(1, 2, 0.5), smooth(1, 2, 0.5), smooth(1, 2, 0.5), 0.5].map(f32))
    // Without the previous day in the history (only 03-06), it is missing even though other history exists.
    const gap = buildHistory([days[0]!], asOf)
    assert.deepEqual([...feature('origin_delayed_rate_1d').compute(today, gap)], [MISSING, MISSING, MISSING, MISSING])
  })

  it('origin_hour_delayed_rate_7d: smoothed delayed share at the origin in the same part of the day', () => {
    // ORD mornings (06–11): 08:00 (30), 09:00 (0), 10:00 (0), 08:00 (0) → 4 flights, 1 delayed.
    // ORD evenings (18–23): 18:30 (20), 20:00 (-5), 21:00 (60), 19:00 (45) → 4, 3.
    // ATL afternoons (12–17): 12:00 (0), 13:00 (16), 14:00 (15) → 3, 1. SFO: unseen.
    assert.deepEqual([...feature('origin_hour_delayed_rate_7d').compute(today, history)], [smooth(1, 4), smooth(3, 4), smooth(1, 3), smooth(0, 0)].map(f32))
  })

  it('every history feature is MISSING (-1) on the first day, when there is no history', () => {
    const all = computeFeatures(today, noHistory)
    for (const name of ['origin_delayed_rate_7d', 'origin_delay_mean_7d', 'origin_flights_7d', 'route_delayed_rate_7d', 'dest_delayed_rate_7d', 'origin_delayed_rate_1d', 'origin_hour_delayed_rate_7d']) {
      assert.deepEqual([...all[name]!], [MISSING, MISSING, MISSING, MISSING], name)
    }
  })
})

describe('flights features: the set as a whole', () => {
  it('is documented: meaning, source, expected distribution and range for every feature; unique names in a fixed order', () => {
    assert.equal(new Set(FEATURE_NAMES).size, FEATURE_NAMES.length)
    assert.deepEqual(FEATURE_NAMES, FEATURES.map((f) => f.name))
    for (const f of FEATURES) {
      for (const field of ['description', 'source', 'expected'] as const) assert.ok(f[field].length > 10, `${f.name}.${field}`)
      assert.ok(f.range[0] >= 0 && f.range[0] <= f.range[1], `${f.name}: real values are ≥ 0 so -1 can mean missing`)
    }
  })

  it('never reads the delays of the flights being scored (they are unknown at serving time)', () => {
    const withoutDelays: FlightColumns = { ...today, delay: undefined }
    const scrambled: FlightColumns = { ...today, delay: Float64Array.from([-30, 500, 0, 16]) }
    const expected = computeFeatures(today, history)
    assert.deepEqual(computeFeatures(withoutDelays, history), expected)
    assert.deepEqual(computeFeatures(scrambled, history), expected)
  })

  it('depends on history only through strictly earlier days', () => {
    assert.throws(() => buildHistory([aggregateDay(flights([['2001-03-08T06:00', 'ORD', 'LGA', 1, 0]]), day('2001-03-08'))], asOf), /Future leakage/)
    assert.throws(() => buildHistory([aggregateDay(flights([['2001-03-09T06:00', 'ORD', 'LGA', 1, 0]]), day('2001-03-09'))], asOf), /Future leakage/)
    assert.throws(() => buildHistory([aggregateDay(flights([['2001-02-28T06:00', 'ORD', 'LGA', 1, 0]]), day('2001-02-28'))], asOf), /more than 7 days/)
    assert.throws(() => buildHistory([days[0]!, days[0]!], asOf), /given twice/)
    assert.throws(() => aggregateDay(flights([['2001-03-07T06:00', 'ORD', 'LGA', 1, 0]]), day('2001-03-06')), /is not on 2001-03-06/)
  })

  it('labels a flight delayed when it arrives more than 15 minutes late', () => {
    assert.equal(DELAY_THRESHOLD_MINUTES, 15)
    const l = labels(flights([['2001-03-08T07:00', 'A', 'B', 1, 15], ['2001-03-08T07:00', 'A', 'B', 1, 16], ['2001-03-08T07:00', 'A', 'B', 1, -20], ['2001-03-08T07:00', 'A', 'B', 1, 300]]))
    assert.deepEqual([...l], [0, 1, 0, 1])
    assert.throws(() => labels({ ...today, delay: undefined }), /delays/)
  })

  it('round-trips through the Arrow features table (Float32 columns in FEATURE_NAMES order, the label, airports)', () => {
    const feats = computeFeatures(today, history)
    const table = featuresTable(today, feats, labels(today))
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['date', 'origin', 'destination', ...FEATURE_NAMES, 'label_delayed'])
    for (const name of FEATURE_NAMES) assert.deepEqual(float32Column(table, name), feats[name])
    assert.deepEqual([...int8Column(table, 'label_delayed')], [1, 1, 1, 1])
    assert.deepEqual(stringColumn(table, 'origin'), today.origin)
    assert.deepEqual(stringColumn(table, 'destination'), today.destination)
    assert.deepEqual(numberColumn(table, 'date'), today.dateMs)
  })

  it('profiles a column for drift: missing share, share outside the documented range', () => {
    const p = profileFeature(feature('dep_hour'), Float32Array.from([1, 2, 30, MISSING]))
    assert.equal(p.missingRate, 0.25)
    assert.equal(p.outOfRangeRate, 0.25)
    assert.equal(p.mean, 11)
  })
})

describe('flights features: the engine’s point-in-time guard', () => {
  const days31 = dailyPartitions({ start: '2001-01-01', end: '2001-02-01' })
  const raw = asset({ key: 'raw/flights', partitions: days31, compute: () => [] })

  it('accepts the features’ lookback of the 7 previous days', () => {
    const ok = asset({ key: 'features', partitions: days31, ins: { today: raw, history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } }, compute: () => [] })
    assert.doesNotThrow(() => defineDefinitions({ assets: [raw, ok] }))
  })

  it('rejects a lookback that reads later days as a definition error', () => {
    for (const [startOffset, endOffset] of [[-7, 1], [0, 1], [1, 1]]) {
      const leaky = asset({ key: 'features', partitions: days31, ins: { history: { asset: raw, mapping: timeWindowMapping({ startOffset, endOffset }) } }, compute: () => [] })
      assert.throws(
        () => defineDefinitions({ assets: [raw, leaky] }),
        (err: unknown) => isStrataError(err) && err.code === 'STRATA_FUTURE_LEAK',
        `timeWindowMapping({ startOffset: ${startOffset}, endOffset: ${endOffset} })`,
      )
    }
  })

  it('leaves same-day reads to the feature module: the engine allows them (that is how `today` is read), buildHistory refuses them', () => {
    const sameDay = asset({ key: 'features', partitions: days31, ins: { history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: 0 }) } }, compute: () => [] })
    assert.doesNotThrow(() => defineDefinitions({ assets: [raw, sameDay] }))
    assert.throws(() => buildHistory([aggregateDay(flights([['2001-03-08T06:00', 'ORD', 'LGA', 1, 0]]), day('2001-03-08'))], asOf), /Future leakage/)
  })

  it('is how the example declares its features (no allowFuture)', async () => {
    const defs = await import('../../examples/flights/definitions.js')
    const history = defs.features.ins.history!
    assert.equal(history.assetKey, 'raw/flights')
    assert.equal(history.allowFuture, false)
    const m = history.mapping as unknown as { kind: string; startOffset: number; endOffset: number }
    assert.deepEqual([m.kind, m.startOffset, m.endOffset], ['time-window', -7, -1])
  })
})
