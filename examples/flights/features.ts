/**
 * The flight-delay feature set: one module, used by the batch pipeline
 * (`features/flights`), by training and evaluation, and by serving
 * (`scoreFlights` in ./model.ts) — the same pure functions everywhere, so
 * there is no training/serving skew.
 *
 * Prediction point — when the model is used: at the moment a flight departs,
 * to predict whether it will arrive more than 15 minutes late (arrival-gate
 * and connection planning). This is dictated by the data: `date` is the
 * ACTUAL departure time (BTS FlightDate + CRSDepTime + DepDelay, see
 * vega-datasets scripts/flights.py); the scheduled time is not in the source.
 * At departure the actual departure time is known, so `dep_hour` is a
 * legitimate feature there — but a model used at booking or scheduling time
 * could not use it (it carries the departure delay): that would need the
 * scheduled time, which this source lacks.
 *
 * Every feature is a pure function of
 *   - the flights being scored (what is known when the flight departs: date
 *     and time, origin, destination, distance — never its arrival delay), and
 *   - a `History` built from the flights of strictly earlier days.
 * Point-in-time correctness is enforced twice: the pipeline only loads the
 * seven previous days (`timeWindowMapping({ startOffset: -7, endOffset: -1 })`,
 * and the engine refuses any mapping that reads a later day), and
 * `buildHistory` throws if it is given a day that is not strictly before the
 * day being scored. (Approximation: a red-eye that left late on the previous
 * day may still be in the air when an early flight departs; its arrival delay
 * counts in the history one flight-time too early. Rare, and accepted.)
 *
 * Time: the source's timestamps are local times without a zone; they are
 * read as UTC wall-clock times (hour and weekday are the local ones).
 *
 * Missing values: a history feature with no history at all (the first day of
 * the data) is `MISSING` (-1), which ml-xgboost treats as missing (it builds
 * its DMatrix with missing = -1), so trees learn a default direction for it.
 * Every real value of every feature is ≥ 0.
 *
 * Rates are smoothed towards the window's overall rate with PRIOR_FLIGHTS
 * pseudo-flights (empirical Bayes), so an airport seen on 3 flights does not
 * get a rate of 0 or 1: rate = (delayed + k·prior) / (flights + k).
 */

/** Bump when any feature's definition changes; the training config names the version it expects. */
export const FEATURE_SET_VERSION = 'v1'

/** A flight is delayed when it arrives more than this many minutes late. */
export const DELAY_THRESHOLD_MINUTES = 15

/** ml-xgboost builds its DMatrix with missing = -1. */
export const MISSING = -1

/** Pseudo-flights of smoothing towards the window's overall rate. */
export const PRIOR_FLIGHTS = 20

/** Days of history the window features summarize. */
export const HISTORY_DAYS = 7

const DAY_MS = 86_400_000

/** Flights, column by column. `delay` is only known on arrival: features never read it (labels do). */
export interface FlightColumns {
  readonly n: number
  /** Actual departure, ms since the epoch (local wall-clock time read as UTC). */
  readonly dateMs: Float64Array
  /** Miles. */
  readonly distance: Float64Array
  /** IATA codes. */
  readonly origin: readonly string[]
  readonly destination: readonly string[]
  /** Arrival delay in minutes (negative = early). Absent at serving time. */
  readonly delay?: Float64Array
}

/** Counts over a set of flights. */
export interface Counter {
  flights: number
  delayed: number
  delaySum: number
}

/** Counts of the flights departing one airport: overall, per hour band, per destination (route). */
export interface OriginStats {
  readonly all: Counter
  /** Indexed by hour band (0–3, see HOUR_BANDS). */
  readonly bands: readonly Counter[]
  /** By destination: the routes from this origin. */
  readonly routes: ReadonlyMap<string, Counter>
}

/** What one day contributes to history: counts overall, per origin (with its bands and routes) and per destination. */
export interface DayAggregate {
  /** Start of the day, ms since the epoch (UTC midnight). */
  readonly dayStartMs: number
  readonly all: Counter
  readonly byOrigin: ReadonlyMap<string, OriginStats>
  readonly byDestination: ReadonlyMap<string, Counter>
}

/** Aggregates of the days before `asOfMs`: the whole window, and the last day alone. */
export interface History {
  readonly asOfMs: number
  /** Number of days it summarizes (0 on the first day of the data). */
  readonly days: number
  readonly window: Omit<DayAggregate, 'dayStartMs'>
  /** The day immediately before `asOfMs`, if it is in the history. */
  readonly previousDay?: DayAggregate
}

/** Hour bands of the day: night 0–5, morning 6–11, afternoon 12–17, evening 18–23. */
export const HOUR_BANDS = ['night', 'morning', 'afternoon', 'evening'] as const
export const hourBand = (hour: number): number => Math.min(3, Math.floor(hour / 6))

