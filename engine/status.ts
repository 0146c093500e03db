import { computeStates, type AssetState } from './versioning/staleness.js'
import type { LatestMaterialization } from './storage/types.js'
import type { Workspace } from './workspace.js'

/** Status and reasons of every asset (unpartitioned view), in topological order. */
export async function readAssetStates(ws: Workspace): Promise<Map<string, AssetState>> {
  const latestByKey = new Map<string, LatestMaterialization>()
  for (const m of await ws.storage.getLatestMany()) {
    if (m.partitionKey === '') latestByKey.set(m.assetKey, m)
  }
  return computeStates(ws.defs, ws.graph.topologicalOrder(), latestByKey)
}
