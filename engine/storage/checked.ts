/**
 * `checkedStorage(inner)`: the argument checks of validate.ts applied above
 * a backend, so every backend refuses the same input with the same
 * STRATA_STORAGE / STRATA_INVALID_MODEL error before any SQL runs, and a
 * backend only has to store what it is given. Methods without a check are
 * passed through as they are.
 */
import type { Storage } from './types.js'
import { checkModelName, checkModelVersion, checkStage } from '../registry/validate.js'
import {
  checkAttemptState,
  checkBackfillRun,
  checkBackfillStatus,
  checkDynamicPartitionKeys,
  checkFinalStatus,
  checkNewBackfill,
  checkNewCheckResult,
  checkNewMaterialization,
  checkNewModel,
  checkNewRun,
  checkPruneKeep,
  checkRequestStatus,
  checkSlotClaims,
  checkTargetStatus,
  checkTickCommit,
  targetName,
} from './validate.js'

type Method = { [K in keyof Storage]: Storage[K] extends (...args: never[]) => unknown ? K : never }[keyof Storage]
type Args<K extends Method> = Parameters<Storage[K]>

/** Throws on bad arguments; may return the arguments to pass on instead (normalized copies). */
type Checks = { [K in Method]?: (...args: Args<K>) => Args<K> | void }

const checks: Checks = {
  createRun: (run) => checkNewRun(run),
  finishRun: (runId, status) => checkFinalStatus(runId, status),
  appendEvents: (_events, states) => {
    for (const s of states?.rows ?? []) checkAttemptState(s.assetKey, s.partitionKey, s.state, 'appendEvents', s.basis)
  },
  setPartitionStates: (states) => {
    for (const s of states) checkAttemptState(s.assetKey, s.partitionKey, s.state, 'setPartitionStates', s.basis)
  },
  claimSlots: (_runId, slots) => {
    for (const s of slots) checkAttemptState(s.assetKey, s.partitionKey, 'IN_PROGRESS', 'claimSlots', s.basis)
  },
  claimSlotsMany: (claims) => checkSlotClaims(claims),
  recordMaterialization: (m, _consumed, opts) => {
    checkNewMaterialization(m)
    for (const r of opts?.checkResults ?? []) checkNewCheckResult(r)
  },
  recordMaterializations: (batch) => {
    for (const r of batch) {
      checkNewMaterialization(r.materialization)
      for (const c of r.checkResults ?? []) checkNewCheckResult(c)
    }
  },
  recordCheckResults: (results) => {
    for (const r of results) checkNewCheckResult(r)
  },
  createBackfill: (backfill, targets) => checkNewBackfill(backfill, targets),
  setBackfillStatus: (backfillId, status, _now, owner) => checkBackfillStatus(backfillId, status, owner),
  addBackfillRun: (backfillId, runId) => checkBackfillRun(backfillId, runId),
  updateBackfillTargets: (backfillId, updates) => {
    for (const u of updates) checkTargetStatus(`updateBackfillTargets(${backfillId}) for ${targetName(String(u.assetKey), String(u.partitionKey))}`, u.status)
  },
  getBackfillTargets: (backfillId, opts) => {
    for (const status of opts?.statuses ?? []) checkTargetStatus(`getBackfillTargets(${backfillId})`, status)
  },
  addDynamicPartitions: (name, keys) => checkDynamicPartitionKeys('addDynamicPartitions', name, keys, true),
  deleteDynamicPartitions: (name, keys) => checkDynamicPartitionKeys('deleteDynamicPartitions', name, keys, false),
  registerModel: (m) => [checkNewModel(m)],
  registerModelOnce: (m) => [checkNewModel(m)],
  setModelStage: (name, version, stage) => {
    checkModelName(name)
    checkModelVersion(name, version)
    checkStage(stage)
  },
  rollbackModel: (name) => {
    checkModelName(name)
  },
  commitAutomationTick: (commit) => checkTickCommit(commit),
  pruneAutomationTicks: (keep) => checkPruneKeep(keep),
  setAutomationRequestStatus: (requestId, status) => checkRequestStatus(requestId, status),
}

const CHECKED = Symbol('strata.checkedStorage')

/** `inner` with the argument checks in front of it; a storage already checked is returned as it is. */
export function checkedStorage<S extends Storage>(inner: S): S {
  if ((inner as { [CHECKED]?: true })[CHECKED]) return inner
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === CHECKED) return true
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      let fn = wrapped.get(prop)
      if (fn === undefined) {
        const check = checks[prop as Method] as ((...args: unknown[]) => unknown[] | void) | undefined
        const method = value as (...args: unknown[]) => unknown
        // Called on the backend itself, so it keeps its own `this`; a check that throws rejects the call as the backend would.
        fn = check
          ? async (...args: unknown[]) => method.apply(target, check(...args) ?? args)
          : method.bind(target)
        wrapped.set(prop, fn)
      }
      return fn
    },
  })
}