export const hourOf = (ms: number): number => Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000)
/** 0 = Monday … 6 = Sunday. */
export const weekdayOf = (ms: number): number => (Math.floor(ms / DAY_MS) + 3) % 7 // 1970-01-01 was a Thursday
export const dayStartOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS

export const isDelayed = (delayMinutes: number): boolean => delayMinutes > DELAY_THRESHOLD_MINUTES

const counter = (): Counter => ({ flights: 0, delayed: 0, delaySum: 0 })
const originStats = (): OriginStats => ({ all: counter(), bands: [counter(), counter(), counter(), counter()], routes: new Map() })

function count(c: Counter, delay: number, late: number): void {
  c.flights++
  c.delayed += late
  c.delaySum += delay
}

function addTo(c: Counter, from: Counter): void {
  c.flights += from.flights
  c.delayed += from.delayed
  c.delaySum += from.delaySum
}

/** Summarizes one day's flights (which must all be on that day, with delays). */
export function aggregateDay(rows: FlightColumns, dayStartMs: number): DayAggregate {
  if (!rows.delay) throw new Error('aggregateDay needs the flights\' delays: history is built from completed flights.')
  const all = counter()
  const byOrigin = new Map<string, OriginStats>()
  const byDestination = new Map<string, Counter>()
  for (let i = 0; i < rows.n; i++) {
    const ms = rows.dateMs[i]!
    if (ms < dayStartMs || ms >= dayStartMs + DAY_MS) {
      throw new Error(`aggregateDay: a flight at ${new Date(ms).toISOString()} is not on ${new Date(dayStartMs).toISOString().slice(0, 10)}.`)
    }
    const delay = rows.delay[i]!
    const late = isDelayed(delay) ? 1 : 0
    count(all, delay, late)
    const o = rows.origin[i]!
    const d = rows.destination[i]!
    let os = byOrigin.get(o)
    if (!os) byOrigin.set(o, (os = originStats()))
    count(os.all, delay, late)
    count(os.bands[hourBand(((ms - dayStartMs) / 3_600_000) | 0)]!, delay, late)
    const routes = os.routes as Map<string, Counter>
    let r = routes.get(d)
    if (!r) routes.set(d, (r = counter()))
    count(r, delay, late)
    let ds = byDestination.get(d)
    if (!ds) byDestination.set(d, (ds = counter()))
    count(ds, delay, late)
  }
  return { dayStartMs, all, byOrigin, byDestination }
}

/**
 * The history available when scoring flights of the day starting at
 * `asOfMs`: the given days, which must all be strictly earlier (point in
 * time), within HISTORY_DAYS, and distinct.
 */
export function buildHistory(days: readonly DayAggregate[], asOfMs: number): History {
  const seen = new Set<number>()
  for (const d of days) {
    if (d.dayStartMs >= asOfMs) {
      throw new Error(
        `Future leakage: history day ${new Date(d.dayStartMs).toISOString().slice(0, 10)} is not before the day being scored (${new Date(asOfMs).toISOString().slice(0, 10)}).`,
      )
    }
    if (d.dayStartMs < asOfMs - HISTORY_DAYS * DAY_MS) {
      throw new Error(`History day ${new Date(d.dayStartMs).toISOString().slice(0, 10)} is more than ${HISTORY_DAYS} days before ${new Date(asOfMs).toISOString().slice(0, 10)}.`)
    }
    if (seen.has(d.dayStartMs)) throw new Error(`History day ${new Date(d.dayStartMs).toISOString().slice(0, 10)} is given twice.`)
    seen.add(d.dayStartMs)
  }
  const all = counter()
  const byOrigin = new Map<string, OriginStats>()
  const byDestination = new Map<string, Counter>()
  for (const d of days) {
    addTo(all, d.all)
    for (const [o, s] of d.byOrigin) {
      let t = byOrigin.get(o)
      if (!t) byOrigin.set(o, (t = originStats()))
      addTo(t.all, s.all)
      for (let b = 0; b < 4; b++) addTo(t.bands[b]!, s.bands[b]!)
      const routes = t.routes as Map<string, Counter>
      for (const [dest, c] of s.routes) {
        const r = routes.get(dest)
        if (r) addTo(r, c)
        else routes.set(dest, { ...c })
      }
    }
    for (const [dest, c] of d.byDestination) {
      const t = byDestination.get(dest)
      if (t) addTo(t, c)
      else byDestination.set(dest, { ...c })
    }
  }
  const previousDay = days.find((d) => d.dayStartMs === asOfMs - DAY_MS)
  return { asOfMs, days: days.length, window: { all, byOrigin, byDestination }, previousDay }
}

