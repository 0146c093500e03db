/**
 * `strata gc`: deletes stored objects that no materialization (of any age)
 * and no registered model refers to, once they are older than a grace period,
 * plus stale temporary files.
 *
 * A step stores its object before the materialization that refers to it is
 * recorded, so an unreferenced object may be about to become referenced. Such
 * an object is always recent: new, or an existing one whose time the store
 * refreshed on reuse. Objects newer than the grace period, or than the oldest
 * RUNNING run, are kept. The store then sets the candidates aside (so a
 * concurrent put writes anew), the references are read again, and those
 * referenced or reused meanwhile are kept (see ObjectStore.delete).
 */
import type { Storage } from '../storage/types.js'
import { liveSince, removeStale, staleTemps } from './leftovers.js'
import { FileObjectStore } from './object-stores/filesystem.js'
import type { ObjectInfo, ObjectStore } from './object-stores/types.js'

export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000

export interface GcOptions {
  /** Unreferenced objects younger than this are kept. @defaultValue 24 h */
  graceMs?: number
  /** Count what would be removed; remove nothing. */
  dryRun?: boolean
  now?: number
  /** The object store to collect. @defaultValue the home's own objects */
  objects?: ObjectStore
}

export interface GcResult {
  removed: { objects: number; temps: number }
  bytesFreed: number
  dryRun: boolean
}

export async function collectGarbage(home: string, storage: Storage, opts: GcOptions = {}): Promise<GcResult> {
  const now = opts.now ?? Date.now()
  const graceMs = opts.graceMs ?? DEFAULT_GC_GRACE_MS
  const objects = opts.objects ?? new FileObjectStore(home)
  const live = await liveSince(storage, now)
  const cutoff = Math.min(now - graceMs, live)
  const referenced = new Set(await storage.listReferencedObjects())
  const candidates: ObjectInfo[] = []
  for await (const o of objects.list()) if (!referenced.has(o.location) && o.modifiedMs < cutoff) candidates.push(o)
  const stale = await staleTemps(home, storage, now, objects)
  if (opts.dryRun) {
    const bytes = candidates.reduce((n, o) => n + o.bytes, 0) + stale.databases.reduce((n, f) => n + f.size, 0) + stale.objects.reduce((n, l) => n + l.bytes, 0)
    return { removed: { objects: candidates.length, temps: stale.databases.length + stale.objects.length }, bytesFreed: bytes, dryRun: true }
  }
  const removed = await objects.delete(
    candidates.map((c) => c.location),
    { olderThanMs: cutoff, referenced: async () => new Set(await storage.listReferencedObjects()) },
  )
  const temps = await removeStale(stale)
  return { removed: { objects: removed.count, temps: temps.files }, bytesFreed: removed.bytes + temps.bytes, dryRun: false }
}
