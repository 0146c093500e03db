/**
 * The model versions `strata serve` holds in memory: for each served model,
 * one slot per role (production, and shadow or canary when asked for), loaded
 * from the registry with the latest value of its features asset.
 *
 * `start()` loads every role once and fails with STRATA_NOT_SERVABLE when a
 * production version is missing or does not load. After that, `refresh()`
 * (the poll, SIGHUP) swaps in a version whose stage or features changed and
 * never throws: a failed load keeps the previous version serving. A replaced
 * slot is unloaded once its in-flight predictions finish.
 */
import { StrataError } from '../../assets/errors.js'
import type { ModelStage, ModelVersion } from '../../assets/registry.js'
import type { Prediction, ServedModel, ServingWarning } from '../../assets/serving.js'
import type { Definitions } from '../../assets/types.js'
import { loadValue } from '../io/object-store.js'
import type { ObjectStore } from '../io/object-stores/types.js'
import { loadModelArtifact } from '../registry/context.js'
import type { Storage } from '../storage/types.js'
import { errorMessage } from './http.js'
import type { ServingMetrics } from './metrics.js'
import { instanceWarnings, refuseUnavailable } from './warnings.js'

export type ServingRole = 'production' | 'shadow' | 'canary'

/** One loaded model version. */
export interface LoadedInfo {
  name: string
  version: number
  stage: ModelStage
  role: ServingRole
  loadedAt: string
  featuresVersion: string | null
}

export interface Slot {
  model: ModelVersion
  loaded: unknown
  features: unknown
  featuresVersion: string | null
  loadedAt: number
  inflight: number
  retired: boolean
}

export interface Served {
  name: string
  spec: ServedModel
  /** Keyed by role. */
  slots: Map<ServingRole, Slot>
  /** The latest features value loaded, by data version. */
  features?: { value: unknown; version: string }
}

export interface ModelSet {
  readonly served: ReadonlyMap<string, Served>
  /** True once `start()` has loaded every production version. */
  readonly started: boolean
  start(): Promise<void>
  refresh(): Promise<void>
  /**
   * Runs the model's `warnings` then `predict` on a slot, counted in flight,
   * and checks both outputs. Each prediction carries its warnings' messages.
   * With `strict`, an instance whose features are unavailable refuses the
   * request (422 `features_unavailable`) before anything is predicted.
   */
  score(s: Served, slot: Slot, instances: unknown[], strict?: boolean): Promise<Scored>
  loaded(): LoadedInfo[]
  /** Resolves when a refresh in progress has finished. */
  settled(): Promise<void>
  /** Unloads every slot (after its in-flight predictions). */
  retireAll(): void
}

/** Predictions (each with `warnings`: the messages) and the warnings themselves, for counting by kind. */
export interface Scored {
  predictions: Prediction[]
  warnings: ServingWarning[][]
}

export interface ModelSetOptions {
  defs: Definitions
  /** Where artifacts and features are loaded from: an open object store or its spec. */
  objects: ObjectStore | string
  storage: Storage
  /** Which stage's version fills each role. */
  roles: Array<[ServingRole, ModelStage]>
  metrics: ServingMetrics
  log: (line: string) => void
}

