/**
 * Opens the workspace for the UI, and re-opens it on reload (R). The first
 * load is `openWorkspace`; a reload imports the definitions file afresh (a new
 * module URL, so an edited or once-broken file is read again) and keeps the
 * storage already open. Modules the definitions file imports stay as first
 * loaded: `strata dev` reloads whole module graphs in a fresh worker.
 */
import { dirname } from 'node:path'
import {
  AssetGraph,
  loadDefinitions,
  openObjectStore,
  openStorage,
  openWorkspace,
  resolveDefsPath,
  resolveHome,
  resolveObjectsSpec,
  resolveStorageUrl,
  type OpenWorkspaceOptions,
  type Workspace,
} from '../../engine/index.js'

export type WorkspaceOpener = (previous?: Workspace) => Promise<Workspace>

export function workspaceOpener(opts: OpenWorkspaceOptions): WorkspaceOpener {
  let loads = 0
  return async (previous) => {
    const n = loads++
    if (n === 0 && !previous) return openWorkspace(opts)
    const defsPath = resolveDefsPath(opts.defsFile, opts.cwd)
    const defs = await loadDefinitions(defsPath, `ui-reload-${n}-${Date.now()}`)
    const graph = AssetGraph.fromDefinitions(defs)
    const home = resolveHome(defsPath, opts.home)
    const storageUrl = resolveStorageUrl({ flag: opts.storage, definitions: defs.storage })
    const same = previous && previous.home === home && previous.storageUrl === storageUrl
    const storage = same ? previous.storage : await openStorage(home, { url: storageUrl })
    const objectsSpec = resolveObjectsSpec({ flag: opts.objects, definitions: defs.objects, definitionsDir: dirname(defsPath), home, cwd: opts.cwd })
    const objects = previous?.objects?.spec === objectsSpec ? previous.objects : await openObjectStore(objectsSpec, { home })
    return { defs, defsPath, home, graph, storage, ...(storageUrl ? { storageUrl } : {}), objects, close: async () => void (await Promise.all([storage.close(), objects.close()])) }
  }
}
