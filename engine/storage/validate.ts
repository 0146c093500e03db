/**
 * Argument checks for misuse a database would report vaguely or not at all.
 * Backend-neutral: `checkedStorage` (checked.ts) applies them above every
 * backend, so SQLite and PostgreSQL refuse the same input with the same error.
 */
import type { BackfillStatus, BackfillTargetStatus, DataFormat, NewBackfill, NewCheckResult, NewMaterialization, NewModelVersion, NewRun, RunStatus, SlotClaim } from './types.js'
import type { AutomationTickCommit } from './automation-types.js'
import { checkGate, checkModelName, checkNonEmpty, checkStage, jsonObject } from '../registry/validate.js'
import { storageError } from './errors.js'
import { slotId } from './slot-id.js'
import { describeKeyProblem, partitionKeyProblem } from '../../assets/partitions/key-rules.js'

const FINAL_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['SUCCESS', 'FAILURE', 'CANCELED'])
const ATTEMPT_STATES: ReadonlySet<string> = new Set(['IN_PROGRESS', 'FAILED'])
const FORMATS: ReadonlySet<string> = new Set<DataFormat>(['json', 'arrow'])
const BACKFILL_STATUSES: ReadonlySet<string> = new Set<BackfillStatus>(['REQUESTED', 'RUNNING', 'COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED'])
const TARGET_STATUSES: ReadonlySet<string> = new Set<BackfillTargetStatus>(['PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED'])

/** `asset[partition]`, or `asset` when unpartitioned, for messages. */
export function targetName(assetKey: string, partitionKey: string): string {
  return partitionKey ? `${assetKey}[${partitionKey}]` : assetKey
}

export function checkNewRun(run: NewRun): void {
  if (typeof run.runId !== 'string' || run.runId === '') throw storageError('createRun needs a non-empty string runId.')
  if (!Array.isArray(run.stepKeys)) throw storageError(`createRun(${run.runId}): stepKeys must be an array of step keys.`)
  if (!Number.isInteger(run.pid)) throw storageError(`createRun(${run.runId}): pid must be an integer process id, got ${String(run.pid)}.`)
}

export function checkFinalStatus(runId: string, status: string): void {
  if (!FINAL_STATUSES.has(status)) {
    throw storageError(`finishRun(${runId}): status must be SUCCESS, FAILURE or CANCELED, got ${JSON.stringify(status)}.`)
  }
}

export function checkAttemptState(assetKey: string, partitionKey: string, state: string, what = 'setPartitionStates', basis?: number): void {
  if (basis !== undefined && !(Number.isInteger(basis) && basis >= 0)) {
    throw storageError(`${what}: basis of ${targetName(assetKey, partitionKey)} must be a materialization id, or 0 when there was none; got ${String(basis)}.`)
  }
  if (!ATTEMPT_STATES.has(state)) {
    throw storageError(
      `${what}: state of ${assetKey}${partitionKey ? `[${partitionKey}]` : ''} must be IN_PROGRESS or FAILED, got ${JSON.stringify(state)}; ` +
        'MATERIALIZED is set by recordMaterialization.',
    )
  }
  if (typeof partitionKey !== 'string') throw storageError(`${what}: partitionKey of ${assetKey} must be a string ('' when unpartitioned).`)
}

/** Claims for claimSlotsMany: an array of `{ slots }`, each slot an IN_PROGRESS attempt with a basis. */
export function checkSlotClaims(claims: ReadonlyArray<SlotClaim>): void {
  if (!Array.isArray(claims)) throw storageError('claimSlotsMany: claims must be an array of { slots: [{ assetKey, partitionKey, basis }] }.')
  claims.forEach((c, i) => {
    if (!Array.isArray(c?.slots)) throw storageError(`claimSlotsMany: claim ${i} must be { slots: [{ assetKey, partitionKey, basis }] }.`)
    for (const s of c.slots) {
      // A claim's decision rests on its basis: without one, a newer materialization would go unnoticed.
      if (s.basis === undefined) throw storageError(`claimSlotsMany: ${targetName(s.assetKey, s.partitionKey)} in claim ${i} needs a basis (the latest materialization id it decided on, 0 when none).`)
      checkAttemptState(s.assetKey, s.partitionKey, 'IN_PROGRESS', 'claimSlotsMany', s.basis)
    }
  })
}

