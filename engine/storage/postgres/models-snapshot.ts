/**
 * The registry's stage rules (engine/registry/stage-rules.ts) are
 * synchronous; PostgreSQL answers asynchronously. So, inside the write
 * transaction and under the model's advisory lock, everything the rules may
 * read about that one model is loaded first (its versions, its history, the
 * first model names for messages, the materializations its lineages name),
 * the rules run on that snapshot, and the writes they made are then applied
 * in the order they were made. The lock keeps every other writer of the
 * model out until COMMIT, so the snapshot stays what the database holds.
 */
import { storageError } from '../errors.js'
import type { RegistryTx } from '../../registry/stage-rules.js'
import type { ArtifactMaterialization } from '../../registry/identity.js'
import type { ModelStage, ModelStageChange, ModelVersion, NewModelVersion } from '../types.js'
import type { Sql } from './db.js'
import { insertHistory, insertModel, listModels, modelHistory, modelNames, updateModelStage } from './models-table.js'

/** Enough names for the longest message (engine/registry/stage-rules.ts shows 10, then "…"). */
const NAMES_LOADED = 11

type Write =
  | { op: 'insert'; model: ModelVersion }
  | { op: 'stage'; name: string; version: number; to: ModelStage; at: number }
  | { op: 'history'; change: Omit<ModelStageChange, 'id'> }

/** Serializes writers of one model (in this schema) until the transaction ends. */
export async function lockModel(tx: Sql, schema: string, name: string): Promise<void> {
  await tx.exec('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`strata-model\u0001${schema}\u0001${name}`])
}

export class ModelSnapshot implements RegistryTx {
  private readonly writes: Write[] = []
  private nextHistoryId: number

  private constructor(
    readonly description: string,
    private readonly name: string,
    /** Newest first. */
    private versions: ModelVersion[],
    private readonly changes: ModelStageChange[],
    private readonly firstNames: string[],
    private readonly materializations: Map<number, ArtifactMaterialization>,
  ) {
    this.nextHistoryId = Math.max(0, ...changes.map((c) => c.id)) + 1
  }

  /** Loads model `name`; `candidate` is a version about to be registered (its lineage's materialization is loaded too). Call under lockModel. */
  static async load(tx: Sql, description: string, name: string, candidate?: NewModelVersion): Promise<ModelSnapshot> {
    const versions = await listModels(tx, name)
    const history = await modelHistory(tx, name)
    const names = await modelNames(tx, NAMES_LOADED)
    const ids = [...versions, ...(candidate ? [candidate] : [])].flatMap((v) => (typeof v.lineage.materializationId === 'number' ? [v.lineage.materializationId] : []))
    const materializations = new Map<number, ArtifactMaterialization>()
    if (ids.length) {
      const rows = await tx.rows<{ id: number; location: string; data_version: string }>('SELECT id, location, data_version FROM materializations WHERE id = ANY($1::bigint[])', [
        [...new Set(ids)],
      ])
      for (const r of rows) materializations.set(r.id, { location: r.location, dataVersion: r.data_version })
    }
    return new ModelSnapshot(description, name, versions, history, names, materializations)
  }

  /** Applies the writes the rules made, in their order (archiving the old production version before promoting the new one). */
  async flush(tx: Sql): Promise<void> {
    for (const w of this.writes) {
      if (w.op === 'insert') await insertModel(tx, w.model)
      else if (w.op === 'stage') await updateModelStage(tx, w.name, w.version, w.to, w.at)
      else await insertHistory(tx, w.change)
    }
  }

  private own(name: string): void {
    // The rules only touch the model they were called for; anything else was not loaded.
    if (name !== this.name) throw storageError(`The registry snapshot of model "${this.name}" was asked about model "${name}".`)
  }

  get(name: string, version: number): ModelVersion | undefined {
    this.own(name)
    return this.versions.find((v) => v.version === version)
  }

  list(name: string): ModelVersion[] {
    this.own(name)
    return [...this.versions]
  }

  production(name: string): ModelVersion | undefined {
    this.own(name)
    return this.versions.find((v) => v.stage === 'production')
  }

  history(name: string): ModelStageChange[] {
    this.own(name)
    return [...this.changes]
  }

  names(limit: number): string[] {
    return this.firstNames.slice(0, limit)
  }

  materialization(id: number): ArtifactMaterialization | undefined {
    return this.materializations.get(id)
  }

  insert(m: NewModelVersion): ModelVersion {
    this.own(m.name)
    const version = Math.max(0, ...this.versions.map((v) => v.version)) + 1
    const model: ModelVersion = {
      name: m.name,
      version,
      stage: 'development',
      metrics: m.metrics,
      config: m.config,
      lineage: m.lineage,
      codeVersion: m.codeVersion,
      artifact: m.artifact,
      gate: m.gate,
      createdAt: m.createdAt,
      stageChangedAt: m.createdAt,
    }
    if (m.description !== undefined) model.description = m.description
    this.versions = [model, ...this.versions]
    this.writes.push({ op: 'insert', model })
    this.record({ name: m.name, version, from: null, to: 'development', kind: 'register', at: m.createdAt })
    return model
  }

  setStage(m: ModelVersion, to: ModelStage, kind: ModelStageChange['kind'], reason: string | undefined, now: number): ModelVersion {
    this.own(m.name)
    const moved: ModelVersion = { ...m, stage: to, stageChangedAt: now }
    this.versions = this.versions.map((v) => (v.version === m.version ? moved : v))
    this.writes.push({ op: 'stage', name: m.name, version: m.version, to, at: now })
    this.record({ name: m.name, version: m.version, from: m.stage, to, kind, at: now, ...(reason !== undefined ? { reason } : {}) })
    return moved
  }

  private record(change: Omit<ModelStageChange, 'id'>): void {
    this.changes.push({ id: this.nextHistoryId++, ...change })
    this.writes.push({ op: 'history', change })
  }
}