export function createModelSet({ defs, objects, storage, roles, metrics, log }: ModelSetOptions): ModelSet {
  const served = new Map<string, Served>(Object.entries(defs.serving ?? {}).map(([name, spec]) => [name, { name, spec, slots: new Map() }]))
  let started = false

  const unload = async (s: Served, slot: Slot) => {
    try {
      await s.spec.unload?.(slot.loaded)
    } catch (err) {
      log(`${s.name} v${slot.model.version}: unload failed: ${errorMessage(err)}`)
    }
  }
  const retire = (s: Served, slot: Slot) => {
    slot.retired = true
    if (slot.inflight === 0) void unload(s, slot)
  }

  async function refreshModel(s: Served): Promise<void> {
    const versions = await storage.listModels(s.name)
    let features: { value: unknown; version: string } | undefined
    let featuresVersion: string | null = null
    if (s.spec.featuresKey) {
      const latest = await storage.getLatest(s.spec.featuresKey)
      if (!latest) throw new StrataError('STRATA_NOT_SERVABLE', `${s.name}: its features asset "${s.spec.featuresKey}" was never materialized. Run strata materialize ${s.spec.featuresKey}.`)
      featuresVersion = latest.dataVersion
      if (s.features?.version !== featuresVersion) s.features = { value: await loadValue(objects, latest.location, latest.format), version: latest.dataVersion }
      features = s.features
    }
    for (const [role, stage] of roles) {
      const target = versions.find((v) => v.stage === stage)
      const current = s.slots.get(role)
      if (!target) {
        if (role === 'production' && !started) {
          throw new StrataError('STRATA_NOT_SERVABLE', `Model "${s.name}" has no production version${versions.length ? ` (versions: ${versions.map((v) => `v${v.version} ${v.stage}`).join(', ')})` : ' (nothing registered)'}. Promote one: strata models promote ${s.name} VERSION production.`)
        }
        if (current) {
          s.slots.delete(role)
          retire(s, current)
          metrics.loaded.set({ model: s.name, version: current.model.version, role }, 0)
          log(`${s.name}: no ${stage} version any more; ${role} v${current.model.version} unloaded`)
        }
        continue
      }
      if (current && current.model.version === target.version && current.featuresVersion === featuresVersion) {
        current.model = target
        continue
      }
      try {
        const artifact = await loadModelArtifact(objects, target)
        const feats = features?.value
        const loaded = await s.spec.load(artifact, { model: target, features: feats, featuresVersion: featuresVersion ?? undefined })
        const slot: Slot = { model: target, loaded, features: feats, featuresVersion, loadedAt: Date.now(), inflight: 0, retired: false }
        s.slots.set(role, slot)
        if (current) {
          retire(s, current)
          metrics.loaded.set({ model: s.name, version: current.model.version, role }, 0)
        }
        metrics.loaded.set({ model: s.name, version: target.version, role }, 1)
        if (started) metrics.reloads.inc({ model: s.name })
        log(`${s.name}: ${role} → v${target.version} (${target.stage})${current ? ` (was v${current.model.version})` : ''}${featuresVersion ? `, features ${featuresVersion.slice(0, 12)}` : ''}`)
      } catch (err) {
        if (!started && role === 'production') {
          if (err instanceof StrataError) throw err
          throw new StrataError('STRATA_NOT_SERVABLE', `${s.name} v${target.version}: loading it failed: ${errorMessage(err)}`)
        }
        log(`${s.name}: loading v${target.version} for ${role} failed, keeping ${current ? `v${current.model.version}` : 'nothing'}: ${errorMessage(err)}`)
      }
    }
  }

  let refreshing: Promise<void> = Promise.resolve()
  const refresh = (): Promise<void> => {
    // Chained after the previous refresh whatever its outcome, so one failure cannot stop later polls.
    refreshing = refreshing
      .catch(() => {})
      .then(async () => {
        for (const s of served.values()) {
          try {
            await refreshModel(s)
          } catch (err) {
            if (!started) throw err
            log(`${s.name}: refresh failed: ${errorMessage(err)}`)
          }
        }
      })
    return refreshing
  }

  async function score(s: Served, slot: Slot, instances: unknown[], strict = false): Promise<Scored> {
    slot.inflight++
    try {
      const ctx = { model: slot.model, features: slot.features }
      const warnings = await instanceWarnings(s.spec, slot.loaded, instances, ctx)
      if (strict) refuseUnavailable(warnings)
      const out = await s.spec.predict(slot.loaded, instances, ctx)
      if (!Array.isArray(out) || out.length !== instances.length) {
        throw new Error(`predict returned ${Array.isArray(out) ? `${out.length} predictions` : typeof out} for ${instances.length} instances`)
      }
      for (let i = 0; i < out.length; i++) {
        const p = out[i]
        if (typeof p !== 'object' || p === null || typeof p.probability !== 'number' || !Number.isFinite(p.probability)) throw new Error(`predict returned ${JSON.stringify(p)} for instance ${i}; expected { probability, label }`)
        // The response's warnings must be the ones counted in /metrics: they come from the warnings hook only.
        if ('warnings' in p) throw new Error(`predict returned a "warnings" field for instance ${i}; return warnings from servedModel({ warnings }) instead, so they are counted`)
      }
      return { predictions: out.map((p, i) => ({ ...p, warnings: warnings[i]!.map((w) => w.message) })), warnings }
    } finally {
      slot.inflight--
      if (slot.retired && slot.inflight === 0) void unload(s, slot)
    }
  }

  return {
    served,
    get started() {
      return started
    },
    start: async () => {
      await refresh()
      started = true
    },
    refresh,
    score,
    loaded: () => {
      const out: LoadedInfo[] = []
      for (const s of served.values()) {
        for (const [role, slot] of s.slots) {
          out.push({ name: s.name, version: slot.model.version, stage: slot.model.stage, role, loadedAt: new Date(slot.loadedAt).toISOString(), featuresVersion: slot.featuresVersion })
        }
      }
      return out
    },
    settled: () => refreshing.catch(() => {}),
    retireAll: () => {
      for (const s of served.values()) for (const slot of s.slots.values()) retire(s, slot)
    },
  }
}
