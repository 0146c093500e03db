import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DataFormat } from '../storage/types.js'
import { arrowIO } from './arrow-io.js'
import { jsonIO } from './json-io.js'
import type { IOManager, StoredObject } from './types.js'

const managers: Record<DataFormat, IOManager> = { json: jsonIO, arrow: arrowIO }

const madeDirs = new Set<string>()

/** `<object>.tmp-PID-RANDOM`: an object being written by process PID (see storeValue). */
export const TEMP_FILE = /\.tmp-(\d+)-[0-9a-f]+$/

/** `objects/xx/<sha256>.json|arrow`. */
export const OBJECT_FILE = /^[0-9a-f]{64}\.(json|arrow)$/

/**
 * Whether an identical object is already stored. Reusing it refreshes its
 * mtime: `strata gc` only deletes unreferenced objects older than its grace
 * period, so an old object a step is about to record again must look new.
 * If gc moved it away meanwhile, utimes fails and the object is written anew.
 */
function reuseStored(path: string, size: number): boolean {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.size !== size) return false
    const now = new Date()
    utimesSync(path, now, now)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return false
    // Someone else's file in a shared home: reuse it untouched rather than fail the step.
    if (code === 'EPERM' || code === 'EACCES') return true
    throw err
  }
}

export function ioManagerFor(value: unknown): IOManager {
  return arrowIO.handles(value) ? arrowIO : jsonIO
}

/**
 * Writes a value as a new immutable file named by its content hash. The file
 * is written under a temporary name and renamed into place, so a reader (or a
 * crash) never sees a partial object. Identical content is stored once.
 */
export async function storeValue(home: string, value: unknown): Promise<StoredObject> {
  const io = ioManagerFor(value)
  const bytes = await io.serialize(value)
  const contentHash = createHash('sha256').update(bytes).digest('hex')
  const ext = io.format === 'arrow' ? 'arrow' : 'json'
  const location = `objects/${contentHash.slice(0, 2)}/${contentHash}.${ext}`
  const path = join(home, location)
  // Synchronous file I/O on purpose: steps run on worker threads, where
  // blocking is free and a sync call is several times cheaper than the
  // open/stat/write/close round trips of fs/promises.
  if (!reuseStored(path, bytes.byteLength)) {
    const dir = join(home, 'objects', contentHash.slice(0, 2))
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true })
      madeDirs.add(dir)
    }
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      writeFileSync(tmp, bytes)
      renameSync(tmp, path)
    } catch (err) {
      rmSync(tmp, { force: true })
      throw err
    }
  }
  return { location, format: io.format, bytes: bytes.byteLength, contentHash }
}

// Stored objects are immutable and content-addressed, so a decoded Arrow table
// can be shared by every step in this thread that reads the same object (e.g.
// 181 daily partitions slicing one landed file). Arrow tables are read-only;
// JSON values are not cached because a compute may mutate its input.
const ARROW_CACHE_BYTES = 1024 * 1024 * 1024
const arrowCache = new Map<string, { value: unknown; bytes: number }>()
let arrowCacheBytes = 0

export async function loadValue(home: string, location: string, format: DataFormat): Promise<unknown> {
  const cacheKey = `${home}\u0000${location}`
  if (format === 'arrow') {
    const hit = arrowCache.get(cacheKey)
    if (hit) {
      arrowCache.delete(cacheKey)
      arrowCache.set(cacheKey, hit)
      return hit.value
    }
  }
  const value = await readValue(home, location, format)
  if (format === 'arrow') {
    const bytes = statSync(join(home, location)).size
    if (bytes <= ARROW_CACHE_BYTES / 2) {
      arrowCache.set(cacheKey, { value, bytes })
      arrowCacheBytes += bytes
      for (const [k, v] of arrowCache) {
        if (arrowCacheBytes <= ARROW_CACHE_BYTES) break
        arrowCache.delete(k)
        arrowCacheBytes -= v.bytes
      }
    }
  }
  return value
}

async function readValue(home: string, location: string, format: DataFormat): Promise<unknown> {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(join(home, location))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Stored object ${location} is missing from ${home}; re-materialize its asset to recreate it.`)
    }
    throw err
  }
  return managers[format].deserialize(bytes)
}