/** Smoothed delayed-rate of a counter (undefined counter = unseen: the prior). */
export function smoothedRate(c: Counter | undefined, overall: Counter): number {
  const prior = overall.flights > 0 ? overall.delayed / overall.flights : 0
  return ((c?.delayed ?? 0) + PRIOR_FLIGHTS * prior) / ((c?.flights ?? 0) + PRIOR_FLIGHTS)
}

/** Smoothed mean delay (minutes) of a counter. */
export function smoothedMeanDelay(c: Counter | undefined, overall: Counter): number {
  const prior = overall.flights > 0 ? overall.delaySum / overall.flights : 0
  return ((c?.delaySum ?? 0) + PRIOR_FLIGHTS * prior) / ((c?.flights ?? 0) + PRIOR_FLIGHTS)
}

/** One documented feature. */
export interface FeatureSpec {
  readonly name: string
  /** What it means for the business. */
  readonly description: string
  /** Where it comes from. */
  readonly source: string
  /** The distribution we expect (measured on the Jan–May 2001 training sample); values outside `range` are flagged as drift. */
  readonly expected: string
  /** Plausible bounds of real (non-missing) values. */
  readonly range: readonly [number, number]
  /** Highest acceptable share of MISSING values once history exists. */
  readonly maxMissingRate: number
  /** Pure: the feature for every flight in `rows`, given the history before their day. */
  compute(rows: FlightColumns, history: History): Float32Array
}

function perRow(rows: FlightColumns, f: (i: number) => number): Float32Array {
  const out = new Float32Array(rows.n)
  for (let i = 0; i < rows.n; i++) out[i] = f(i)
  return out
}

/** A history feature: MISSING when there is no history at all. */
function fromHistory(rows: FlightColumns, history: History, f: (i: number) => number): Float32Array {
  if (history.days === 0) return new Float32Array(rows.n).fill(MISSING)
  return perRow(rows, f)
}

