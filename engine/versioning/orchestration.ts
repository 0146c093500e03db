/**
 * What of an asset declaration is orchestration, not computation: its
 * `automation` condition and its `freshness` policy say when to build and how
 * old it may get, never what it computes, so they do not count in a version
 * (as Dagster does not version automation). When a compute's version counts
 * a whole statement (a factory whose parameters the compute uses), the
 * `automation` and `freshness` properties of each `asset({ ... })` call in it
 * are left out, so declaring or editing them leaves every version as it was.
 */

const ORCHESTRATION = new Set(['automation', 'freshness'])
const OPEN = new Set(['(', '[', '{', '${'])
const CLOSE = new Set([')', ']', '}'])

/** The index just past a generic argument list `<…>` starting at `i`, or `i` when there is none. */
function skipTypeArguments(texts: readonly string[], i: number): number {
  if (texts[i] !== '<') return i
  let depth = 0
  for (let j = i; j < texts.length; j++) {
    if (texts[j] === '<') depth++
    else if (texts[j] === '>') depth--
    else if (texts[j] === '>>') depth -= 2
    if (depth <= 0) return j + 1
    if (texts[j] === ';' || texts[j] === '{') return i
  }
  return i
}

/**
 * The tokens without the `automation` and `freshness` properties of the
 * object literals passed to `asset(...)` (directly or as `x.asset(...)`).
 * Other tokens are kept in order; a property's trailing comma goes with it.
 */
export function withoutOrchestration(texts: readonly string[]): string[] {
  const drop = new Uint8Array(texts.length)
  let any = false
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] !== 'asset') continue
    const paren = skipTypeArguments(texts, i + 1)
    if (texts[paren] !== '(' || texts[paren + 1] !== '{') continue
    // Walk the object literal's own properties (depth 1 inside its braces).
    let depth = 0
    let propertyStart = true
    for (let j = paren + 1; j < texts.length; j++) {
      const t = texts[j]!
      if (OPEN.has(t)) {
        depth++
        if (depth === 1) propertyStart = true
        continue
      }
      if (CLOSE.has(t)) {
        depth--
        if (depth === 0) break
        continue
      }
      if (depth !== 1) continue
      if (t === ',') {
        propertyStart = true
        continue
      }
      if (!propertyStart) continue
      propertyStart = false
      const next = texts[j + 1]
      if (!ORCHESTRATION.has(t) || (next !== ':' && next !== ',' && next !== '}')) continue
      // `automation: expr,` or the shorthand `automation,`: up to the comma or brace that ends it at this depth.
      let k = j + 1
      let inner = 0
      for (; k < texts.length; k++) {
        const u = texts[k]!
        if (OPEN.has(u)) inner++
        else if (CLOSE.has(u)) {
          if (inner === 0) break
          inner--
        } else if (u === ',' && inner === 0) {
          k++
          break
        }
      }
      for (let x = j; x < k; x++) drop[x] = 1
      any = true
      j = k - 1
      propertyStart = true
    }
  }
  return any ? texts.filter((_, i) => drop[i] === 0) : (texts as string[])
}
