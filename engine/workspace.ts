import type { Definitions } from '../assets/types.js'
import { loadDefinitions, resolveDefsPath } from './definitions/load.js'
import { AssetGraph } from './graph/asset-graph.js'
import { isRunOwnerAlive, resolveHome } from './home.js'
import { openStorage } from './storage/index.js'
import type { Storage } from './storage/types.js'

/** Loaded definitions with their graph and storage: what every command works on. */
export interface Workspace {
  defs: Definitions
  defsPath: string
  home: string
  graph: AssetGraph
  storage: Storage
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
  // A run whose process was killed stays RUNNING forever unless someone notices.
  await storage.failOrphanedRuns(isRunOwnerAlive, Date.now())
  await storage.interruptOrphanedBackfills(isRunOwnerAlive, Date.now())
  return { defs, defsPath, home, graph, storage, close: () => storage.close() }
}