export const FEATURES: readonly FeatureSpec[] = [
  {
    name: 'distance',
    description: 'Flight distance in miles. Longer flights can make up time en route; short hops suffer more from ground congestion.',
    source: 'raw/flights.distance (the flight itself)',
    expected: 'right-skewed: median ≈ 570 miles, 5–95% 143–1953, max 4962',
    range: [1, 6000],
    maxMissingRate: 0,
    compute: (rows) => perRow(rows, (i) => rows.distance[i]!),
  },
  {
    name: 'dep_hour',
    description: 'Local hour of the actual departure (known at the prediction point, departure). Delays accumulate during the day, and a departure after midnight is almost always a late one.',
    source: 'raw/flights.date (the flight itself)',
    expected: '0–23, mean ≈ 13; 90% between 06 and 21, very few 01–04',
    range: [0, 23],
    maxMissingRate: 0,
    compute: (rows) => perRow(rows, (i) => hourOf(rows.dateMs[i]!)),
  },
  {
    name: 'weekday',
    description: 'Day of the week of the departure, 0 = Monday … 6 = Sunday. Captures weekly traffic patterns (Friday/Sunday peaks).',
    source: 'raw/flights.date (the flight itself)',
    expected: 'roughly uniform over 0–6 (mean ≈ 2.9), Saturday lightest',
    range: [0, 6],
    maxMissingRate: 0,
    compute: (rows) => perRow(rows, (i) => weekdayOf(rows.dateMs[i]!)),
  },
  {
    name: 'origin_delayed_rate_7d',
    description: 'Share of departures from the origin airport delayed > 15 min over the previous 7 days (smoothed). How reliably this airport runs lately.',
    source: 'raw/flights of the 7 previous days, by origin',
    expected: 'mean ≈ 0.20; 5–95% 0.09–0.33',
    range: [0, 1],
    maxMissingRate: 0,
    compute: (rows, h) => fromHistory(rows, h, (i) => smoothedRate(h.window.byOrigin.get(rows.origin[i]!)?.all, h.window.all)),
  },
  {
    name: 'origin_delay_mean_7d',
    description: 'Mean arrival delay in minutes of flights departing the origin over the previous 7 days (smoothed). Severity, not just frequency, of recent delays.',
    source: 'raw/flights of the 7 previous days, by origin',
    expected: 'mean ≈ 6.5 min; 5–95% 0–17; over 5% clipped to 0 (airports running early)',
    range: [0, 300],
    maxMissingRate: 0,
    // Clipped at 0: every real value must stay ≥ 0 because -1 means missing.
    compute: (rows, h) => fromHistory(rows, h, (i) => Math.max(0, smoothedMeanDelay(h.window.byOrigin.get(rows.origin[i]!)?.all, h.window.all))),
  },
  {
    name: 'origin_flights_7d',
    description: 'Departures from the origin over the previous 7 days: airport size and congestion (hubs vs regional airports). 0 = not seen recently.',
    source: 'raw/flights of the 7 previous days, by origin',
    expected: 'heavy-tailed, up to ≈ 6700 (ORD, DFW); median ≈ 2000 per flight (hubs dominate), 5–95% 126–6184',
    range: [0, 20000],
    maxMissingRate: 0,
    compute: (rows, h) => fromHistory(rows, h, (i) => h.window.byOrigin.get(rows.origin[i]!)?.all.flights ?? 0),
  },
  {
    name: 'route_delayed_rate_7d',
    description: 'Share of flights on this origin → destination route delayed > 15 min over the previous 7 days (smoothed towards the overall rate).',
    source: 'raw/flights of the 7 previous days, by (origin, destination)',
    expected: 'mean ≈ 0.20; 5–95% 0.08–0.37 (sparse routes stay near the prior)',
    range: [0, 1],
    maxMissingRate: 0,
    compute: (rows, h) => fromHistory(rows, h, (i) => smoothedRate(h.window.byOrigin.get(rows.origin[i]!)?.routes.get(rows.destination[i]!), h.window.all)),
  },
  {
    name: 'dest_delayed_rate_7d',
    description: 'Share of flights into the destination delayed > 15 min over the previous 7 days (smoothed): congestion and weather at arrival.',
    source: 'raw/flights of the 7 previous days, by destination',
    expected: 'mean ≈ 0.20; 5–95% 0.09–0.35',
    range: [0, 1],
    maxMissingRate: 0,
    compute: (rows, h) => fromHistory(rows, h, (i) => smoothedRate(h.window.byDestination.get(rows.destination[i]!), h.window.all)),
  },
  {
    name: 'origin_delayed_rate_1d',
    description: 'Share of departures from the origin delayed > 15 min on the previous day alone (smoothed): short weather and disruption spells.',
    source: 'raw/flights of the previous day, by origin',
    expected: 'mean ≈ 0.20, wider than the 7-day rate: 5–95% 0.07–0.44; MISSING when the previous day is not in the history',
    range: [0, 1],
    maxMissingRate: 0,
    compute: (rows, h) => {
      const prev = h.previousDay
      if (!prev) return new Float32Array(rows.n).fill(MISSING)
      return perRow(rows, (i) => smoothedRate(prev.byOrigin.get(rows.origin[i]!)?.all, prev.all))
    },
  },
  {
    name: 'origin_hour_delayed_rate_7d',
    description: 'Share of departures from the origin in the same part of the day (night/morning/afternoon/evening) delayed > 15 min over the previous 7 days (smoothed).',
    source: 'raw/flights of the 7 previous days, by (origin, hour band)',
    expected: 'mean ≈ 0.20; 5–95% 0.07–0.38; rises through the day',
    range: [0, 1],
    maxMissingRate: 0,
    compute: (rows, h) => fromHistory(rows, h, (i) => smoothedRate(h.window.byOrigin.get(rows.origin[i]!)?.bands[hourBand(hourOf(rows.dateMs[i]!))], h.window.all)),
  },
]

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name)

export type FeatureColumns = Record<string, Float32Array>

/** Every feature of the set, in FEATURE_NAMES order. */
export function computeFeatures(rows: FlightColumns, history: History): FeatureColumns {
  const out: FeatureColumns = {}
  for (const f of FEATURES) out[f.name] = f.compute(rows, history)
  return out
}

/** The training label: 1 when the flight was delayed more than 15 minutes. */
export function labels(rows: FlightColumns): Uint8Array {
  if (!rows.delay) throw new Error('labels need the flights\' delays.')
  const out = new Uint8Array(rows.n)
  for (let i = 0; i < rows.n; i++) out[i] = isDelayed(rows.delay[i]!) ? 1 : 0
  return out
}

/** Summary of one feature column, for monitoring drift: mean, share missing, share outside its documented range. */
export interface FeatureProfile {
  mean: number
  min: number
  max: number
  missingRate: number
  outOfRangeRate: number
}

export function profileFeature(spec: FeatureSpec, values: Float32Array): FeatureProfile {
  let sum = 0
  let count = 0
  let missing = 0
  let outside = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v === MISSING) {
      missing++
      continue
    }
    count++
    sum += v
    if (v < min) min = v
    if (v > max) max = v
    if (v < spec.range[0] || v > spec.range[1]) outside++
  }
  const n = values.length || 1
  return { mean: count ? sum / count : NaN, min: count ? min : NaN, max: count ? max : NaN, missingRate: missing / n, outOfRangeRate: outside / n }
}
