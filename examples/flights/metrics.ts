/** Classification metrics for probabilities against 0/1 labels. Pure. */

/**
 * ROC AUC: the probability that a random positive scores above a random
 * negative (ties count half), via the rank-sum (Mann–Whitney U). NaN when
 * one class is absent.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, mask?: ArrayLike<number>): number {
  const idx: number[] = []
  for (let i = 0; i < scores.length; i++) if (!mask || mask[i]) idx.push(i)
  const n = idx.length
  const order = Uint32Array.from(idx).sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let rankSum = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++
    const avgRank = (i + j) / 2 + 1 // ranks are 1-based; ties share their mean rank
    for (let t = i; t <= j; t++) {
      if (labels[order[t]!]) {
        positives++
        rankSum += avgRank
      }
    }
    i = j + 1
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
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
