/**
 * `strata doctor`: checks a home and repairs what it safely can.
 *
 * - the database: the backend's own consistency check (SQLite integrity_check);
 * - every latest materialization's stored object: present, and its content
 *   hashing to its name (objects are content addressed);
 * - temporary files of writers that are gone.
 *
 * Repairs touch no value anyone could still use: stray temporary files are
 * removed (nothing refers to them), and latest materializations whose object
 * is damaged are recorded as such, so they show STALE ("stored object … is
 * corrupt") and `strata materialize --stale` rebuilds them. Damaged objects
 * are left in place for inspection; a rebuild rewrites them. Records of
 * objects that are sound again (rewritten by a rebuild of another asset with
 * the same content) are cleared. With `dryRun`, nothing is changed.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { StrataError } from '../assets/errors.js'
import { isRunOwnerAlive } from './home.js'
import { removeStale, staleTemps } from './io/leftovers.js'
import { findDamage } from './io/checked-objects.js'
import { FileObjectStore } from './io/object-stores/filesystem.js'
import { openObjectStore, resolveObjectsSpec } from './io/object-stores/open.js'
import type { ObjectStore } from './io/object-stores/types.js'
import { DATABASE_FILE, openStorage } from './storage/index.js'
import type { Storage } from './storage/types.js'
import { nodeLabel } from './versioning/status-index.js'

export interface DoctorOptions {
  /** Check and report only; change nothing. @defaultValue false */
  dryRun?: boolean
  /** The object store the home's materializations refer to. @defaultValue the home's own objects */
  objects?: ObjectStore
  now?: number
}

/** A damaged object and the latest materializations that refer to it. */
export interface DoctorCorruptObject {
  location: string
  /** e.g. `truncated: 12 of 40 bytes`, `missing`. */
  problem: string
  /** `asset` or `asset[partition]` of each latest materialization whose value it is. */
  assets: string[]
  /** Whether it is recorded as corrupt (now, or by an earlier check or step): its assets show STALE until rebuilt. */
  markedStale: boolean
}

export interface DoctorReport {
  home: string
  dryRun: boolean
  database: {
    /** Where the records live (e.g. the database file). */
    description: string
    /** What the consistency check reported; empty when sound. */
    problems: string[]
  }
  objects: {
    /** Distinct objects checked (those latest materializations refer to). */
    checked: number
    /** Their total size in bytes. */
    bytes: number
    corrupt: DoctorCorruptObject[]
    /** Earlier corrupt-object records whose object is sound again, now cleared (would be, with dryRun). */
    cleared: number
  }
  temps: {
    /** Temporary files whose writer is gone. */
    stray: number
    /** How many of them were removed (0 with dryRun). */
    removed: number
    bytes: number
  }
  /** No problem remains: the database is sound and no latest value is damaged (stray files are removed, so they do not count unless dryRun). */
  healthy: boolean
}

interface Owner {
  materializationId: number
  label: string
}

/** The checks and repairs on an open home (see the file comment). */
export async function checkHome(home: string, storage: Storage, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const now = opts.now ?? Date.now()
  const dryRun = opts.dryRun === true
  const objects = opts.objects ?? new FileObjectStore(home)
  const databaseProblems = await storage.checkIntegrity()

  const byLocation = new Map<string, { bytes: number; owners: Owner[] }>()
  for (const m of await storage.getLatestMany()) {
    let entry = byLocation.get(m.location)
    if (!entry) byLocation.set(m.location, (entry = { bytes: m.bytes, owners: [] }))
    entry.owners.push({ materializationId: m.id, label: nodeLabel(m.assetKey, m.partitionKey) })
  }
  const recorded = new Map((await storage.getCorruptObjects()).map((c) => [c.materializationId, c]))
  const corrupt: DoctorCorruptObject[] = []
  const toMark: Array<{ materializationId: number; problem: string }> = []
  const toClear: number[] = []
  let bytes = 0
  for (const [location, { bytes: size, owners }] of byLocation) {
    const problem = await findDamage(objects, location, size)
    if (problem === undefined) {
      bytes += size
      for (const o of owners) if (recorded.has(o.materializationId)) toClear.push(o.materializationId)
      continue
    }
    for (const o of owners) if (recorded.get(o.materializationId)?.problem !== problem) toMark.push({ materializationId: o.materializationId, problem })
    corrupt.push({ location, problem, assets: owners.map((o) => o.label), markedStale: !dryRun || owners.every((o) => recorded.has(o.materializationId)) })
  }
  if (!dryRun) {
    await storage.markCorruptObjects(toMark, now)
    await storage.unmarkCorruptObjects(toClear)
  }

  const stale = await staleTemps(home, storage, now, objects)
  const stray = stale.databases.length + stale.objects.length
  const strayBytes = stale.databases.reduce((n, f) => n + f.size, 0) + stale.objects.reduce((n, l) => n + l.bytes, 0)
  const removed = dryRun ? { files: 0, bytes: 0 } : await removeStale(stale)

  return {
    home,
    dryRun,
    database: { description: storage.description, problems: databaseProblems },
    objects: { checked: byLocation.size, bytes, corrupt, cleared: toClear.length },
    temps: { stray, removed: removed.files, bytes: dryRun ? strayBytes : removed.bytes },
    healthy: databaseProblems.length === 0 && corrupt.length === 0 && (!dryRun || stray === 0),
  }
}

export interface HomeDoctorOptions extends Omit<DoctorOptions, 'objects'> {
  /** The object store's spec (`--objects`): a directory or a `postgres://` URL. @defaultValue `STRATA_OBJECTS`, else the home */
  objects?: string
  /** The storage URL (`--storage`), when the storage is not the home's embedded SQLite database. */
  storage?: string
}

/**
 * `strata doctor` on a home: the definitions are not loaded (a broken
 * definitions file must not block checking the home). Unless `dryRun`, runs
 * of dead processes are failed first, as when a home is opened.
 */
export async function doctorHome(home: string, opts: HomeDoctorOptions = {}): Promise<DoctorReport> {
  if (opts.storage === undefined && !existsSync(join(home, DATABASE_FILE))) {
    throw new StrataError('STRATA_USAGE', `No Strata home at ${home} (it has no ${DATABASE_FILE}), so there is nothing to check. Name the home with --home DIR or the definitions with -f FILE.`, { home })
  }
  const storage = await openStorage(home, { url: opts.storage })
  try {
    const objects = await openObjectStore(resolveObjectsSpec({ flag: opts.objects, home }), { home })
    try {
      if (!opts.dryRun) await storage.failOrphanedRuns(isRunOwnerAlive, opts.now ?? Date.now())
      return await checkHome(home, storage, { ...opts, objects })
    } finally {
      await objects.close()
    }
  } finally {
    await storage.close()
  }
}
