/** Classification metrics for probabilities against 0/1 labels. Pure. */

/**
 * ROC AUC: the probability that a random positive scores above a random
 * negative, ties counting half (the Mann–Whitney U statistic). Sorts the
 * positives' and the negatives' scores separately (native typed-array sorts)
 * and counts with two pointers. NaN when one class is absent.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let nPos = 0
  let nNeg = 0
  for (let i = 0; i < scores.length; i++) {
    if (mask && !mask[i]) continue
    if (labels[i]) nPos++
    else nNeg++
  }
  if (nPos === 0 || nNeg === 0) return NaN
  const pos = new Float64Array(nPos)
  const neg = new Float64Array(nNeg)
  nPos = 0
  nNeg = 0
  for (let i = 0; i < scores.length; i++) {
    if (mask && !mask[i]) continue
    if (labels[i]) pos[nPos++] = scores[i]!
    else neg[nNeg++] = scores[i]!
  }
  pos.sort()
  neg.sort()
  let below = 0 // negatives scoring < the current positive
  let atOrBelow = 0 // negatives scoring ≤ it
  let wins = 0
  for (let k = 0; k < nPos; k++) {
    const p = pos[k]!
    while (below < nNeg && neg[below]! < p) below++
    while (atOrBelow < nNeg && neg[atOrBelow]! <= p) atOrBelow++
    wins += below + 0.5 * (atOrBelow - below)
  }
  return wins / (nPos * nNeg)
}

const EPS = 1e-7

/** Mean negative log-likelihood, probabilities clipped to [1e-7, 1 − 1e-7]. */
export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let sum = 0
  let n = 0
  for (let i = 0; i < p.length; i++) {
    if (mask && !mask[i]) continue
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]!))
    sum -= labels[i] ? Math.log(q) : Math.log(1 - q)
    n++
  }
  return n ? sum / n : NaN
}

/** Share of correct predictions at a probability threshold. */
export function accuracy(p: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5, mask?: ArrayLike<number>): number {
  let right = 0
  let n = 0
  for (let i = 0; i < p.length; i++) {
    if (mask && !mask[i]) continue
    if ((p[i]! >= threshold ? 1 : 0) === (labels[i] ? 1 : 0)) right++
    n++
  }
  return n ? right / n : NaN
}

export type Metrics = {
  auc: number
  log_loss: number
  accuracy: number
}

export function metricsOf(p: ArrayLike<number>, labels: ArrayLike<number>, mask?: ArrayLike<number>): Metrics {
  return { auc: auc(p, labels, mask), log_loss: logLoss(p, labels, mask), accuracy: accuracy(p, labels, 0.5, mask) }
}

/** Rounds every number of a metrics object for reports (JSON-friendly: NaN becomes null). */
export function rounded<T extends Record<string, number>>(m: T, digits = 4): Record<keyof T, number | null> {
  const out = {} as Record<keyof T, number | null>
  for (const k of Object.keys(m) as (keyof T)[]) {
    const v = m[k] as number
    out[k] = Number.isFinite(v) ? Number(v.toFixed(digits)) : null
  }
  return out
}
