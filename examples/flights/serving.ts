/**
 * Online serving of `flight_delay` (`strata serve -f examples/flights/definitions.ts`).
 *
 * The online feature store is the asset `serving/online_features`: the
 * per-day aggregates (`aggregateDay` of features.ts) of the last ONLINE_DAYS
 * days of `raw/flights`, stored as one JSON object (the asset's value, in the
 * content-addressed object store; a new materialization is picked up by a
 * running server within a second). A request's flight gets its history from
 * it with `buildHistory` — the days strictly before the flight's day and
 * within HISTORY_DAYS, as in the batch pipeline — and is scored by
 * `scoreFlights` (model.ts), which calls `computeFeatures`: the very functions
 * that built the training rows. There is no second feature implementation,
 * so training/serving skew is impossible by construction
 * (test/serving/flights.test.ts checks served scores equal batch scores).
 *
 * Instances: `{ "origin": "SFO", "destination": "LAX", "distance": 337, "date": "2001-06-30T14:05:00Z" }`
 * — `date` is the departure time (local wall-clock time; a zone suffix is
 * ignored the way the source's timestamps are read: as UTC). A flight whose
 * day is not covered by the store's days gets fewer (or no) history days, and
 * its history features are MISSING, as on the first day of the data.
 *
 * Such a score is not the batch score, so it says so: `flightWarnings` gives
 * it `history incomplete: k of 7 days` (marked unavailable, naming the date
 * and the departure days the store can serve, so `strata serve
 * --strict-features` refuses it), and an airport absent from the history gets
 * `unknown origin` / `unknown destination` (its rates fall back to the prior).
 */
import type { Table } from 'apache-arrow'
import { asset, invalidInstance, servedModel, type AssetContext, type AssetDefinition, type AutomationCondition, type PartitionMapping, type ServingWarning } from 'strata-engine'
import { aggregateDay, buildHistory, dayStartOf, FEATURE_SET_VERSION, HISTORY_DAYS, type Counter, type DayAggregate, type FlightColumns, type History, type OriginStats } from './features.js'
import { keyRangeMapping } from './mappings.js'
import { loadModel, scoreFlights, type LoadedModel, type ModelArtifact } from './model.js'
import { flightColumns } from './tables.js'

/** Days kept online: enough for a full 7-day history on the last day and on the day after it. */
export const ONLINE_DAYS = HISTORY_DAYS + 1

/** Probability at or above which the label is `delayed`. */
export const DELAYED_THRESHOLD = 0.5

const DAY_MS = 86_400_000

/** One day's aggregate as JSON (Maps become objects). */
export interface StoredDay {
  day: string
  dayStartMs: number
  all: Counter
  byOrigin: Record<string, { all: Counter; bands: Counter[]; routes: Record<string, Counter> }>
  byDestination: Record<string, Counter>
}

/** The value of `serving/online_features`. */
export interface OnlineFeatures {
  featureSet: string
  /** Oldest first. */
  days: StoredDay[]
}

export function storeDay(a: DayAggregate): StoredDay {
  const byOrigin: StoredDay['byOrigin'] = {}
  for (const [o, s] of a.byOrigin) byOrigin[o] = { all: s.all, bands: [...s.bands], routes: Object.fromEntries(s.routes) }
  return { day: new Date(a.dayStartMs).toISOString().slice(0, 10), dayStartMs: a.dayStartMs, all: a.all, byOrigin, byDestination: Object.fromEntries(a.byDestination) }
}

export function restoreDay(d: StoredDay): DayAggregate {
  const byOrigin = new Map<string, OriginStats>()
  for (const [o, s] of Object.entries(d.byOrigin)) byOrigin.set(o, { all: s.all, bands: s.bands, routes: new Map(Object.entries(s.routes)) })
  return { dayStartMs: d.dayStartMs, all: d.all, byOrigin, byDestination: new Map(Object.entries(d.byDestination)) }
}

