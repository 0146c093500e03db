import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Definitions } from '../assets/types.js'
import { loadDefinitions, resolveDefsPath } from './definitions/load.js'
import { AssetGraph } from './graph/asset-graph.js'
import { isRunOwnerAlive, resolveHome } from './home.js'
import { sweepLeftovers, type Removed } from './io/leftovers.js'
import { openObjectStore, resolveObjectsSpec } from './io/object-stores/open.js'
import type { ObjectStore } from './io/object-stores/types.js'
import { upgradeMultiPartitionKeys } from './partitions/key-upgrade.js'
import { openStorage, resolveStorageUrl } from './storage/index.js'
import type { Storage } from './storage/types.js'

/** Loaded definitions with their graph and storage: what every command works on. */
export interface Workspace {
  defs: Definitions
  defsPath: string
  home: string
  graph: AssetGraph
  storage: Storage
  /** The storage's URL when it is not the home's embedded SQLite database (`--storage`, STRATA_STORAGE_URL, `defineDefinitions({ storage })`). */
  storageUrl?: string
  /** Where stored values live (`--objects`). Absent in a workspace built by hand: the home's own objects. */
  objects?: ObjectStore
  /** Temporary files of killed processes removed by openWorkspace (see io/leftovers.ts); zero almost always. */
  leftoversRemoved?: Removed
  close(): Promise<void>
}

export interface OpenWorkspaceOptions {
  /** Definitions file. @defaultValue `./definitions.ts` */
  defsFile?: string
  /** @defaultValue `STRATA_HOME`, else `.strata/` beside the definitions file */
  home?: string
  /** Object store: a directory or a `postgres://` URL. @defaultValue `STRATA_OBJECTS`, else the home */
  objects?: string
  /** Storage URL (`--storage`): `sqlite` or `postgres://…`. @defaultValue `STRATA_STORAGE_URL`, else the definitions' `storage`, else SQLite in the home */
  storage?: string
  cwd?: string
}

export async function openWorkspace(opts: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const defsPath = resolveDefsPath(opts.defsFile, opts.cwd)
  const defs = await loadDefinitions(defsPath)
  const graph = AssetGraph.fromDefinitions(defs)
  const home = resolveHome(defsPath, opts.home)
  const storageUrl = resolveStorageUrl({ flag: opts.storage, definitions: defs.storage })
  const storage = await openStorage(home, { url: storageUrl })
  let objects: ObjectStore | undefined
  try {
    objects = await openObjectStore(resolveObjectsSpec({ flag: opts.objects, definitions: defs.objects, definitionsDir: dirname(defsPath), home, cwd: opts.cwd }), { home })
    // A run whose process was killed stays RUNNING forever unless someone notices.
    const orphans = await storage.failOrphanedRuns(isRunOwnerAlive, Date.now())
    await storage.interruptOrphanedBackfills(isRunOwnerAlive, Date.now())
    // Multi-partition keys stored before they were ordered by dimension name are rewritten once (migration 006).
    await upgradeMultiPartitionKeys(storage, defs)
    // A killed run may have died mid-write: its temporary files go now.
    const leftoversRemoved = await sweepLeftovers(home, storage, { afterCrash: orphans.length > 0, objects })
    const store = objects
    return { defs, defsPath, home, graph, storage, ...(storageUrl ? { storageUrl } : {}), objects, leftoversRemoved, close: async () => void (await Promise.all([storage.close(), store.close()])) }
  } catch (err) {
    await Promise.all([storage.close(), objects?.close()])
    throw err
  }
}

/**
 * The storage URL for a command that does not open a workspace (gc, models):
 * `--storage`, else $STRATA_STORAGE_URL, else the `storage` of the
 * definitions at `defsPath` when that file exists. Definitions that fail to
 * load count as naming none when `tolerateBrokenDefinitions` (gc must still
 * clean up a home whose definitions are broken), else the error is thrown.
 */
export async function resolveCommandStorageUrl(opts: { flag?: string; defsPath?: string; tolerateBrokenDefinitions?: boolean }): Promise<string | undefined> {
  const fromFlagOrEnv = resolveStorageUrl({ flag: opts.flag })
  if (opts.flag !== undefined || process.env.STRATA_STORAGE_URL) return fromFlagOrEnv
  if (opts.defsPath === undefined || !existsSync(opts.defsPath)) return undefined
  let defs: Definitions
  try {
    defs = await loadDefinitions(opts.defsPath)
  } catch (err) {
    if (opts.tolerateBrokenDefinitions) return undefined
    throw err
  }
  return resolveStorageUrl({ definitions: defs.storage })
}
