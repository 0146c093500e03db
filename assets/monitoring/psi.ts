/**
 * Population Stability Index (PSI): how far a distribution has moved from a
 * reference one, over bins fixed on the reference. Pure, no dependencies;
 * used by drift monitors (`examples/flights/monitoring.ts`).
 *
 *   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
 *
 * with e_i the reference (expected) share of bin i and a_i the current
 * (actual) share. It is symmetric in a and e, 0 for identical shares, and by
 * the usual rule of thumb < 0.1 is stable, 0.1–0.2 a moderate shift and > 0.2
 * a significant one.
 *
 * Empty bins: a share of 0 would make ln(a/e) infinite, so every share is
 * floored at `epsilon` (default {@link PSI_EPSILON} = 1e-4, i.e. 0.01 %) before
 * the sum. A bin empty on both sides then contributes exactly 0; a bin empty on
 * one side contributes a large but finite term (for a share s on the other
 * side: (s − ε)·ln(s/ε)). Shares are not renormalized after flooring.
 */

/** Floor for a bin's share, so that an empty bin gives a finite PSI. */
export const PSI_EPSILON = 1e-4

/** The conventional threshold above which a shift is called significant. */
export const PSI_SIGNIFICANT = 0.2

/**
 * A reference distribution over fixed bins. `edges` are the inner cut points,
 * ascending and distinct: bin 0 is `v < edges[0]`, bin i is
 * `edges[i-1] ≤ v < edges[i]`, the last bin is `v ≥ edges[edges.length-1]`,
 * so there are `edges.length + 1` bins. `shares` sum to 1 (or are all 0 for
 * an empty sample).
 */
export interface BinnedDistribution {
  edges: number[]
  shares: number[]
  /** How many values the shares were computed from. */
  count: number
}

/** PSI of `actual` against `expected`, given per-bin shares or counts (each side is normalized to sum 1). */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length) throw new Error(`psi: ${expected.length} expected bins but ${actual.length} actual bins.`)
  if (!(epsilon > 0)) throw new Error(`psi: epsilon must be > 0 (got ${epsilon}).`)
  const e = normalize(expected)
  const a = normalize(actual)
  let sum = 0
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i]!, epsilon)
    const ai = Math.max(a[i]!, epsilon)
    sum += (ai - ei) * Math.log(ai / ei)
  }
  return sum
}

function normalize(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length)
  let total = 0
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!
    if (!(v >= 0)) throw new Error(`psi: bin ${i} has ${v}; counts and shares must be ≥ 0.`)
    total += v
  }
  if (total > 0) for (let i = 0; i < x.length; i++) out[i] = x[i]! / total
  return out
}

/**
 * Inner cut points at the reference's quantiles 1/bins … (bins−1)/bins,
 * deduplicated: a discrete or heavily tied feature (a weekday, a value that is
 * often "missing") gets fewer, wider bins instead of empty ones. NaN values
 * are ignored.
 */
export function quantileEdges(values: ArrayLike<number>, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 2) throw new Error(`quantileEdges: bins must be a whole number ≥ 2 (got ${bins}).`)
  const sorted = finiteSorted(values)
  if (sorted.length === 0) return []
  const edges: number[] = []
  for (let q = 1; q < bins; q++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / bins))]!
    // A cut at the minimum would leave bin 0 empty by construction.
    if (v > sorted[0]! && (edges.length === 0 || v > edges[edges.length - 1]!)) edges.push(v)
  }
  return edges
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  let n = 0
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++
  const out = new Float64Array(n)
  n = 0
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[n++] = values[i]!
  return out.sort()
}

/** Index of the bin of `v` (see {@link BinnedDistribution}): how many edges are ≤ v (binary search). */
export function binOf(edges: ArrayLike<number>, v: number): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (edges[mid]! <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Counts of `values` per bin of `edges` (`edges.length + 1` bins). NaN values are not counted. */
export function binCounts(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isNaN(v)) counts[binOf(edges, v)]!++
  }
  return counts
}

/** The reference distribution of `values`: quantile bins and their shares. */
export function binnedDistribution(values: ArrayLike<number>, bins = 10): BinnedDistribution {
  const edges = quantileEdges(values, bins)
  const counts = binCounts(values, edges)
  const count = counts.reduce((s, c) => s + c, 0)
  return { edges, shares: Array.from(counts, (c) => (count ? c / count : 0)), count }
}

/** PSI of `values` against a reference distribution, on the reference's bins. */
export function psiAgainst(reference: BinnedDistribution, values: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  return psi(reference.shares, binCounts(values, reference.edges), epsilon)
}
