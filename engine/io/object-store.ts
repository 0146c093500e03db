/**
 * Values in an object store: serialized by their IO manager, addressed by the
 * hash of their bytes. `target` is an open store, or a spec the store is
 * opened from (once per thread): a directory (the home by default) or a
 * `postgres://` URL.
 */
import { createHash } from 'node:crypto'
import type { DataFormat } from '../storage/types.js'
import { arrowIO } from './arrow-io.js'
import { jsonIO } from './json-io.js'
import { objectLocation } from './object-stores/location.js'
import { objectStoreFor } from './object-stores/open.js'
import type { ObjectStore } from './object-stores/types.js'
import type { IOManager, StoredObject } from './types.js'
import { getChecked, putChecked } from './checked-objects.js'
import type { ObjectOwner } from './object-check.js'

export { OBJECT_FILE } from './object-stores/location.js'
export { TEMP_FILE } from './object-stores/write-file.js'

const managers: Record<DataFormat, IOManager> = { json: jsonIO, arrow: arrowIO }

export function ioManagerFor(value: unknown): IOManager {
  return arrowIO.handles(value) ? arrowIO : jsonIO
}

function storeOf(target: ObjectStore | string): ObjectStore | Promise<ObjectStore> {
  return typeof target === 'string' ? objectStoreFor(target) : target
}

/**
 * Stores a value as a new immutable object named by its content hash;
 * identical content is stored once (a stored copy found damaged is rewritten).
 * `sync`: durable before this returns (see Durability). @defaultValue true
 */
export async function storeValue(target: ObjectStore | string, value: unknown, opts: { sync?: boolean } = {}): Promise<StoredObject> {
  const io = ioManagerFor(value)
  const bytes = await io.serialize(value)
  const contentHash = createHash('sha256').update(bytes).digest('hex')
  const location = objectLocation(contentHash, io.format)
  await putChecked(await storeOf(target), location, bytes, { sync: opts.sync ?? true })
  return { location, format: io.format, bytes: bytes.byteLength, contentHash }
}

// Stored objects are immutable and content-addressed, so a decoded Arrow table
// can be shared by every step in this thread that reads the same object (e.g.
// 181 daily partitions slicing one landed file). Arrow tables are read-only;
// JSON values are not cached because a compute may mutate its input.
const ARROW_CACHE_BYTES = 1024 * 1024 * 1024
const arrowCache = new Map<string, { value: unknown; bytes: number }>()
let arrowCacheBytes = 0

/**
 * Reads a stored value back, its content hash checked on this thread's first
 * read of it. Fails with STRATA_MISSING_OBJECT when the store has no such
 * object, STRATA_CORRUPT_OBJECT when its content is not what was stored
 * (`owner` names whose value it is in that error).
 */
export async function loadValue(target: ObjectStore | string, location: string, format: DataFormat, owner?: ObjectOwner): Promise<unknown> {
  const store = await storeOf(target)
  const cacheKey = `${store.spec}\u0000${location}`
  if (format === 'arrow') {
    const hit = arrowCache.get(cacheKey)
    if (hit) {
      arrowCache.delete(cacheKey)
      arrowCache.set(cacheKey, hit)
      return hit.value
    }
  }
  const bytes = await getChecked(store, location, owner)
  const value = await managers[format].deserialize(bytes)
  if (format === 'arrow' && bytes.byteLength <= ARROW_CACHE_BYTES / 2) {
    arrowCache.set(cacheKey, { value, bytes: bytes.byteLength })
    arrowCacheBytes += bytes.byteLength
    for (const [k, v] of arrowCache) {
      if (arrowCacheBytes <= ARROW_CACHE_BYTES) break
      arrowCache.delete(k)
      arrowCacheBytes -= v.bytes
    }
  }
  return value
}
