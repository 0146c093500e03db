/**
 * Output metadata travels from the worker to the main thread and lands in a
 * JSON column. JSON.stringify throws on a BigInt or a cycle with a message
 * that names neither the asset nor the field, and silently drops functions or
 * turns a Map into `{}`. Metadata is checked here, on the worker, before the
 * value is stored, so the step fails with the field named and the last good
 * materialization stays the latest.
 */
import { StrataError } from '../../assets/errors.js'

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

function invalid(path: string, what: string, fix: string): StrataError {
  return new StrataError('STRATA_INVALID_METADATA', `${path}: ${what} cannot be stored in metadata; ${fix}`, { field: path })
}

/** Why a value cannot be stored as JSON, or undefined when it can (objects and arrays are walked by the caller). */
function unstorable(value: unknown, path: string): StrataError | undefined {
  switch (typeof value) {
    case 'bigint':
      return invalid(path, 'BigInt', 'convert it to a number or string')
    case 'function':
      return invalid(path, 'a function', 'store its result instead')
    case 'symbol':
      return invalid(path, 'a symbol', 'use a string')
    default:
  }
  if (value instanceof Map) return invalid(path, 'a Map', 'convert it to an object (Object.fromEntries) or an array of entries')
  if (value instanceof Set) return invalid(path, 'a Set', 'convert it to an array ([...set])')
  if (value instanceof WeakMap || value instanceof WeakSet) return invalid(path, 'a WeakMap or WeakSet', 'store plain values')
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return invalid(path, 'binary data', 'store it as a value of the asset, or convert it to an array or base64 string')
  if (value instanceof Promise) return invalid(path, 'a Promise', 'await it before returning output()')
  return undefined
}

function walk(value: unknown, path: string, ancestors: unknown[]): void {
  const bad = unstorable(value, path)
  if (bad) throw bad
  if (typeof value !== 'object' || value === null) return
  // toJSON (Date, Arrow scalars, user classes) decides what is stored.
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') {
    walk(toJSON.call(value), path, ancestors)
    return
  }
  if (ancestors.includes(value)) throw invalid(path, 'a circular reference', 'store an id or a copy without the cycle')
  ancestors.push(value)
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, fieldPath(path, i), ancestors))
  else for (const [key, item] of Object.entries(value)) walk(item, fieldPath(path, key), ancestors)
  ancestors.pop()
}

/**
 * Returns metadata as the plain JSON object that will be stored, or throws
 * STRATA_INVALID_METADATA naming the first field that cannot be stored, e.g.
 * `metadata.n: BigInt cannot be stored in metadata; convert it to a number or string`.
 * `undefined` fields are dropped and non-finite numbers become null, as in JSON.
 */
export function validateMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined || metadata === null) return {}
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new StrataError('STRATA_INVALID_METADATA', `metadata must be an object of named fields, e.g. output(value, { metadata: { rows: 10 } }); got ${Array.isArray(metadata) ? 'an array' : typeof metadata}.`)
  }
  walk(metadata, 'metadata', [])
  return JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>
}
