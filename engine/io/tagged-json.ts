/**
 * Values that JSON cannot carry exactly, as JSON. Each such value becomes a
 * tag object in place, e.g. `{ "$strata": "Date", "value": "2024-01-01T00:00:00.000Z" }`,
 * so everything around it stays the JSON it would be anyway (readable, and
 * as fast as JSON to write and read). Objects of the value that have their
 * own `$strata` key are wrapped in an `Object` tag, so data is never taken
 * for a tag.
 *
 * The encoding is canonical: equal values (in the sense of
 * `assert.deepStrictEqual`) give the same text, whatever objects they share,
 * so content hashes are stable. Map and Set keep their insertion order and
 * objects their key order, which are part of the value. Symbol-keyed
 * properties are not part of a stored value (see plain-json.ts).
 */
import { describeUnsupported, formatPath, unsupportedValue, type PathStep } from './unsupported-value.js'

export const TAG = '$strata'

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor

const TYPED_ARRAYS: ReadonlyMap<string, TypedArrayConstructor> = new Map(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((c) => [c.name, c]),
)
const TYPED_ARRAY_PROTOS: ReadonlyMap<object, string> = new Map([...TYPED_ARRAYS].map(([name, c]) => [c.prototype, name]))

/** Nesting depth past which the encoder starts looking for cycles. */
const SHALLOW = 200
const TOO_DEEP = new Error('deeper than the untracked walk goes')

const tag = (name: string, value?: unknown): Record<string, unknown> => (value === undefined ? { [TAG]: name } : { [TAG]: name, value })

/** Sets `key` as an own data property even when it is `__proto__`. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function bytesOf(view: ArrayBufferView): string {
  // Typed arrays are stored as their bytes in memory order (little-endian on the platforms Node supports but s390x).
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')
}

/**
 * Walks a value once, checking that every part of it can be stored and
 * building the JSON tree to write. Subtrees that need no tag are reused as
 * they are, so a mostly plain value is not copied.
 */
class Encoder {
  /** Whether any tag was written: if not, the value is plain JSON. */
  tagged = false
  private readonly path: PathStep[] = []
  /**
   * Objects on the path from the root, with the depth at which each was
   * entered, to detect cycles and name their target. Tracked only once a
   * value is deeper than SHALLOW: a cycle always gets there, and a Map
   * operation per object would cost more than the rest of the walk.
   */
  private ancestors: Map<object, number> | undefined

  constructor(track: boolean) {
    if (track) this.ancestors = new Map()
  }

  encode(v: unknown): unknown {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v
      case 'number':
        if (v - v === 0 && (v !== 0 || 1 / v > 0)) return v
        this.tagged = true
        return tag('number', Number.isNaN(v) ? 'NaN' : v === 0 ? '-0' : v > 0 ? 'Infinity' : '-Infinity')
      case 'bigint':
        this.tagged = true
        return tag('bigint', v.toString())
      case 'undefined':
        this.tagged = true
        return tag('undefined')
      case 'object':
        if (v === null) return null
        if (!this.ancestors) {
          if (this.path.length > SHALLOW) throw TOO_DEEP
          return this.object(v)
        }
        return this.tracked(v)
      default:
        throw this.fail(v)
    }
  }

  private fail(v: unknown): Error {
    const { what, fix } = describeUnsupported(v)
    return unsupportedValue(this.path, what, fix)
  }

  private tracked(v: object): unknown {
    const ancestors = this.ancestors!
    const seenAt = ancestors.get(v)
    if (seenAt !== undefined) {
      throw unsupportedValue(this.path, `a circular reference (back to ${formatPath(this.path.slice(0, seenAt))})`, 'store an id or a copy instead of the reference')
    }
    ancestors.set(v, this.path.length)
    try {
      return this.object(v)
    } finally {
      ancestors.delete(v)
    }
  }

  private object(v: object): unknown {
    const proto = Object.getPrototypeOf(v) as object | null
    if (proto === Array.prototype) return this.array(v as unknown[])
    if (proto === Object.prototype || proto === null) return this.record(v as Record<string, unknown>, proto === null)
    if (proto === Date.prototype) return this.date(v as Date)
    if (proto === Map.prototype) return this.map(v as Map<unknown, unknown>)
    if (proto === Set.prototype) return this.set(v as Set<unknown>)
    // Typed arrays are not searched for properties of their own: listing them would touch every element.
    if (proto === Buffer.prototype) return this.binary(tag('Buffer', (v as Buffer).toString('base64')))
    const typed = TYPED_ARRAY_PROTOS.get(proto!)
    if (typed) return this.binary(tag(typed, bytesOf(v as ArrayBufferView)))
    throw this.fail(v)
  }

  private noOwnProperties(v: object, kind: string): void {
    // Object.keys, not for-in: for-in over a Date walks its prototype chain, which made it most of the cost of a Date.
    const keys = Object.keys(v)
    if (keys.length > 0) throw unsupportedValue([...this.path, keys[0]!], `a property of a ${kind}`, `a ${kind} is stored without properties of its own; put them beside it`)
  }

  private binary(out: Record<string, unknown>): Record<string, unknown> {
    this.tagged = true
    return out
  }

  private array(v: unknown[]): unknown {
    let out: unknown[] | undefined
    for (let i = 0; i < v.length; i++) {
      const item = v[i]
      if (item === undefined && !(i in v)) {
        throw unsupportedValue([...this.path, i], 'an array hole (a sparse array)', 'fill it with undefined or null')
      }
      this.path.push(i)
      const enc = this.encode(item)
      this.path.pop()
      if (enc !== item && !out) out = v.slice(0, i)
      if (out) out.push(enc)
    }
    return out ?? v
  }

  private record(v: Record<string, unknown>, nullPrototype: boolean): unknown {
    const keys = Object.keys(v)
    let out: Record<string, unknown> | undefined
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      const item = v[key]
      this.path.push(key)
      const enc = this.encode(item)
      this.path.pop()
      if (enc !== item && !out) {
        out = {}
        for (let j = 0; j < i; j++) put(out, keys[j]!, v[keys[j]!])
      }
      if (out) put(out, key, enc)
    }
    const body = out ?? v
    if (nullPrototype) {
      this.tagged = true
      return { [TAG]: 'Object', nullPrototype: true, value: body }
    }
    if (Object.hasOwn(v, TAG)) {
      this.tagged = true
      return tag('Object', body)
    }
    return body
  }

  private date(v: Date): unknown {
    this.noOwnProperties(v, 'Date')
    this.tagged = true
    const t = v.getTime()
    return tag('Date', Number.isNaN(t) ? null : v.toISOString())
  }

  private map(v: Map<unknown, unknown>): unknown {
    this.noOwnProperties(v, 'Map')
    const entries: unknown[] = []
    let i = 0
    for (const [k, x] of v) {
      this.path.push({ mapKey: i })
      const key = this.encode(k)
      this.path.pop()
      this.path.push({ mapValue: k, index: i })
      entries.push([key, this.encode(x)])
      this.path.pop()
      i++
    }
    this.tagged = true
    return tag('Map', entries)
  }

  private set(v: Set<unknown>): unknown {
    this.noOwnProperties(v, 'Set')
    const items: unknown[] = []
    let i = 0
    for (const x of v) {
      this.path.push({ setItem: i++ })
      items.push(this.encode(x))
      this.path.pop()
    }
    this.tagged = true
    return tag('Set', items)
  }
}

