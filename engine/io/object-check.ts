/**
 * Telling a damaged stored object from a sound one. Objects are content
 * addressed, so a location names the SHA-256 of its bytes: any store's object
 * can be checked against its own name, wherever it lives. What is wrong is
 * worded against the size the materialization recorded, when known.
 */
import { createHash } from 'node:crypto'
import { StrataError } from '../../assets/errors.js'

const HASH_IN_LOCATION = /(?:^|\/)([0-9a-f]{64})\.(?:json|arrow)$/

/** The content hash a location names, or undefined for a location that is not a stored object (e.g. a model artifact's URI). */
export function hashOfLocation(location: string): string | undefined {
  return HASH_IN_LOCATION.exec(location)?.[1]
}

/** What is wrong with an object of `size` bytes whose content hashes to `actual`, or undefined when it matches its name. */
export function describeDamage(location: string, actual: string, size: number, recordedBytes?: number): string | undefined {
  const expected = hashOfLocation(location)
  if (expected === undefined || expected === actual) return undefined
  if (size === 0) return recordedBytes ? `empty: 0 of ${recordedBytes} bytes` : 'empty: 0 bytes'
  if (recordedBytes !== undefined && size < recordedBytes) return `truncated: ${size} of ${recordedBytes} bytes`
  if (recordedBytes !== undefined && size > recordedBytes) return `${size} bytes where ${recordedBytes} were written`
  return `altered: its ${size} bytes do not hash to its name`
}

/** The problem with `bytes` read from `location`, or undefined when they are what was stored. */
export function checkObjectBytes(location: string, bytes: Uint8Array, recordedBytes?: number): string | undefined {
  if (hashOfLocation(location) === undefined) return undefined
  return describeDamage(location, createHash('sha256').update(bytes).digest('hex'), bytes.byteLength, recordedBytes)
}

/** As checkObjectBytes, reading the object in chunks (a large object is never held whole). */
export async function checkObjectStream(location: string, chunks: AsyncIterable<Uint8Array>, recordedBytes?: number): Promise<string | undefined> {
  if (hashOfLocation(location) === undefined) return undefined
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of chunks) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return describeDamage(location, hash.digest('hex'), size, recordedBytes)
}

/** Who needed a damaged object, for the error: e.g. `raw/a[2024-01-01]`. */
export interface ObjectOwner {
  /** The asset (and partition) whose value the object is. */
  label?: string
}

/**
 * A stored object whose content does not match its hash. Thrown instead of
 * handing the value on: a compute never receives wrong data.
 */
export function corruptObjectError(location: string, problem: string, owner: ObjectOwner = {}): StrataError {
  const of = owner.label ? ` (the value of ${owner.label})` : ''
  return new StrataError(
    'STRATA_CORRUPT_OBJECT',
    `Stored object ${location}${of} is corrupt (${problem}); it was not used. Rebuild it with strata materialize --stale, and run strata doctor to check the rest of the home.`,
    { location, problem, ...(owner.label ? { owner: owner.label } : {}) },
  )
}