export function checkNewMaterialization(m: NewMaterialization): void {
  const what = `recordMaterialization(${String(m.assetKey)})`
  if (typeof m.assetKey !== 'string' || m.assetKey === '') throw storageError('recordMaterialization needs a non-empty string assetKey.')
  if (typeof m.partitionKey !== 'string') throw storageError(`${what}: partitionKey must be a string ('' when unpartitioned).`)
  if (!FORMATS.has(m.format)) throw storageError(`${what}: format must be "json" or "arrow", got ${JSON.stringify(m.format)}.`)
  if (!Number.isFinite(m.bytes)) throw storageError(`${what}: bytes must be a number.`)
}

/** Checks a new backfill and its targets; targets must be distinct (asset, partition) pairs. */
export function checkNewBackfill(b: NewBackfill, targets: ReadonlyArray<{ assetKey: string; partitionKey: string }>): void {
  if (typeof b.backfillId !== 'string' || b.backfillId === '') throw storageError('createBackfill needs a non-empty string backfillId.')
  const what = `createBackfill(${b.backfillId})`
  if (!Array.isArray(b.assetKeys)) throw storageError(`${what}: assetKeys must be an array of asset keys.`)
  if (b.partitionKeys !== undefined && !Array.isArray(b.partitionKeys)) throw storageError(`${what}: partitionKeys must be an array of partition keys when given.`)
  if (!Number.isInteger(b.pid)) throw storageError(`${what}: pid must be an integer process id, got ${String(b.pid)}.`)
  if (!Number.isFinite(b.createdAt)) throw storageError(`${what}: createdAt must be a time in epoch milliseconds.`)
  if (!Array.isArray(targets)) throw storageError(`${what}: targets must be an array of { assetKey, partitionKey }.`)
  const seen = new Set<string>()
  for (const t of targets) {
    if (typeof t?.assetKey !== 'string' || t.assetKey === '') throw storageError(`${what}: every target needs a non-empty string assetKey.`)
    if (typeof t.partitionKey !== 'string') throw storageError(`${what}: partitionKey of target ${t.assetKey} must be a string ('' when unpartitioned).`)
    const key = slotId(t.assetKey, t.partitionKey)
    if (seen.has(key)) throw storageError(`${what}: target ${targetName(t.assetKey, t.partitionKey)} is listed twice; targets must be distinct.`)
    seen.add(key)
  }
}

export function checkBackfillStatus(backfillId: string, status: string, owner?: { pid: number; host: string }): void {
  if (!BACKFILL_STATUSES.has(status)) {
    throw storageError(
      `setBackfillStatus(${backfillId}): status must be one of ${[...BACKFILL_STATUSES].join(', ')}, got ${JSON.stringify(status)}.`,
    )
  }
  if (owner !== undefined && (!Number.isInteger(owner.pid) || typeof owner.host !== 'string')) {
    throw storageError(`setBackfillStatus(${backfillId}): owner must be { pid: integer, host: string }.`)
  }
}

export function checkTargetStatus(what: string, status: string): void {
  if (!TARGET_STATUSES.has(status)) {
    throw storageError(`${what}: target status must be one of ${[...TARGET_STATUSES].join(', ')}, got ${JSON.stringify(status)}.`)
  }
}

