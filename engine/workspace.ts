import type { Definitions } from '../assets/types.js'
import { loadDefinitions, resolveDefsPath } from './definitions/load.js'
import { AssetGraph } from './graph/asset-graph.js'
import { isRunOwnerAlive, resolveHome } from './home.js'
import { sweepLeftovers, type Removed } from './io/leftovers.js'
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
  /** Temporary files of killed processes removed by openWorkspace (see io/leftovers.ts); zero almost always. */
  leftoversRemoved?: Removed
  close(): Promise<void>
}

export interface OpenWorkspaceOptions {
  /** Definitions file. @defaultValue `./definitions.ts` */
  defsFile?: string
  /** @defaultValue `STRATA_HOME`, else `.strata/` beside the definitions file */
  home?: string
  cwd?: string
}

export async function openWorkspace(opts: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const defsPath = resolveDefsPath(opts.defsFile, opts.cwd)
  const defs = await loadDefinitions(defsPath)
  const graph = AssetGraph.fromDefinitions(defs)
  const home = resolveHome(defsPath, opts.home)
  const storage = await openStorage(home)
  try {
    // A run whose process was killed stays RUNNING forever unless someone notices.
    const orphans = await storage.failOrphanedRuns(isRunOwnerAlive, Date.now())
    await storage.interruptOrphanedBackfills(isRunOwnerAlive, Date.now())
    // Multi-partition keys stored before they were ordered by dimension name are rewritten once (migration 006).
    await upgradeMultiPartitionKeys(storage, defs)
    // A killed run may have died mid-write: its temporary files go now.
    const leftoversRemoved = await sweepLeftovers(home, storage, { afterCrash: orphans.length > 0 })
    return { defs, defsPath, home, graph, storage, leftoversRemoved, close: () => storage.close() }
  } catch (err) {
    await storage.close()
    throw err
  }
}
