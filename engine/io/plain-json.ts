/**
 * Whether JSON carries a value exactly: `JSON.parse(JSON.stringify(v))`
 * deep-strictly equals `v`. True for strings, booleans, null, finite numbers
 * other than -0, and arrays (dense) and plain objects of those. This is the
 * common case and the hot path of storing a value, so it is a bare walk
 * with no path bookkeeping; anything else goes through the tagged encoder,
 * which checks (and names) every part. Like structuredClone, storage
 * ignores symbol-keyed properties: listing them would double this walk.
 */

const OBJECT = Object.prototype
const ARRAY = Array.prototype
const protoOf = Object.getPrototypeOf

/** Deeper values are left to the encoder, whose walk also detects cycles. */
const MAX_DEPTH = 1000

function plain(v: unknown, depth: number): boolean {
  if (typeof v !== 'object') {
    return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && v - v === 0 && (v !== 0 || 1 / v > 0))
  }
  if (v === null) return true
  if (depth > MAX_DEPTH) return false
  const proto = protoOf(v)
  if (proto === ARRAY) {
    const a = v as unknown[]
    // A hole reads as undefined, which is not plain either.
    for (let i = 0; i < a.length; i++) if (!plain(a[i], depth + 1)) return false
    return true
  }
  if (proto !== OBJECT) return false
  const o = v as Record<string, unknown>
  for (const key in o) if (!plain(o[key], depth + 1)) return false
  return true
}

export function isPlainJson(value: unknown): boolean {
  return plain(value, 0)
}