const buildOnline = (ctx: AssetContext, inputs: { days: unknown }) => {
  const days = inputs.days as Map<string, Table>
  const stored = [...days].map(([key, t]) => storeDay(aggregateDay(flightColumns(t), Date.parse(`${key}T00:00:00Z`))))
  ctx.log.info(`online features from ${stored.length} days (${stored[0]?.day}..${stored[stored.length - 1]?.day})`)
  const value: OnlineFeatures = { featureSet: FEATURE_SET_VERSION, days: stored }
  return value
}

/** `serving/online_features` over the last ONLINE_DAYS of `dayKeys`. */
export function onlineFeaturesAsset(opts: {
  rawFlights: AssetDefinition<Table>
  dayKeys: readonly string[]
  /** When the daemon rebuilds it; none when omitted. */
  automation?: AutomationCondition
}): AssetDefinition<OnlineFeatures> {
  const last = opts.dayKeys.slice(-ONLINE_DAYS)
  const range = { from: last[0]!, to: last[last.length - 1]! }
  const mapping: PartitionMapping = keyRangeMapping(range, 'online')
  return asset({
    key: 'serving/online_features',
    group: 'serving',
    description: `Online feature store: per-day aggregates (features.ts) of raw/flights ${range.from}..${range.to}, read by strata serve.`,
    tags: { kind: 'online-features' },
    ins: { days: { asset: opts.rawFlights, mapping } },
    versionInputs: { range },
    ...(opts.automation ? { automation: opts.automation } : {}),
    compute: buildOnline,
  }) as AssetDefinition<OnlineFeatures>
}

/** One request instance. */
export interface FlightInstance {
  origin: string
  destination: string
  distance: number
  dateMs: number
}

const AIRPORT = /^[A-Z0-9]{3,4}$/

