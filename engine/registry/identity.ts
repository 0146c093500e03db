/**
 * When two registrations are the same model: the same code version, the same
 * config, the same upstream data versions consumed and the same artifact. A
 * retrain that changes none of these (a forced re-materialization, a rerun
 * after an unrelated failure) is recognised as the version it repeats instead
 * of registering a copy under a new number.
 *
 * Metrics, gate and description are left out on purpose: a wall time or a
 * comparison with whatever is in production at the moment may differ between
 * identical trainings without making a different model.
 */
import { createHash } from 'node:crypto'
import type { ModelVersion } from '../../assets/registry.js'

/** What a version's identity is computed from (stored versions and new registrations alike). */
export type IdentitySource = Pick<ModelVersion, 'codeVersion' | 'config' | 'lineage' | 'artifact'>

/** The stored value a version's lineage names, when known: its data version stands for the artifact it holds. */
export interface ArtifactMaterialization {
  location: string
  dataVersion: string
}

/** JSON with object keys sorted at every level, so equal configs hash alike whatever order they were built in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** The upstream partitions and data versions consumed, without the materialization ids (re-materialized identical data is the same data). */
function consumed(lineage: ModelVersion['lineage']): string[] {
  const inputs = Array.isArray(lineage.inputs) ? lineage.inputs : []
  return [...new Set(inputs.map((i) => `${i.assetKey}\u0000${i.partitionKey ?? ''}\u0000${i.dataVersion}`))].sort()
}

/**
 * A version's identity. `artifactOf` is the materialization its lineage
 * names; when the artifact is that materialization's stored value, the
 * value's data version identifies it (an asset may set it to ignore bytes
 * that do not matter, e.g. a training wall time); otherwise the artifact's
 * URI does.
 */
export function modelIdentity(m: IdentitySource, artifactOf?: ArtifactMaterialization): string {
  const artifact = artifactOf && artifactOf.location === m.artifact ? { dataVersion: artifactOf.dataVersion } : { uri: m.artifact }
  return createHash('sha256')
    .update(canonical({ codeVersion: m.codeVersion, config: m.config, inputs: consumed(m.lineage), artifact }))
    .digest('hex')
}
