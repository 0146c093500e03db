/**
 * The baseline the model is judged against, in evaluation (the gate's lift)
 * and in monitoring (the daily lift): no learning, two lookups.
 *
 *   1. the departure hour's delayed rate over the training period (smoothed
 *      towards the overall rate, as the features are), then
 *   2. within the same hour, the origin airport's delayed rate over the 7
 *      previous days (`origin_delayed_rate_7d`).
 *
 * The hour is the strongest single signal the model has (AUC ≈ 0.65 alone on
 * June 2001), and it is known at the prediction point, so a baseline without
 * it would credit the model with what any timetable shows; against this one,
 * the lift is what the history features and their interactions add.
 *
 * The score stays a probability: the hour's rate, nudged by the origin rate
 * by less than half the smallest gap between two hours' rates, so flights
 * are ranked by hour first and by their origin's recent record within an
 * hour. (Combining the two rates as independent evidence — multiplying their
 * odds — ranks June worse than the hour alone, 0.646 vs 0.653: the origin
 * rate is a weak signal, 0.556, and would override the hour.)
 */
import { MISSING, PRIOR_FLIGHTS } from './features.js'

export const BASELINE_DESCRIPTION = "departure hour's delayed rate (training period), then origin's 7-day delayed rate"

/** Delayed rate per departure hour, measured on the training rows. */
export interface HourRates {
  /** Delayed share of all the rows. */
  overallRate: number
  /** Rows per hour 0–23. */
  flights: number[]
  /** Smoothed delayed rate per hour 0–23. */
  rates: number[]
  /** Added to an hour's rate per unit of origin rate: half the smallest gap between two distinct hour rates. */
  originStep: number
}

/** The hour table of the training rows (`dep_hour` 0–23 and 0/1 labels). */
export function hourRatesOf(hours: ArrayLike<number>, labels: ArrayLike<number>): HourRates {
  if (hours.length !== labels.length) throw new Error(`hourRatesOf: ${hours.length} hours but ${labels.length} labels.`)
  if (hours.length === 0) throw new Error('hourRatesOf: no training rows to measure the hours on.')
  const flights = new Array<number>(24).fill(0)
  const delayed = new Array<number>(24).fill(0)
  let positives = 0
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i]!
    if (!(Number.isInteger(h) && h >= 0 && h < 24)) throw new Error(`hourRatesOf: row ${i} has hour ${h}; hours are whole numbers 0–23.`)
    flights[h]!++
    delayed[h]! += labels[i] ? 1 : 0
    positives += labels[i] ? 1 : 0
  }
  const overallRate = positives / hours.length
  const rates = flights.map((n, h) => (delayed[h]! + PRIOR_FLIGHTS * overallRate) / (n + PRIOR_FLIGHTS))
  const distinct = [...new Set(rates)].sort((a, b) => a - b)
  let gap = 1
  for (let i = 1; i < distinct.length; i++) gap = Math.min(gap, distinct[i]! - distinct[i - 1]!)
  return { overallRate, flights, rates, originStep: gap / 2 }
}

/**
 * Baseline scores for flights given their departure hours and origin 7-day
 * rates (MISSING before any history: the training period's overall rate).
 */
export function baselineScores(hours: ArrayLike<number>, originRate7d: ArrayLike<number>, table: HourRates): Float64Array {
  const out = new Float64Array(hours.length)
  for (let i = 0; i < hours.length; i++) {
    const rate = table.rates[hours[i]!]
    if (rate === undefined) throw new Error(`baselineScores: row ${i} has hour ${hours[i]}; hours are whole numbers 0–23.`)
    const o = originRate7d[i]!
    // Origin rates are in [0, 1], so the nudge stays below the gap to the next hour's rate.
    out[i] = rate + table.originStep * (o === MISSING ? table.overallRate : Math.min(1, Math.max(0, o)))
  }
  return out
}
