/**
 * `strata gc`: deletes stored objects that no materialization (of any age)
 * and no registered model refers to, once they are older than a grace period,
 * plus stale temporary files.
 *
 * A step stores its object before the materialization that refers to it is
 * recorded, so an unreferenced object may be about to become referenced. Such
 * an object is always recent: a new file, or an existing one whose mtime
 * storeValue refreshed on reuse. Objects newer than the grace period, or than
 * the oldest RUNNING run, are kept. A candidate is then moved aside, the
 * references are read again, and it is put back if it was referenced or
 * touched meanwhile; only then is it deleted.
 */
import { randomBytes } from 'node:crypto'
import { renameSync, rmSync, statSync } from 'node:fs'
import type { Storage } from '../storage/types.js'
import { liveSince, removeFiles, scanHome, isStaleTemp } from './leftovers.js'

export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000

export interface GcOptions {
  /** Unreferenced objects younger than this are kept. @defaultValue 24 h */
  graceMs?: number
  /** Count what would be removed; remove nothing. */
  dryRun?: boolean
  now?: number
}

export interface GcResult {
  removed: { objects: number; temps: number }
  bytesFreed: number
  dryRun: boolean
}

export async function collectGarbage(home: string, storage: Storage, opts: GcOptions = {}): Promise<GcResult> {
  const now = opts.now ?? Date.now()
  const graceMs = opts.graceMs ?? DEFAULT_GC_GRACE_MS
  const live = await liveSince(storage, now)
  const cutoff = Math.min(now - graceMs, live)
  const referenced = new Set(await storage.listReferencedObjects())
  const { objects, temps } = scanHome(home, { objects: true })
  const candidates = objects.filter((o) => !referenced.has(o.location) && o.mtimeMs < cutoff)
  const stale = temps.filter((t) => isStaleTemp(t, live))
  if (opts.dryRun) {
    const bytes = [...candidates, ...stale].reduce((n, f) => n + f.size, 0)
    return { removed: { objects: candidates.length, temps: stale.length }, bytesFreed: bytes, dryRun: true }
  }

  const aside: Array<{ path: string; location: string; moved: string }> = []
  for (const c of candidates) {
    const moved = `${c.path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      renameSync(c.path, moved)
      aside.push({ path: c.path, location: c.location, moved })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  const referencedNow = aside.length ? new Set(await storage.listReferencedObjects()) : referenced
  let objectCount = 0
  let bytes = 0
  for (const a of aside) {
    const s = statSync(a.moved)
    if (referencedNow.has(a.location) || s.mtimeMs >= cutoff) {
      // Identical content under the same name, so replacing a copy written meanwhile is harmless.
      renameSync(a.moved, a.path)
      continue
    }
    rmSync(a.moved)
    objectCount++
    bytes += s.size
  }
  const removedTemps = removeFiles(stale)
  return { removed: { objects: objectCount, temps: removedTemps.files }, bytesFreed: bytes + removedTemps.bytes, dryRun: false }
}
