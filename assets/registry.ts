/**
 * Types of the model registry, shared by `ctx.registry` (inside compute), the
 * engine API (`strata-engine/engine`: registerModel, promoteModel, rollbackModel,
 * getProductionModel) and the storage. Types only: no I/O here.
 *
 * A model name has versions 1, 2, 3, … (one counter per name). Each version
 * has a stage: `development` when registered, then `staging`, `production` or
 * `archived`. At most one version per name is in production: promoting one
 * archives the previous production version, and `rollbackModel` restores it.
 * Only a version whose gate passed can reach staging or production
 * (`STRATA_GATE_FAILED` otherwise). Every stage change is kept in a history.
 */

export type ModelStage = 'development' | 'staging' | 'production' | 'archived'

export const MODEL_STAGES: readonly ModelStage[] = ['development', 'staging', 'production', 'archived']

/** The outcome of evaluating a model against its promotion criteria. */
export interface ModelGate {
  passed: boolean
  /** Why it passed or failed, one line each, e.g. `'auc 0.81 ≥ 0.75'`. */
  reasons: string[]
}

/**
 * Where a model came from. Versions registered through `ctx.registry` get
 * `assetKey`, `partitionKeys`, `runId`, `materializationId` (the model
 * asset's materialization) and `inputs` (every upstream partition and data
 * version the step consumed) filled in by the engine; anything given is kept
 * alongside.
 */
export interface ModelLineage {
  assetKey?: string
  partitionKeys?: string[]
  runId?: string
  materializationId?: number
  inputs?: Array<{ assetKey: string; partitionKey: string; dataVersion: string; materializationId: number; input?: string }>
  [key: string]: unknown
}

/** A registered model version. */
export interface ModelVersion {
  name: string
  version: number
  stage: ModelStage
  /** JSON-serializable; usually numbers such as `{ auc: 0.81 }`. */
  metrics: Record<string, unknown>
  /** Hyperparameters, feature list, … JSON-serializable. */
  config: Record<string, unknown>
  lineage: ModelLineage
  codeVersion: string
  /** Where the model is stored: an object-store path relative to the home (`objects/ab/….json`) or any URI. */
  artifact: string
  gate: ModelGate
  description?: string
  createdAt: number
  /** Time of the last stage change. */
  stageChangedAt: number
}

/** One stage change of a model version; `from` is null for the registration itself. */
export interface ModelStageChange {
  id: number
  name: string
  version: number
  from: ModelStage | null
  to: ModelStage
  at: number
  /** `register`; `promote` (any explicit stage change); `replaced` (archived because another version went to production); `rollback`. */
  kind: 'register' | 'promote' | 'replaced' | 'rollback'
  reason?: string
}

/** What compute passes to `ctx.registry.register()`. */
export interface ModelRegistration {
  /** Model name: letters, digits and `_ - . /`. */
  name: string
  metrics: Record<string, unknown>
  config?: Record<string, unknown>
  /** Required: whether the model may be promoted, and why. */
  gate: ModelGate
  /** Extra lineage, kept beside what the engine fills in. */
  lineage?: Record<string, unknown>
  /** @defaultValue the object this step stores (the asset's value) */
  artifact?: string
  /** @defaultValue the asset's code version */
  codeVersion?: string
  description?: string
  /**
   * Stage to put the new version in once registered. `staging`/`production`
   * apply only if the gate passed; otherwise the version stays in
   * `development` and a warning is logged (the step does not fail).
   * @defaultValue 'development'
   */
  stage?: Exclude<ModelStage, 'archived'>
}

/**
 * `ctx.registry`: the model registry, from inside `compute` (which runs in a
 * worker thread).
 *
 * Writes are **deferred**: `register()` and `promote()` only queue a request
 * that travels back with the step's outcome. The orchestrator (main thread)
 * applies the requests right after the step's materialization is recorded, so
 * the lineage names that materialization and the artifact defaults to the
 * stored value; if compute throws or a blocking check fails, nothing is
 * registered. Registered versions are reported in the step result
 * (`materialize --json`: `steps[].models`) and as MODEL_REGISTERED events.
 * `promote()` requests are validated before the materialization is recorded:
 * an unknown version or a gate that did not pass fails the step.
 *
 * Reads (`get`, `production`, `list`, `loadArtifact`) are immediate: they
 * open a connection to the home's SQLite database from the worker on first use.
 */
export interface ModelRegistryContext {
  /** Queues the registration of a new version of `model.name` (applied after the materialization is recorded). */
  register(model: ModelRegistration): void
  /** Queues a stage change of an existing version (validated before, applied after the materialization is recorded). */
  promote(name: string, version: number, stage: ModelStage, reason?: string): void
  get(name: string, version: number): Promise<ModelVersion | undefined>
  /** The version of `name` in production, if any. */
  production(name: string): Promise<ModelVersion | undefined>
  /** Versions of `name` (all models if omitted), by name then newest version first. */
  list(name?: string): Promise<ModelVersion[]>
  /** Loads a version's artifact when it is a stored object (`objects/…`), as the asset's IO manager stored it. */
  loadArtifact(model: ModelVersion): Promise<unknown>
}
