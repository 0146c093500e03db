/**
 * The model registry, engine side. Versions live in the home's storage (SQLite
 * tables `models` and `model_stage_history`, migration 004); these functions
 * validate input and call the `Storage` methods.
 *
 * From inside an asset's compute, use `ctx.registry` instead (see
 * `ModelRegistryContext` in `assets/registry.ts`): its writes are applied by
 * the orchestrator after the step's materialization is recorded.
 *
 * @example
 * import { openWorkspace, registerModel, promoteModel, getProductionModel } from 'strata-engine/engine'
 * const ws = await openWorkspace({ defsFile: 'definitions.ts' })
 * const m = await registerModel(ws, { name: 'delay', metrics: { auc: 0.8 }, gate: { passed: true, reasons: [] }, codeVersion: 'abc', artifact: 'objects/ab/….json' })
 * await promoteModel(ws, 'delay', m.version, 'production')
 * const prod = await getProductionModel(ws, 'delay')
 */
import { StrataError } from '../../assets/errors.js'
import type { ModelGate, ModelStage, ModelStageChange, ModelVersion } from '../../assets/registry.js'
import type { ModelRollbackResult, ModelStageResult, Storage } from '../storage/types.js'
import { checkGate, checkModelName, checkModelVersion, checkNonEmpty, checkStage, jsonObject } from './validate.js'

export type { ModelRollbackResult, ModelStageResult } from '../storage/types.js'
export { checkModelName, checkStage } from './validate.js'

/** A workspace (anything with `storage`) or a storage. */
export type RegistryTarget = Storage | { storage: Storage }

const storageOf = (target: RegistryTarget): Storage => ('storage' in target && typeof (target as { storage?: unknown }).storage === 'object' ? (target as { storage: Storage }).storage : (target as Storage))

/** What `registerModel` takes. */
export interface RegisterModelInput {
  name: string
  metrics: Record<string, unknown>
  config?: Record<string, unknown>
  /** Which partitions and data versions trained it; the materialization id of the model asset. */
  lineage?: Record<string, unknown>
  codeVersion: string
  /** Object-store path (relative to the home) or any URI. */
  artifact: string
  gate: ModelGate
  description?: string
  /** Register directly in this stage (staging/production need a passed gate). @defaultValue 'development' */
  stage?: ModelStage
}

/** Registers a new version (numbered per name from 1); returns it, `.version` being its number. */
export async function registerModel(target: RegistryTarget, input: RegisterModelInput, now = Date.now()): Promise<ModelVersion> {
  if (typeof input !== 'object' || input === null) throw new StrataError('STRATA_INVALID_MODEL', 'registerModel() takes { name, metrics, gate, codeVersion, artifact, config?, lineage? }.')
  const name = checkModelName(input.name)
  return storageOf(target).registerModel({
    name,
    metrics: jsonObject(`Model "${name}": metrics`, input.metrics),
    config: jsonObject(`Model "${name}": config`, input.config, true),
    lineage: jsonObject(`Model "${name}": lineage`, input.lineage, true),
    codeVersion: checkNonEmpty(`Model "${name}": codeVersion`, input.codeVersion),
    artifact: checkNonEmpty(`Model "${name}": artifact`, input.artifact),
    gate: checkGate(name, input.gate),
    ...(input.description !== undefined ? { description: String(input.description) } : {}),
    ...(input.stage !== undefined ? { stage: checkStage(input.stage) } : {}),
    createdAt: now,
  })
}

/**
 * Moves a version to `stage`. Promoting to production archives the previous
 * production version. Throws STRATA_UNKNOWN_MODEL, STRATA_INVALID_MODEL (bad
 * stage) or STRATA_GATE_FAILED (staging/production with a failed gate).
 */
export async function promoteModel(
  target: RegistryTarget,
  name: string,
  version: number,
  stage: ModelStage,
  opts: { reason?: string; now?: number } = {},
): Promise<ModelStageResult> {
  checkModelName(name)
  checkModelVersion(name, version)
  checkStage(stage)
  return storageOf(target).setModelStage(name, version, stage, opts.now ?? Date.now(), opts.reason)
}

/** Restores the previous production version; the current one is archived. Throws STRATA_UNKNOWN_MODEL or STRATA_NO_ROLLBACK. */
export async function rollbackModel(target: RegistryTarget, name: string, opts: { reason?: string; now?: number } = {}): Promise<ModelRollbackResult> {
  checkModelName(name)
  return storageOf(target).rollbackModel(name, opts.now ?? Date.now(), opts.reason)
}

/** The version of `name` in production, or undefined. */
export async function getProductionModel(target: RegistryTarget, name: string): Promise<ModelVersion | undefined> {
  return (await storageOf(target).listModels(name)).find((m) => m.stage === 'production')
}

export async function getModel(target: RegistryTarget, name: string, version: number): Promise<ModelVersion | undefined> {
  return storageOf(target).getModel(name, version)
}

/** By name, then newest version first. */
export async function listModels(target: RegistryTarget, name?: string): Promise<ModelVersion[]> {
  return storageOf(target).listModels(name)
}

/** Stage changes, oldest first. */
export async function getModelHistory(target: RegistryTarget, name: string, version?: number): Promise<ModelStageChange[]> {
  return storageOf(target).getModelHistory(name, version)
}
