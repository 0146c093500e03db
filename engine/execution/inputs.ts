import { StrataError } from '../../assets/errors.js'
import type { AssetDefinition } from '../../assets/types.js'
import type { LatestMaterialization, LineageEdge } from '../storage/types.js'
import type { InputLocation } from './step-types.js'

export type LatestLookup = (assetKey: string, partitionKey: string) => LatestMaterialization | undefined

export interface ResolvedInputs {
  inputs: Record<string, InputLocation>
  consumed: LineageEdge[]
}

function edge(m: LatestMaterialization, inputName?: string): LineageEdge {
  return {
    upstreamMaterializationId: m.id,
    upstreamAssetKey: m.assetKey,
    upstreamPartitionKey: m.partitionKey,
    upstreamDataVersion: m.dataVersion,
    inputName,
  }
}

/**
 * Picks the exact upstream materializations a step reads (for `ins`) or
 * follows (for `deps`); they become its lineage edges.
 */
export function resolveInputs(asset: AssetDefinition<any>, latestOf: LatestLookup): ResolvedInputs {
  const inputs: Record<string, InputLocation> = {}
  const consumed: LineageEdge[] = []
  const missing: string[] = []
  for (const [name, input] of Object.entries(asset.ins)) {
    const m = latestOf(input.assetKey, '')
    if (!m) {
      missing.push(input.assetKey)
      continue
    }
    inputs[name] = { kind: 'single', part: { partitionKey: '', location: m.location, format: m.format } }
    consumed.push(edge(m, name))
  }
  for (const dep of asset.deps) {
    const m = latestOf(dep, '')
    if (!m) missing.push(dep)
    else if (!consumed.some((e) => e.upstreamAssetKey === dep)) consumed.push(edge(m))
  }
  if (missing.length > 0) {
    throw new StrataError(
      'STRATA_MISSING_INPUT',
      `"${asset.key}" needs ${missing.map((k) => `"${k}"`).join(', ')}, never materialized. Materialize ${missing.length > 1 ? 'them' : 'it'} first, or select the upstream too: strata materialize "*${asset.key}".`,
      { missing },
    )
  }
  return { inputs, consumed }
}
