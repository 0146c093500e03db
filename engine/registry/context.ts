/**
 * `ctx.registry` inside a step (worker thread or in-process). Writes are
 * queued as `ModelRequest`s that return with the step's outcome; the
 * orchestrator applies them after the materialization is recorded (see
 * `applyModelRequests`). Reads open this thread's own connection to the
 * home's SQLite database on first use (WAL + busy_timeout make several
 * connections safe) and keep it for the thread's lifetime.
 */
import { StrataError } from '../../assets/errors.js'
import type { ModelRegistration, ModelRegistryContext, ModelStage, ModelVersion } from '../../assets/registry.js'
import { loadValue } from '../io/object-store.js'
import { OBJECT_LOCATION } from '../io/object-stores/location.js'
import type { ObjectStore } from '../io/object-stores/types.js'
import type { Storage } from '../storage/types.js'
import { checkGate, checkModelName, checkModelVersion, checkNonEmpty, checkStage, jsonObject } from './validate.js'

/** A registry write queued by compute. Plain data: it crosses threads. */
export type ModelRequest =
  | {
      kind: 'register'
      name: string
      metrics: Record<string, unknown>
      config: Record<string, unknown>
      gate: { passed: boolean; reasons: string[] }
      lineage: Record<string, unknown>
      artifact?: string
      codeVersion?: string
      description?: string
      stage?: Exclude<ModelStage, 'archived'>
    }
  | { kind: 'promote'; name: string; version: number; stage: ModelStage; reason?: string }

const connections = new Map<string, Promise<Storage>>()

/** `spec`: the storage URL, or the home directory of the embedded SQLite storage. */
function readStorage(spec: string): Promise<Storage> {
  let s = connections.get(spec)
  if (!s) {
    s = import('../storage/index.js').then(({ openStorageSpec }) => openStorageSpec(spec))
    connections.set(spec, s)
    s.catch(() => connections.delete(spec))
  }
  return s
}

/** Validates a registration synchronously, so a bad one throws inside compute. */
export function registrationRequest(model: ModelRegistration): Extract<ModelRequest, { kind: 'register' }> {
  if (typeof model !== 'object' || model === null) throw new StrataError('STRATA_INVALID_MODEL', 'ctx.registry.register() takes { name, metrics, gate, config?, lineage?, artifact?, stage? }.')
  const name = checkModelName(model.name)
  const stage = model.stage === undefined ? undefined : checkStage(model.stage)
  if (stage === 'archived') throw new StrataError('STRATA_INVALID_MODEL', `Model "${name}": a new version cannot be registered as archived.`)
  return {
    kind: 'register',
    name,
    metrics: jsonObject(`Model "${name}": metrics`, model.metrics),
    config: jsonObject(`Model "${name}": config`, model.config, true),
    gate: checkGate(name, model.gate),
    lineage: jsonObject(`Model "${name}": lineage`, model.lineage, true),
    ...(model.artifact !== undefined ? { artifact: checkNonEmpty(`Model "${name}": artifact`, model.artifact) } : {}),
    ...(model.codeVersion !== undefined ? { codeVersion: checkNonEmpty(`Model "${name}": codeVersion`, model.codeVersion) } : {}),
    ...(model.description !== undefined ? { description: String(model.description) } : {}),
    ...(stage !== undefined ? { stage } : {}),
  }
}

/** Loads a model's artifact when it is a stored object (`objects/xx/<hash>.<ext>`), from the object store or the spec it opens from. */
export async function loadModelArtifact(objects: ObjectStore | string, model: ModelVersion): Promise<unknown> {
  const artifact = model?.artifact
  const m = typeof artifact === 'string' ? OBJECT_LOCATION.exec(artifact) : null
  if (!m) {
    throw new StrataError('STRATA_INVALID_MODEL', `Model ${model?.name} version ${model?.version}: artifact ${JSON.stringify(artifact)} is not a stored object; load it yourself.`)
  }
  return loadValue(objects, artifact!, m[3] as 'json' | 'arrow')
}

/** Where a step's registry reads go: the storage (its URL, or the home of the embedded SQLite storage) and the object store of artifacts. */
export interface RegistryTargets {
  storage: string
  objects: ObjectStore | string
}

/** The registry handed to one step's compute; `requests` collects its queued writes. */
export function createRegistryContext({ storage, objects }: RegistryTargets, requests: ModelRequest[]): ModelRegistryContext {
  return Object.freeze({
    register(model: ModelRegistration): void {
      requests.push(registrationRequest(model))
    },
    promote(name: string, version: number, stage: ModelStage, reason?: string): void {
      checkModelName(name)
      checkModelVersion(name, version)
      checkStage(stage)
      requests.push({ kind: 'promote', name, version, stage, ...(reason !== undefined ? { reason: String(reason) } : {}) })
    },
    async get(name: string, version: number) {
      return (await readStorage(storage)).getModel(name, version)
    },
    async production(name: string) {
      return (await (await readStorage(storage)).listModels(name)).find((m) => m.stage === 'production')
    },
    async list(name?: string) {
      return (await readStorage(storage)).listModels(name)
    },
    loadArtifact(model: ModelVersion) {
      return loadModelArtifact(objects, model)
    },
  })
}
