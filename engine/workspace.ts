import type { Definitions } from '../assets/types.js'
import { loadDefinitions, resolveDefsPath } from './definitions/load.js'
import { AssetGraph } from './graph/asset-graph.js'
import { isRunOwnerAlive, resolveHome } from './home.js'
import { sweepLeftovers, type Removed } from './io/leftovers.js'
import { openObjectStore, resolveObjectsSpec } from './io/object-stores/open.js'
import type { ObjectStore } from './io/object-stores/types.js'
import { upgradeMultiPartitionKeys } from './partitions/key-upgrade.js'
import { openStorage } from './storage/index.js'
import type { Storage } from './storage/types.js'

/** Loaded definitions with their graph and storage: what every command works on. */
export interface Workspace {
  defs: Definitions
  defsPath: string
  home: string
  graph: AssetGraph
  storage: Storage
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
  cwd?: string
}

export async function openWorkspace(opts: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const defsPath = resolveDefsPath(opts.defsFile, opts.cwd)
  const defs = await loadDefinitions(defsPath)
  const graph = AssetGraph.fromDefinitions(defs)
  const home = resolveHome(defsPath, opts.home)
  const storage = await openStorage(home)
  let objects: ObjectStore | undefined
  try {
    objects = await openObjectStore(resolveObjectsSpec({ flag: opts.objects, home, cwd: opts.cwd }), { home })
    // A run whose process was killed stays RUNNING forever unless someone notices.
    const orphans = await storage.failOrphanedRuns(isRunOwnerAlive, Date.now())
    await storage.interruptOrphanedBackfills(isRunOwnerAlive, Date.now())
    // Multi-partition keys stored before they were ordered by dimension name are rewritten once (migration 006).
    await upgradeMultiPartitionKeys(storage, defs)
    // A killed run may have died mid-write: its temporary files go now.
    const leftoversRemoved = await sweepLeftovers(home, storage, { afterCrash: orphans.length > 0, objects })
    const store = objects
    return { defs, defsPath, home, graph, storage, objects, leftoversRemoved, close: async () => void (await Promise.all([storage.close(), store.close()])) }
  } catch (err) {
    await Promise.all([storage.close(), objects?.close()])
    throw err
  }
}
