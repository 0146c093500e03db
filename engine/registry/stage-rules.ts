/**
 * The model registry's rules, the same for every storage backend: version
 * numbering, the gate before staging and production, archiving the
 * production version a promotion replaces, the rollback walk back through
 * earlier production versions, and identical-retrain detection.
 *
 * They run on a `RegistryTx`: the few reads and writes a backend provides
 * inside ONE write transaction that excludes other writers of the same model
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: a per-model advisory lock), so two
 * concurrent promotions or registrations cannot both decide on the same state.
 * The rules are synchronous; a backend whose queries are asynchronous loads
 * what they read first (see engine/storage/postgres/models-snapshot.ts).
 */
import { StrataError } from '../../assets/errors.js'
import type { ModelStage, ModelStageChange, ModelVersion } from '../../assets/registry.js'
import type { ModelRegistrationResult, ModelRollbackResult, ModelStageResult, NewModelVersion } from '../storage/types.js'
import { modelIdentity, type ArtifactMaterialization, type IdentitySource } from './identity.js'
import { gateFailed } from './validate.js'

/** What the rules read and write, inside one write transaction. */
export interface RegistryTx {
  /** Where the registry is stored, for messages. */
  readonly description: string
  get(name: string, version: number): ModelVersion | undefined
  /** Versions of `name`, newest first. */
  list(name: string): ModelVersion[]
  /** The version of `name` in production (at most one). */
  production(name: string): ModelVersion | undefined
  /** Stage changes of `name`, oldest first. */
  history(name: string): ModelStageChange[]
  /** Registered model names, sorted, at most `limit` of them. */
  names(limit: number): string[]
  /** The stored value a version's lineage names (`lineage.materializationId`), if it exists. */
  materialization(id: number): ArtifactMaterialization | undefined
  /** Inserts version max + 1 of `m.name` in development, with its `register` history entry. */
  insert(m: NewModelVersion): ModelVersion
  /** Sets the stage of `m` and records the change; returns `m` as it is now. */
  setStage(m: ModelVersion, to: ModelStage, kind: ModelStageChange['kind'], reason: string | undefined, now: number): ModelVersion
}

/** Registers the next version of `m.name`; with `m.stage`, also moves it there (history: register, then promote). */
export function registerVersion(tx: RegistryTx, m: NewModelVersion): ModelVersion {
  const model = tx.insert(m)
  if (m.stage === undefined || m.stage === 'development') return model
  return moveVersion(tx, model, m.stage, m.createdAt, 'at registration').model
}

/** As registerVersion, unless a version of `m.name` is identical to `m` (engine/registry/identity.ts): that one is returned, unchanged. */
export function registerVersionOnce(tx: RegistryTx, m: NewModelVersion): ModelRegistrationResult {
  const identity = identityOf(tx, m)
  const same = tx.list(m.name).find((v) => identityOf(tx, v) === identity)
  return same ? { model: same, existing: true } : { model: registerVersion(tx, m), existing: false }
}

/** Moves `name` version `version` to `stage` (see Storage.setModelStage). */
export function setVersionStage(tx: RegistryTx, name: string, version: number, stage: ModelStage, now: number, reason?: string): ModelStageResult {
  const m = tx.get(name, version)
  if (!m) throw unknownModel(tx, name, version)
  return moveVersion(tx, m, stage, now, reason)
}

/** Restores the production version before the current one and archives the current one (see Storage.rollbackModel). */
export function rollbackVersion(tx: RegistryTx, name: string, now: number, reason?: string): ModelRollbackResult {
  const current = tx.production(name)
  if (!current) {
    if (tx.list(name).length === 0) throw unknownModel(tx, name)
    throw new StrataError('STRATA_NO_ROLLBACK', `Model "${name}" has no version in production, so there is nothing to roll back. Promote one with: strata models promote ${name} VERSION production`, { name })
  }
  const stack = productionStack(tx.history(name)).filter((v) => v !== current.version)
  const previous = stack.length ? tx.get(name, stack[stack.length - 1]!) : undefined
  if (!previous) {
    throw new StrataError('STRATA_NO_ROLLBACK', `Model "${name}" has no earlier production version to roll back to; version ${current.version} is the first one in production.`, {
      name,
      version: current.version,
    })
  }
  const archived = tx.setStage(current, 'archived', 'rollback', reason ?? `rolled back to version ${previous.version}`, now)
  const restored = tx.setStage(previous, 'production', 'rollback', reason ?? `rollback from version ${current.version}`, now)
  return { restored, archived }
}

/** The gate, then archiving the production version a promotion to production replaces. */
function moveVersion(tx: RegistryTx, m: ModelVersion, stage: ModelStage, now: number, reason: string | undefined): ModelStageResult {
  if (m.stage === stage) return { model: m, changed: false }
  if ((stage === 'staging' || stage === 'production') && !m.gate.passed) throw gateFailed(m.name, m.version, stage, m.gate)
  let replaced: ModelVersion | undefined
  if (stage === 'production') {
    const current = tx.production(m.name)
    if (current) replaced = tx.setStage(current, 'archived', 'replaced', `replaced by version ${m.version}`, now)
  }
  const model = tx.setStage(m, stage, 'promote', reason, now)
  return replaced ? { model, replaced, changed: true } : { model, changed: true }
}

/** The materialization a version's lineage names tells its artifact's data version. */
function identityOf(tx: RegistryTx, m: IdentitySource): string {
  const id = m.lineage.materializationId
  return modelIdentity(m, typeof id === 'number' ? tx.materialization(id) : undefined)
}

const NAMES_SHOWN = 10

/** STRATA_UNKNOWN_MODEL naming the versions or models that do exist. */
export function unknownModel(tx: RegistryTx, name: string, version?: number): StrataError {
  const versions = tx.list(name).map((m) => m.version).reverse()
  if (versions.length === 0) {
    const names = tx.names(NAMES_SHOWN + 1)
    return new StrataError(
      'STRATA_UNKNOWN_MODEL',
      `No model named "${name}" in ${tx.description}.${names.length ? ` Registered models: ${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? ', …' : ''}.` : ' No model is registered yet.'}`,
      { name },
    )
  }
  return new StrataError('STRATA_UNKNOWN_MODEL', `Model "${name}" has no version ${version}; its versions are ${rangeText(versions)}.`, { name, version })
}

/** `1–3, 5` style list of version numbers. */
function rangeText(versions: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < versions.length; ) {
    let j = i
    while (j + 1 < versions.length && versions[j + 1] === versions[j]! + 1) j++
    parts.push(j > i ? `${versions[i]}–${versions[j]}` : String(versions[i]))
    i = j + 1
  }
  return parts.join(', ')
}

/**
 * Production versions of a model in the order a rollback walks back through
 * them, oldest first (the last is the current one), replayed from its history:
 * a promotion to production pushes the version; a version archived because it
 * was *replaced* stays (it is what a rollback restores); one that left
 * production any other way (rolled back, demoted by hand) is removed.
 */
export function productionStack(history: readonly ModelStageChange[]): number[] {
  const stack: number[] = []
  const remove = (v: number) => {
    const i = stack.lastIndexOf(v)
    if (i >= 0) stack.splice(i, 1)
  }
  for (const h of history) {
    if (h.to === 'production') {
      remove(h.version)
      stack.push(h.version)
    } else if (h.from === 'production' && h.kind !== 'replaced') {
      remove(h.version)
    }
  }
  return stack
}
