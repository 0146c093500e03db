/**
 * A registry production version as an input of staleness. An asset that
 * declares `models: ['delay']` reads whatever version of `delay` is in
 * production when it runs; the engine records that version with the
 * materialization (in its metadata, under PRODUCTION_MODELS_KEY: name →
 * version, null for none) and the asset is stale once the registry's
 * production version differs, as after a promotion or a rollback.
 */
import type { AssetDefinition } from '../../assets/types.js'
import type { DirectReason } from './staleness.js'

/** The metadata key of the production versions a materialization was built with. */
export const PRODUCTION_MODELS_KEY = 'strata.productionModels'

/** Production version of each model by name; a name without one is absent. */
export type ProductionVersions = ReadonlyMap<string, number>

/** What the materialization recorded (name → version or null); undefined when it recorded nothing. */
export function recordedProductionModels(metadata: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, number | null>> | undefined {
  const recorded = metadata?.[PRODUCTION_MODELS_KEY]
  return recorded && typeof recorded === 'object' && !Array.isArray(recorded) ? (recorded as Record<string, number | null>) : undefined
}

/** The versions to record for `asset` (every model it declares; null where none is in production). */
export function productionModelsToRecord(asset: AssetDefinition<any>, production: ProductionVersions): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const name of asset.models ?? []) out[name] = production.get(name) ?? null
  return out
}

/**
 * One reason per declared model whose production version is not the one the
 * materialization recorded (a materialization that recorded none for it was
 * built with none).
 */
export function productionModelReasons(
  asset: AssetDefinition<any>,
  latest: { metadata?: Readonly<Record<string, unknown>> },
  production: ProductionVersions,
): DirectReason[] {
  const models = asset.models ?? []
  if (models.length === 0) return []
  const recorded = recordedProductionModels(latest.metadata)
  const reasons: DirectReason[] = []
  for (const model of models) {
    const consumed = typeof recorded?.[model] === 'number' ? recorded[model] : null
    const current = production.get(model) ?? null
    if (consumed !== current) reasons.push({ kind: 'PRODUCTION_MODEL_CHANGED', model, consumed, current })
  }
  return reasons
}
