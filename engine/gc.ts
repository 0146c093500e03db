import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { StrataError } from '../assets/errors.js'
import { isRunOwnerAlive } from './home.js'
import { collectGarbage, type GcOptions, type GcResult } from './io/object-gc.js'
import { openObjectStore, resolveObjectsSpec } from './io/object-stores/open.js'
import { DATABASE_FILE, openStorage } from './storage/index.js'

export { collectGarbage, DEFAULT_GC_GRACE_MS, type GcOptions, type GcResult } from './io/object-gc.js'

/**
 * `strata gc` on a home: the definitions are not loaded (a broken definitions
 * file must not block cleaning up), and runs of dead processes are failed
 * first so they do not hold back the cut-off of what may be running.
 */
export interface HomeGcOptions extends Omit<GcOptions, 'objects'> {
  /** The object store's spec (`--objects`): a directory or a `postgres://` URL. @defaultValue `STRATA_OBJECTS`, else the home */
  objects?: string
  /** The storage URL (`--storage`), when the storage is not the home's embedded SQLite database. */
  storage?: string
}

export async function collectHomeGarbage(home: string, opts: HomeGcOptions = {}): Promise<GcResult> {
  if (opts.storage === undefined && !existsSync(join(home, DATABASE_FILE))) {
    throw new StrataError('STRATA_USAGE', `No Strata home at ${home} (it has no ${DATABASE_FILE}), so there is nothing to collect. Name the home with --home DIR or the definitions with -f FILE.`, { home })
  }
  const storage = await openStorage(home, { url: opts.storage })
  try {
    const objects = await openObjectStore(resolveObjectsSpec({ flag: opts.objects, home }), { home })
    try {
      await storage.failOrphanedRuns(isRunOwnerAlive, Date.now())
      return await collectGarbage(home, storage, { ...opts, objects })
    } finally {
      await objects.close()
    }
  } finally {
    await storage.close()
  }
}
