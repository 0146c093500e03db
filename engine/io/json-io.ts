import { isPlainJson } from './plain-json.js'
import { TAG, decodeTagged, encodeTagged } from './tagged-json.js'
import type { IOManager } from './types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Names the encoding of a stored value that is not plain JSON; the only top-level key besides `value`. */
const ENVELOPE = 'tagged-json/1'
const ENVELOPE_PREFIX = `{"${TAG}":"${ENVELOPE}",`

function isEnvelope(parsed: unknown): parsed is { value: unknown } {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false
  const keys = Object.keys(parsed)
  return keys.length === 2 && (parsed as Record<string, unknown>)[TAG] === ENVELOPE && keys[1] === 'value'
}

/**
 * Values as JSON. Plain data is stored as `JSON.stringify` writes it, byte
 * for byte as it always was (so existing objects and their content hashes
 * stay valid). A value holding anything JSON would change (Date, Map, Set,
 * BigInt, undefined, NaN, ±Infinity, -0, typed arrays, Buffer) is stored
 * as `{"$strata":"tagged-json/1","value":…}` with those parts tagged (see
 * tagged-json.ts) and comes back equal. Anything else (class instances,
 * functions, cycles, …) fails with STRATA_UNSUPPORTED_VALUE naming where it is.
 */
export const jsonIO: IOManager = {
  format: 'json',
  handles: () => true,
  async serialize(value) {
    // A plain object with its own `$strata` key goes through the encoder, which wraps it, so no plain file starts like an envelope.
    const clash = typeof value === 'object' && value !== null && Object.hasOwn(value, TAG)
    if (!clash && isPlainJson(value)) return encoder.encode(JSON.stringify(value))
    const { tree, tagged } = encodeTagged(value)
    if (!tagged) return encoder.encode(JSON.stringify(value))
    return encoder.encode(JSON.stringify({ [TAG]: ENVELOPE, value: tree }))
  },
  async deserialize(bytes) {
    const text = decoder.decode(bytes)
    const parsed: unknown = JSON.parse(text)
    return text.startsWith(ENVELOPE_PREFIX) && isEnvelope(parsed) ? decodeTagged(parsed.value) : parsed
  },
}
