/**
 * The registry's stage rules (engine/registry/stage-rules.ts) are
 * synchronous; PostgreSQL answers asynchronously. So, inside the write
 * transaction and under the model's advisory lock, what the rules will read
 * about that one model is loaded first, the rules run on that snapshot, and
 * the writes they made are then applied in the order they were made. The
 * lock keeps every other writer of the model out until COMMIT, so the
 * snapshot stays what the database holds.
 *
 * A registration or a stage change usually reads only a few rows (the
 * version, the production one, the highest number), so that is what a
 * `partial` snapshot holds: a model with thousands of versions costs the
 * same. When the rules ask for more (an error message listing versions, a
 * rollback's history), the snapshot throws `NotLoaded`; the caller loads the
 * `complete` snapshot and runs the rules again from the start, which is safe
 * because nothing is written before they finish.
 */
import { storageError } from '../errors.js'
import type { RegistryTx } from '../../registry/stage-rules.js'
import type { ArtifactMaterialization } from '../../registry/identity.js'
import type { ModelStage, ModelStageChange, ModelVersion, NewModelVersion } from '../types.js'
import type { Sql } from './db.js'
import { insertHistory, insertModel, listModels, modelHistory, modelNames, someModels, updateModelStage } from './models-table.js'

/** Enough names for the longest message (engine/registry/stage-rules.ts shows 10, then "…"). */
const NAMES_LOADED = 11

/** Thrown by a partial snapshot asked for what it did not load. */
export class NotLoaded extends Error {}

/** What to load: everything about the model, or the given version, the production one and the highest number. */
export type SnapshotScope = { complete: true; candidate?: NewModelVersion } | { complete: false; version?: number }

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
    /** Newest first: every version when complete, else the loaded ones. */
    private versions: ModelVersion[],
    /** Highest version number stored. */
    private maxVersion: number,
    /** Versions whose absence from `versions` means they do not exist (all, when complete). */
    private readonly known: (version: number) => boolean,
    private readonly complete: boolean,
    private readonly changes: ModelStageChange[],
    private readonly firstNames: string[],
    private readonly materializations: Map<number, ArtifactMaterialization>,
  ) {
    this.nextHistoryId = Math.max(0, ...changes.map((c) => c.id)) + 1
  }

  /** Loads what `scope` says of model `name`. Call under lockModel. */
  static async load(tx: Sql, description: string, name: string, scope: SnapshotScope): Promise<ModelSnapshot> {
    if (!scope.complete) {
      const { versions, maxVersion } = await someModels(tx, name, scope.version)
      const asked = scope.version
      return new ModelSnapshot(description, name, versions, maxVersion, (v) => v === asked, false, [], [], new Map())
    }
    const versions = await listModels(tx, name)
    const history = await modelHistory(tx, name)
    const names = await modelNames(tx, NAMES_LOADED)
    const ids = [...versions, ...(scope.candidate ? [scope.candidate] : [])].flatMap((v) => (typeof v.lineage.materializationId === 'number' ? [v.lineage.materializationId] : []))
    const materializations = new Map<number, ArtifactMaterialization>()
    if (ids.length) {
      const rows = await tx.rows<{ id: number; location: string; data_version: string }>('SELECT id, location, data_version FROM materializations WHERE id = ANY($1::bigint[])', [
        [...new Set(ids)],
      ])
      for (const r of rows) materializations.set(r.id, { location: r.location, dataVersion: r.data_version })
    }
    const max = Math.max(0, ...versions.map((v) => v.version))
    return new ModelSnapshot(description, name, versions, max, () => true, true, history, names, materializations)
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

  private need(): void {
    if (!this.complete) throw new NotLoaded()
  }

  get(name: string, version: number): ModelVersion | undefined {
    this.own(name)
    const found = this.versions.find((v) => v.version === version)
    if (!found && !this.known(version)) this.need()
    return found
  }

  list(name: string): ModelVersion[] {
    this.own(name)
    this.need()
    return [...this.versions]
  }

  /** Always loaded (a partial snapshot holds the production version too). */
  production(name: string): ModelVersion | undefined {
    this.own(name)
    return this.versions.find((v) => v.stage === 'production')
  }

  history(name: string): ModelStageChange[] {
    this.own(name)
    this.need()
    return [...this.changes]
  }

  names(limit: number): string[] {
    this.need()
    return this.firstNames.slice(0, limit)
  }

  materialization(id: number): ArtifactMaterialization | undefined {
    this.need()
    return this.materializations.get(id)
  }

  insert(m: NewModelVersion): ModelVersion {
    this.own(m.name)
    const version = ++this.maxVersion
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
