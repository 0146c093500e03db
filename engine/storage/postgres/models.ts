/**
 * The model registry on PostgreSQL (migration 002). What to write is decided
 * by the backend-neutral stage rules (engine/registry/stage-rules.ts) on a
 * snapshot of the model taken inside the write transaction, under a
 * per-model advisory lock: two processes registering or promoting the same
 * model on any hosts take turns, so version numbers never repeat and two
 * promotions cannot both archive the same production version.
 */
import type { ModelRegistrationResult, ModelRollbackResult, ModelStage, ModelStageChange, ModelStageResult, ModelVersion, NewModelVersion } from '../types.js'
import { registerVersion, registerVersionOnce, rollbackVersion, setVersionStage, type RegistryTx } from '../../registry/stage-rules.js'
import type { PgDb, Sql } from './db.js'
import { getModel, listModels, modelArtifacts, modelHistory, productionVersions } from './models-table.js'
import { lockModel, ModelSnapshot, NotLoaded, type SnapshotScope } from './models-snapshot.js'
import { pgCode } from './db.js'
import { StrataError } from '../../../assets/errors.js'
import { storageError } from '../errors.js'

/** Runs `fn`, turning any failure into a STRATA_STORAGE error saying what was being done (StrataErrors pass as they are). */
export async function usePg<T>(doing: string, where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof StrataError) throw err
    const code = pgCode(err)
    const wrapped = storageError(`Storage failed while ${doing} (${where}): ${err instanceof Error ? err.message : String(err)}.`, code ? { pgCode: code } : undefined)
    ;(wrapped as Error & { cause?: unknown }).cause = err
    throw wrapped
  }
}

/** What the registry needs from the rest of the storage. */
export interface ModelStoreContext {
  description: string
  /** Unused: the materializations a version's lineage names are read inside the registering transaction. */
  getMaterialization?: (id: number) => Promise<unknown>
}

export class PgModelStore {
  constructor(
    private readonly db: PgDb,
    private readonly ctx: ModelStoreContext,
  ) {}

  /**
   * Runs `rules` on a snapshot of model `name` (`scope`: see models-snapshot.ts)
   * and writes what they changed, in one transaction under the model's lock.
   */
  private async write<T>(doing: string, name: string, scope: SnapshotScope, rules: (tx: RegistryTx) => T): Promise<T> {
    return usePg(doing, this.ctx.description, () =>
      this.db.transaction(async (tx: Sql) => {
        await lockModel(tx, this.db.schema, name)
        let snapshot = await ModelSnapshot.load(tx, this.ctx.description, name, scope)
        let result: T
        try {
          result = rules(snapshot)
        } catch (err) {
          if (!(err instanceof NotLoaded)) throw err
          snapshot = await ModelSnapshot.load(tx, this.ctx.description, name, { complete: true })
          result = rules(snapshot)
        }
        await snapshot.flush(tx)
        return result
      }),
    )
  }

  async registerModel(m: NewModelVersion): Promise<ModelVersion> {
    return this.write(`registering model ${m.name}`, m.name, { complete: false }, (tx) => registerVersion(tx, m))
  }

  async registerModelOnce(m: NewModelVersion): Promise<ModelRegistrationResult> {
    return this.write(`registering model ${m.name}`, m.name, { complete: true, candidate: m }, (tx) => registerVersionOnce(tx, m))
  }

  async setModelStage(name: string, version: number, stage: ModelStage, now: number, reason?: string): Promise<ModelStageResult> {
    return this.write(`moving model ${name} version ${version} to ${stage}`, name, { complete: false, version }, (tx) => setVersionStage(tx, name, version, stage, now, reason))
  }

  async rollbackModel(name: string, now: number, reason?: string): Promise<ModelRollbackResult> {
    return this.write(`rolling back model ${name}`, name, { complete: true }, (tx) => rollbackVersion(tx, name, now, reason))
  }

  async getModel(name: string, version: number): Promise<ModelVersion | undefined> {
    return usePg(`reading model ${name} version ${version}`, this.ctx.description, () => getModel(this.db.sql, name, version))
  }

  async listModels(name?: string): Promise<ModelVersion[]> {
    return usePg(name === undefined ? 'listing models' : `listing versions of model ${name}`, this.ctx.description, () => listModels(this.db.sql, name))
  }

  async getProductionVersions(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map()
    return usePg('reading production model versions', this.ctx.description, () => productionVersions(this.db.sql, names))
  }

  async getModelHistory(name: string, version?: number): Promise<ModelStageChange[]> {
    return usePg(`reading the stage history of model ${name}`, this.ctx.description, () => modelHistory(this.db.sql, name, version))
  }

  /** Artifact locations of registered models (kept by `strata gc`). */
  async listArtifacts(): Promise<string[]> {
    return usePg('listing model artifacts', this.ctx.description, () => modelArtifacts(this.db.sql))
  }
}
