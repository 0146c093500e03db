/**
 * Reading and writing objects with their content hash checked, on any store
 * (the hash is in the location):
 *
 * - an object is checked the first time this thread reads it; a damaged one
 *   fails with STRATA_CORRUPT_OBJECT instead of being handed on (objects are
 *   immutable, so once sound in this thread it stays trusted here);
 * - a put that finds the object already stored compares what is there with
 *   the new bytes, and rewrites it when it differs: content addressing would
 *   otherwise "reuse" a damaged file forever, and a rebuild would never heal it.
 */
import type { ObjectStore } from './object-stores/types.js'
import { checkObjectBytes, checkObjectStream, corruptObjectError, type ObjectOwner } from './object-check.js'

/** Objects found sound in this thread, by store spec and location. */
const sound = new Set<string>()
const keyOf = (store: ObjectStore, location: string) => `${store.spec}\u0000${location}`

/** The object's bytes, checked against its name on this thread's first read of it. */
export async function getChecked(store: ObjectStore, location: string, owner?: ObjectOwner): Promise<Uint8Array> {
  const bytes = await store.get(location)
  const key = keyOf(store, location)
  if (sound.has(key)) return bytes
  const problem = checkObjectBytes(location, bytes)
  if (problem !== undefined) throw corruptObjectError(location, problem, owner)
  sound.add(key)
  return bytes
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

/**
 * Stores `bytes` at `location` (`sync`: durably, see Durability), rewriting
 * an object already there whose content is not these bytes.
 */
export async function putChecked(store: ObjectStore, location: string, bytes: Uint8Array, opts: { sync: boolean }): Promise<void> {
  const key = keyOf(store, location)
  const { written } = await store.put(location, bytes, { sync: opts.sync })
  if (!written && !sound.has(key)) {
    let existing: Uint8Array | undefined
    try {
      existing = await store.get(location)
    } catch (err) {
      if ((err as { code?: string }).code !== 'STRATA_MISSING_OBJECT') throw err
    }
    if (!existing || !sameBytes(existing, bytes)) await store.put(location, bytes, { sync: opts.sync, replace: true })
  }
  sound.add(key)
}

/** What is wrong with a stored object (`missing` when there is none), or undefined when it is sound. Reads it in chunks. */
export async function findDamage(store: ObjectStore, location: string, recordedBytes?: number): Promise<string | undefined> {
  if (!(await store.stat(location))) return 'missing'
  try {
    return await checkObjectStream(location, store.stream(location), recordedBytes)
  } catch (err) {
    // Removed between the stat and the read.
    if ((err as { code?: string }).code === 'STRATA_MISSING_OBJECT') return 'missing'
    throw err
  }
}