/** Dynamic partition keys end up inside multi-partition keys (`a|b`) and key lists (`a,b`), so those separators are refused. */
export function checkDynamicPartitionKeys(what: string, name: string, keys: readonly string[], validateKeys: boolean): void {
  if (typeof name !== 'string' || name.trim() === '') throw storageError(`${what} needs the non-empty name of a dynamic partitions definition.`)
  if (!Array.isArray(keys)) throw storageError(`${what}(${name}): keys must be an array of strings.`)
  for (const key of keys) {
    if (typeof key !== 'string') throw storageError(`${what}(${name}): keys must be strings, got ${JSON.stringify(key)}.`)
    if (!validateKeys) continue
    if (key === '') throw storageError(`${what}(${name}): partition keys must not be empty.`)
    const problem = partitionKeyProblem(key)
    if (problem) throw storageError(`${what}(${name}): ${describeKeyProblem(key, problem)}.`, { key, char: problem.char })
  }
}

export function checkNewCheckResult(r: NewCheckResult): void {
  if (typeof r !== 'object' || r === null) throw storageError('recordCheckResults: every result must be an object.')
  const what = `check result ${String(r.checkName)} of ${String(r.assetKey)}`
  if (typeof r.assetKey !== 'string' || r.assetKey === '') throw storageError('recordCheckResults needs a non-empty string assetKey.')
  if (typeof r.partitionKey !== 'string') throw storageError(`${what}: partitionKey must be a string ('' when unpartitioned).`)
  if (typeof r.checkName !== 'string' || r.checkName === '') throw storageError(`${what}: checkName must be a non-empty string.`)
  if (typeof r.passed !== 'boolean' || typeof r.blocking !== 'boolean') throw storageError(`${what}: passed and blocking must be booleans.`)
  if (typeof r.runId !== 'string' || r.runId === '') throw storageError(`${what}: runId must be a non-empty string.`)
  if (!Number.isFinite(r.ts)) throw storageError(`${what}: ts must be a time in epoch milliseconds.`)
}

/** Validates a model to register (STRATA_INVALID_MODEL) and returns a normalized copy. */
export function checkNewModel(m: NewModelVersion): NewModelVersion {
  if (typeof m !== 'object' || m === null) throw storageError('registerModel takes a model { name, metrics, config, lineage, codeVersion, artifact, gate, createdAt }.')
  const name = checkModelName(m.name)
  if (!Number.isFinite(m.createdAt)) throw storageError(`registerModel(${name}): createdAt must be a time in epoch milliseconds.`)
  return {
    name,
    metrics: jsonObject(`Model "${name}": metrics`, m.metrics),
    config: jsonObject(`Model "${name}": config`, m.config, true),
    lineage: jsonObject(`Model "${name}": lineage`, m.lineage, true),
    codeVersion: checkNonEmpty(`Model "${name}": codeVersion`, m.codeVersion),
    artifact: checkNonEmpty(`Model "${name}": artifact`, m.artifact),
    gate: checkGate(name, m.gate),
    ...(m.description !== undefined && m.description !== null ? { description: String(m.description) } : {}),
    createdAt: m.createdAt,
    ...(m.stage !== undefined ? { stage: checkStage(m.stage) } : {}),
  }
}

export function checkBackfillRun(backfillId: string, runId: string): void {
  if (typeof runId !== 'string' || runId === '') throw storageError(`addBackfillRun(${backfillId}) needs a non-empty string runId.`)
}

/** A tick that is not recorded (one that found nothing new) cannot carry what only a recorded tick can explain. */
export function checkTickCommit(c: AutomationTickCommit): void {
  if (c.record === false && (c.requests?.length || c.evaluations?.length)) {
    throw storageError('commitAutomationTick: a tick with requests or evaluations must be recorded (record: false is for ticks that found nothing).')
  }
}

export function checkPruneKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) throw storageError(`pruneAutomationTicks: keep must be a whole number ≥ 1 (got ${keep}).`)
}

export function checkRequestStatus(requestId: number, status: string): void {
  if (status !== 'LAUNCHED' && status !== 'DONE') throw storageError(`setAutomationRequestStatus(${requestId}): status must be LAUNCHED or DONE (got ${String(status)}).`)
}
