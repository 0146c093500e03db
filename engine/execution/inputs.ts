import { StrataError } from '../../assets/errors.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import { upstreamKeysFor, upstreamLinks } from '../partitions/mapping.js'
import type { LatestMaterialization, LineageEdge } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { InputLocation, InputPart } from './step-types.js'

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

const part = (m: LatestMaterialization): InputPart => ({ partitionKey: m.partitionKey, location: m.location, format: m.format })

/**
 * Picks the exact upstream materializations a step reads (for `ins`) or
 * follows (for `deps`): for partitioned assets, only the upstream partitions
 * its mapping allows — the point-in-time guard. They become its lineage edges.
 */
export function resolveInputs(defs: Definitions, asset: AssetDefinition<any>, partitionKeys: readonly string[], latestOf: LatestLookup, keysOptions: KeysOptions): ResolvedInputs {
  const inputs: Record<string, InputLocation> = {}
  const consumed: LineageEdge[] = []
  const problems: string[] = []
  const seen = new Set<string>()
  for (const link of upstreamLinks(defs, asset)) {
    const { keys, missing: nonexistent } = upstreamKeysFor(asset, link, partitionKeys, keysOptions)
    const upKey = link.upstream.key
    if (nonexistent.length > 0 && !link.allowMissing && !link.isSelf) {
      problems.push(`${upKey} partitions that do not exist: ${preview(nonexistent)}`)
    }
    const found: LatestMaterialization[] = []
    const unbuilt: string[] = []
    // A step never reads the partitions it is itself writing.
    const ownKeys = link.isSelf ? new Set(partitionKeys) : undefined
    for (const k of keys) {
      if (ownKeys?.has(k)) continue
      const m = latestOf(upKey, k)
      if (m) found.push(m)
      else unbuilt.push(k)
    }
    if (unbuilt.length > 0 && !link.allowMissing) {
      problems.push(link.upstream.partitions ? `${upKey} partitions never materialized: ${preview(unbuilt)}` : `${upKey}, never materialized`)
    }
    for (const m of found) {
      const id = `${link.inputName ?? ''}\u0000${nodeLabel(m.assetKey, m.partitionKey)}`
      if (seen.has(id)) continue
      seen.add(id)
      consumed.push(edge(m, link.inputName))
    }
    if (link.inputName === undefined) continue
    if (link.single) {
      inputs[link.inputName] = found[0] ? { kind: 'single', part: part(found[0]) } : { kind: 'none' }
    } else {
      inputs[link.inputName] = { kind: 'multi', parts: found.map(part) }
    }
  }
  if (problems.length > 0) {
    const target = partitionKeys.length ? `${asset.key}[${partitionKeys.length > 1 ? `${partitionKeys[0]}..${partitionKeys[partitionKeys.length - 1]}` : partitionKeys[0]}]` : asset.key
    throw new StrataError(
      'STRATA_MISSING_INPUT',
      `"${target}" cannot run: it needs ${problems.join('; ')}. Materialize those first (e.g. strata materialize "*${asset.key}" --stale), or set allowMissing: true on the input if the asset can run without them.`,
      { problems },
    )
  }
  return { inputs, consumed }
}

function preview(keys: readonly string[]): string {
  return keys.length <= 6 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} … and ${keys.length - 5} more`
}
