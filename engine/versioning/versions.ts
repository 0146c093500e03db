/**
 * Assigns each asset of loaded definitions its version: an explicit
 * `codeVersion` as given; otherwise a hash of its components, which are the
 * compute's normalized text, the code the compute uses (code-graph.ts), the
 * definition's structure and its `versionInputs` (structure.ts). The
 * components are kept beside the asset so that a run can record them and a
 * later status can say which of them changed. The code components are cached
 * per project (project-cache.ts): a command with no file changed since the
 * last one reads them instead of deriving them.
 */
import { hashCode } from '../../assets/code-version.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import type { CodeVersionRecord } from '../storage/types.js'
import { CodeGraph, type Components } from './code-graph.js'
import { textHash } from './js-scan.js'
import { ProjectCache } from './project-cache.js'
import { structureComponents } from './structure.js'

export interface VersionInfo {
  version: string
  /** Absent for an explicit codeVersion: the pin is the whole version. */
  components?: Components
}

const infos = new WeakMap<AssetDefinition<any>, VersionInfo>()
const assigned = new WeakMap<Definitions, Definitions>()

/** The version and its components of an asset of definitions loaded by the engine (undefined for others). */
export function versionInfoOf(asset: AssetDefinition<any>): VersionInfo | undefined {
  return infos.get(asset)
}

export function combine(components: Components): string {
  return hashCode(
    Object.keys(components)
      .sort()
      .map((k) => `${k}=${components[k]}`)
      .join('\n'),
  )
}

/**
 * The definitions with every automatic version computed from the files under
 * `defsPath` as they are now. The same definitions object always gives the
 * same result in a process (an in-process step sees what its run planned with).
 */
export function withCodeVersions(defs: Definitions, defsPath: string): Definitions {
  const known = assigned.get(defs)
  if (known) return known
  let cache: ProjectCache | undefined
  let graph: CodeGraph | undefined
  const assets = defs.assets.map((a) => {
    if (a.codeVersionSource === 'explicit') {
      infos.set(a, { version: a.codeVersion })
      return a
    }
    const source = Function.prototype.toString.call(a.compute)
    const fingerprint = textHash(source)
    cache ??= ProjectCache.open(defsPath)
    let code = cache.get(fingerprint)
    if (!code) {
      graph ??= new CodeGraph(defsPath)
      code = graph.componentsOf(source)
      cache.set(fingerprint, code)
    }
    // A compute found in no project module (e.g. from a package) is hashed from its own text.
    const components: Components = { ...code.components, ...structureComponents(a), compute: code.compute ?? a.codeVersion }
    const version = combine(components)
    // Copied without reading `codeVersion`, which would hash the compute's text again.
    const copy: Record<string, unknown> = {}
    for (const k of Object.keys(a)) if (k !== 'codeVersion') copy[k] = (a as unknown as Record<string, unknown>)[k]
    copy.codeVersion = version
    const versioned = Object.freeze(copy) as unknown as AssetDefinition<any>
    infos.set(versioned, { version, components })
    return versioned
  })
  if (graph) cache!.save(graph.dependencies())
  const result = Object.freeze({ ...defs, assets, byKey: new Map(assets.map((a) => [a.key, a])) }) as Definitions
  assigned.set(defs, result)
  assigned.set(result, result)
  return result
}

/** What a run records of the versions it materializes with, for the assets with an automatic version. */
export function codeVersionRecords(defs: Definitions, keys: Iterable<string>): CodeVersionRecord[] {
  const out: CodeVersionRecord[] = []
  for (const key of new Set(keys)) {
    const asset = defs.byKey.get(key)
    const info = asset && infos.get(asset)
    if (info?.components) out.push({ assetKey: key, codeVersion: info.version, components: info.components })
  }
  return out
}