/**
 * The JSON tree of a value, and whether it needed any tag. Throws
 * STRATA_UNSUPPORTED_VALUE naming the first part that cannot be stored.
 */
export function encodeTagged(value: unknown): { tree: unknown; tagged: boolean } {
  let enc = new Encoder(false)
  let tree: unknown
  try {
    tree = enc.encode(value)
  } catch (err) {
    if (err !== TOO_DEEP) throw err
    // Deep, or a cycle: walk again, tracking the objects on the path.
    enc = new Encoder(true)
    tree = enc.encode(value)
  }
  return { tree, tagged: enc.tagged }
}

function decodeTag(t: Record<string, unknown>): unknown {
  const value = t.value
  switch (t[TAG]) {
    case 'undefined':
      return undefined
    case 'number':
      return Number(value)
    case 'bigint':
      return BigInt(value as string)
    case 'Date':
      return new Date(value === null ? Number.NaN : (value as string))
    case 'Map':
      return new Map((value as [unknown, unknown][]).map(([k, x]) => [decodeTagged(k), decodeTagged(x)]))
    case 'Set':
      return new Set((value as unknown[]).map(decodeTagged))
    case 'Buffer':
      return Buffer.from(value as string, 'base64')
    case 'Object': {
      const body = decodeChildren(value as Record<string, unknown>)
      if (t.nullPrototype !== true) return body
      const out = Object.create(null) as Record<string, unknown>
      for (const key of Object.keys(body)) out[key] = body[key]
      return out
    }
    default: {
      const Ctor = TYPED_ARRAYS.get(t[TAG] as string)
      if (!Ctor) throw new Error(`Stored value has an unknown ${TAG} tag ${JSON.stringify(t[TAG])}; it was written by a newer version of Strata.`)
      const bytes = Buffer.from(value as string, 'base64')
      const out = new Ctor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT)
      new Uint8Array(out.buffer).set(bytes)
      return out
    }
  }
}

/** Replaces tags by their values, in place: the tree comes fresh from JSON.parse. */
function decodeChildren<T extends object>(v: T): T {
  const o = v as Record<string, unknown>
  for (const key in o) {
    const item = o[key]
    if (typeof item === 'object' && item !== null) {
      const dec = decodeTagged(item)
      // JSON.parse made `__proto__` an own data property, so assigning sets that property.
      if (dec !== item) o[key] = dec
    }
  }
  return v
}

/** The value a tree written by `encodeTagged` stands for. */
export function decodeTagged(tree: unknown): unknown {
  if (typeof tree !== 'object' || tree === null) return tree
  if (Array.isArray(tree)) {
    for (let i = 0; i < tree.length; i++) {
      const item = tree[i]
      if (typeof item === 'object' && item !== null) {
        const dec = decodeTagged(item)
        if (dec !== item) tree[i] = dec
      }
    }
    return tree
  }
  if (Object.hasOwn(tree, TAG)) return decodeTag(tree as Record<string, unknown>)
  return decodeChildren(tree)
}
