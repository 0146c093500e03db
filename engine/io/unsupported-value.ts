/**
 * The error a step fails with when its value holds something that would not
 * come back as it was (a class instance, a function, a cycle, …). It names
 * the exact place inside the value, e.g.
 * `value.rows[3].when: class instance Foo cannot be stored`, because the
 * alternative, storing a lossy copy, is a silent change of data.
 */
import { StrataError } from '../../assets/errors.js'
import { isArrowTable } from './arrow-io.js'

/** One step from a value into a part of it. */
export type PathStep =
  | string
  | number
  | { readonly mapKey: number }
  | { readonly mapValue: unknown; readonly index: number }
  | { readonly setItem: number }

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function keyText(key: unknown, index: number): string {
  if (typeof key === 'string') return JSON.stringify(key)
  if (typeof key === 'number' || typeof key === 'boolean' || key === null || key === undefined) return String(key)
  if (typeof key === 'bigint') return `${key}n`
  return `<key #${index}>`
}

/** `value.rows[3].when`, `value.byId.get("a")`, `value.tags.values()[2]`. */
export function formatPath(steps: readonly PathStep[]): string {
  let out = 'value'
  for (const s of steps) {
    if (typeof s === 'number') out += `[${s}]`
    else if (typeof s === 'string') out += IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`
    else if ('mapKey' in s) out += `.keys()[${s.mapKey}]`
    else if ('mapValue' in s) out += `.get(${keyText(s.mapValue, s.index)})`
    else out += `.values()[${s.setItem}]`
  }
  return out
}

const STORABLE = 'plain data (objects, arrays, strings, numbers, booleans, null, undefined), Date, Map, Set, BigInt, typed arrays and Buffer, or an Arrow Table as the whole value'

/** What a value that cannot be stored is, and what to do instead. */
export function describeUnsupported(value: unknown): { what: string; fix: string } {
  if (typeof value === 'function') return { what: `a function${value.name ? ` (${value.name})` : ''}`, fix: 'store its result, or the data it needs, instead' }
  if (typeof value === 'symbol') return { what: `a symbol (${String(value)})`, fix: 'use a string instead' }
  if (isArrowTable(value)) return { what: 'an Arrow Table inside another value', fix: 'return the Table itself as the value (it is stored as Arrow IPC), or split the asset' }
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null
  const ctor = proto?.constructor
  const name = typeof ctor === 'function' ? ctor.name : ''
  if (value instanceof Promise || (name && ctor === Promise)) return { what: 'a Promise', fix: 'await it before returning' }
  // A global constructor of this realm is a built-in (WeakMap, RegExp, Error, ArrayBuffer, …), not a user class.
  if (name && (globalThis as Record<string, unknown>)[name] === ctor) return { what: `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`, fix: `convert it to ${STORABLE}` }
  if (name) return { what: `class instance ${name}`, fix: `convert it to plain data first (e.g. { ...x }); storable values are ${STORABLE}` }
  return { what: 'an object with a custom prototype', fix: `convert it to ${STORABLE}` }
}

export function unsupportedValue(steps: readonly PathStep[], what: string, fix: string): StrataError {
  const path = formatPath(steps)
  return new StrataError('STRATA_UNSUPPORTED_VALUE', `${path}: ${what} cannot be stored; ${fix}.`, { path })
}
