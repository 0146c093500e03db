/**
 * Why an asset's version differs from the one its latest materialization
 * recorded, as staleness reasons: the recorded components of that earlier
 * version (stored when its run started) against the current ones. When the
 * earlier components are unknown (materialized before they were recorded, or
 * a pinned version), the reason is the bare version change.
 */
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import type { Storage } from '../storage/types.js'
import type { DirectReason } from './staleness.js'
import type { Components } from './code-graph.js'
import { diffComponents } from './version-diff.js'
import { versionInfoOf } from './versions.js'

/** Reasons for `asset` having changed since `previous`, or undefined when they cannot be told. */
export type VersionExplainer = (asset: AssetDefinition<any>, previous: string) => DirectReason[] | undefined

export function explainChange(previous: string, current: string, before: Components, after: Components): DirectReason[] | undefined {
  const reasons: DirectReason[] = []
  const code: string[] = []
  for (const c of diffComponents(before, after)) {
    if (c.kind === 'code') code.push(c.text)
    else if (c.kind === 'definition') reasons.push({ kind: 'DEFINITION_CHANGED', change: c.text })
    else reasons.push({ kind: c.kind === 'dependency-added' ? 'DEPENDENCY_ADDED' : 'DEPENDENCY_REMOVED', dep: c.dep })
  }
  if (code.length) reasons.unshift({ kind: 'CODE_VERSION_CHANGED', previous, current, changes: code })
  return reasons.length ? reasons : undefined
}

/** The reasons for a version change, falling back to the bare change. */
export function versionChangeReasons(asset: AssetDefinition<any>, previous: string, explain?: VersionExplainer): DirectReason[] {
  const reasons = explain?.(asset, previous)
  return reasons?.length ? reasons : [{ kind: 'CODE_VERSION_CHANGED', previous, current: asset.codeVersion }]
}

/**
 * Reads, in one storage call, the components of every earlier version among
 * `latest` (asset → partition → latest materialization) that differs from the
 * asset's current version.
 */
export async function loadVersionExplainer(
  storage: Storage,
  defs: Definitions,
  latest: ReadonlyMap<string, ReadonlyMap<string, { codeVersion: string }>>,
): Promise<VersionExplainer> {
  const pairs: Array<{ assetKey: string; codeVersion: string }> = []
  for (const [key, byPartition] of latest) {
    const asset = defs.byKey.get(key)
    if (!asset || !versionInfoOf(asset)?.components) continue
    const seen = new Set<string>()
    for (const m of byPartition.values()) {
      if (m.codeVersion === asset.codeVersion || seen.has(m.codeVersion)) continue
      seen.add(m.codeVersion)
      pairs.push({ assetKey: key, codeVersion: m.codeVersion })
    }
  }
  const recorded = new Map((await storage.getCodeVersions(pairs)).map((r) => [`${r.assetKey}\0${r.codeVersion}`, r.components]))
  const explained = new Map<string, DirectReason[] | undefined>()
  return (asset, previous) => {
    const id = `${asset.key}\0${previous}`
    if (!explained.has(id)) {
      const before = recorded.get(id)
      const after = versionInfoOf(asset)?.components
      explained.set(id, before && after ? explainChange(previous, asset.codeVersion, before, after) : undefined)
    }
    return explained.get(id)
  }
}
