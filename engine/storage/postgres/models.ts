/**
 * The model registry on PostgreSQL. Placeholder: every method throws
 * STRATA_UNSUPPORTED until the registry tables (migration 002) exist.
 */
import type {
  MaterializationRecord,
  ModelRegistrationResult,
  ModelRollbackResult,
  ModelStage,
  ModelStageChange,
  ModelStageResult,
  ModelVersion,
  NewModelVersion,
} from '../types.js'
import type { PgDb } from './db.js'
import { notYetOnPostgres } from './unsupported.js'

/** What the registry needs from the rest of the storage. */
export interface ModelStoreContext {
  description: string
  /** A materialization by id (a version's lineage names the one its artifact came from). */
  getMaterialization(id: number): Promise<MaterializationRecord | undefined>
}

export class PgModelStore {
  constructor(
    private readonly db: PgDb,
    private readonly ctx: ModelStoreContext,
  ) {}

  private unsupported(operation: string): never {
    void this.db
    throw notYetOnPostgres(operation, this.ctx.description)
  }

  async registerModel(_m: NewModelVersion): Promise<ModelVersion> {
    return this.unsupported('The model registry')
  }
  async registerModelOnce(_m: NewModelVersion): Promise<ModelRegistrationResult> {
    return this.unsupported('The model registry')
  }
  async getModel(_name: string, _version: number): Promise<ModelVersion | undefined> {
    return this.unsupported('The model registry')
  }
  async listModels(_name?: string): Promise<ModelVersion[]> {
    return this.unsupported('The model registry')
  }
  async getProductionVersions(_names: readonly string[]): Promise<Map<string, number>> {
    return this.unsupported('The model registry')
  }
  async setModelStage(_name: string, _version: number, _stage: ModelStage, _now: number, _reason?: string): Promise<ModelStageResult> {
    return this.unsupported('The model registry')
  }
  async rollbackModel(_name: string, _now: number, _reason?: string): Promise<ModelRollbackResult> {
    return this.unsupported('The model registry')
  }
  async getModelHistory(_name: string, _version?: number): Promise<ModelStageChange[]> {
    return this.unsupported('The model registry')
  }
  /** Artifact locations of registered models (kept by `strata gc`); none can be registered without the registry tables. */
  async listArtifacts(): Promise<string[]> {
    return []
  }
}