export function parseFlight(json: unknown): FlightInstance {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) invalidInstance('', `expected an object { origin, destination, distance, date }, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`)
  const o = json as Record<string, unknown>
  const airport = (field: 'origin' | 'destination'): string => {
    const v = o[field]
    if (v === undefined) invalidInstance(field, 'is missing (an IATA airport code such as "SFO")')
    if (typeof v !== 'string' || !AIRPORT.test(v)) invalidInstance(field, `must be an IATA airport code such as "SFO" (got ${JSON.stringify(v)})`)
    return v
  }
  const origin = airport('origin')
  const destination = airport('destination')
  const distance = o.distance
  if (distance === undefined) invalidInstance('distance', 'is missing (miles, a number)')
  if (typeof distance !== 'number' || !Number.isFinite(distance)) invalidInstance('distance', `must be a number of miles (got ${JSON.stringify(distance)})`)
  if (distance <= 0 || distance > 6000) invalidInstance('distance', `must be between 0 and 6000 miles (got ${distance})`)
  const date = o.date
  if (date === undefined) invalidInstance('date', 'is missing (departure time, e.g. "2001-06-30T14:05:00Z")')
  if (typeof date !== 'string') invalidInstance('date', `must be an ISO date-time string such as "2001-06-30T14:05:00Z" (got ${JSON.stringify(date)})`)
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(date)
  // Wall-clock time read as UTC, like the source's timestamps: any zone suffix is ignored.
  const dateMs = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}Z`) : NaN
  if (!Number.isFinite(dateMs)) invalidInstance('date', `must be an ISO date-time such as "2001-06-30T14:05:00Z" (got ${JSON.stringify(date)})`)
  return { origin, destination, distance, dateMs }
}

/** What the server keeps per loaded version. */
export interface LoadedFlightModel {
  model: LoadedModel
  days: DayAggregate[]
  histories: Map<number, History>
}

/** The history for flights departing on the day starting at `dayMs`, from the stored days (point in time). */
export function historyFor(loaded: LoadedFlightModel, dayMs: number): History {
  let h = loaded.histories.get(dayMs)
  if (!h) {
    h = buildHistory(loaded.days.filter((d) => d.dayStartMs < dayMs && d.dayStartMs >= dayMs - HISTORY_DAYS * DAY_MS), dayMs)
    if (loaded.histories.size > 256) loaded.histories.clear()
    loaded.histories.set(dayMs, h)
  }
  return h
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * What the store covers: the days it holds, and the departure days whose full
 * history it holds (HISTORY_DAYS after its first day up to the day after its
 * last; null when it holds fewer than HISTORY_DAYS days).
 */
export function storeWindow(days: readonly DayAggregate[]): { held: string; serves: string | null } | undefined {
  if (days.length === 0) return undefined
  const first = days[0]!.dayStartMs
  const last = days[days.length - 1]!.dayStartMs
  const from = first + HISTORY_DAYS * DAY_MS
  const to = last + DAY_MS
  return { held: `${isoDay(first)}..${isoDay(last)}`, serves: from <= to ? `${isoDay(from)}..${isoDay(to)}` : null }
}

/** What the store could not give each flight: missing history days, airports it has not seen. */
export function flightWarnings(loaded: LoadedFlightModel, instances: readonly FlightInstance[]): ServingWarning[][] {
  const w = storeWindow(loaded.days)
  const store = !w ? 'holds no days' : w.serves ? `serves departures on ${w.serves} (it holds the days ${w.held})` : `holds too few days (${w.held}) for a full history on any day`
  return instances.map((x) => {
    const day = dayStartOf(x.dateMs)
    const h = historyFor(loaded, day)
    const out: ServingWarning[] = []
    if (h.days < HISTORY_DAYS) {
      out.push({
        kind: 'history_incomplete',
        message: `history incomplete: ${h.days} of ${HISTORY_DAYS} days`,
        unavailable: `${isoDay(day)} has ${h.days} of its ${HISTORY_DAYS} history days in the online store, which ${store}`,
      })
    }
    // With no history at all every airport is unseen; the warning above already says it.
    if (h.days > 0) {
      if (!h.window.byOrigin.has(x.origin)) out.push({ kind: 'unknown_origin', message: 'unknown origin' })
      if (!h.window.byDestination.has(x.destination)) out.push({ kind: 'unknown_destination', message: 'unknown destination' })
    }
    return out
  })
}

/** The served `flight_delay`: the registered model package + the online features. */
export function flightDelayServing(onlineFeatures: AssetDefinition<OnlineFeatures>) {
  return servedModel<LoadedFlightModel, FlightInstance, OnlineFeatures>({
    description: 'Delay > 15 min at departure; history features from serving/online_features.',
    features: { asset: onlineFeatures },
    async load(artifact, ctx) {
      const pkg = artifact as { model?: ModelArtifact }
      if (!pkg?.model) throw new Error(`${ctx.model.name} v${ctx.model.version}: the artifact is not a model package (no "model").`)
      if (!ctx.features) throw new Error('no online features')
      if (ctx.features.featureSet !== pkg.model.featureSet) throw new Error(`online features are feature set ${ctx.features.featureSet}, the model wants ${pkg.model.featureSet}: rematerialize serving/online_features.`)
      return { model: await loadModel(pkg.model), days: ctx.features.days.map(restoreDay), histories: new Map() }
    },
    parseInstance: parseFlight,
    warnings: flightWarnings,
    predict(loaded, instances) {
      const out = new Array<{ probability: number; label: string }>(instances.length)
      // Score by departure day: one history (and one batch through the model) per day.
      const byDay = new Map<number, number[]>()
      instances.forEach((x, i) => {
        const d = dayStartOf(x.dateMs)
        const list = byDay.get(d)
        if (list) list.push(i)
        else byDay.set(d, [i])
      })
      for (const [day, idx] of byDay) {
        const flights: FlightColumns = {
          n: idx.length,
          dateMs: Float64Array.from(idx, (i) => instances[i]!.dateMs),
          distance: Float64Array.from(idx, (i) => instances[i]!.distance),
          origin: idx.map((i) => instances[i]!.origin),
          destination: idx.map((i) => instances[i]!.destination),
        }
        const p = scoreFlights(loaded.model, flights, historyFor(loaded, day))
        idx.forEach((i, k) => (out[i] = { probability: p[k]!, label: p[k]! >= DELAYED_THRESHOLD ? 'delayed' : 'on_time' }))
      }
      return out
    },
    unload: (loaded) => loaded.model.free(),
  })
}
