/** Argument checks for misuse that SQLite would report vaguely or not at all. */
import type { DataFormat, NewMaterialization, NewRun, RunStatus } from '../types.js'
import { storageError } from './errors.js'

const FINAL_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['SUCCESS', 'FAILURE', 'CANCELED'])
const ATTEMPT_STATES: ReadonlySet<string> = new Set(['IN_PROGRESS', 'FAILED'])
const FORMATS: ReadonlySet<string> = new Set<DataFormat>(['json', 'arrow'])

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

export function checkAttemptState(assetKey: string, partitionKey: string, state: string): void {
  if (!ATTEMPT_STATES.has(state)) {
    throw storageError(
      `setPartitionStates: state of ${assetKey}${partitionKey ? `[${partitionKey}]` : ''} must be IN_PROGRESS or FAILED, got ${JSON.stringify(state)}; ` +
        'MATERIALIZED is set by recordMaterialization.',
    )
  }
  if (typeof partitionKey !== 'string') throw storageError(`setPartitionStates: partitionKey of ${assetKey} must be a string ('' when unpartitioned).`)
}

export function checkNewMaterialization(m: NewMaterialization): void {
  const what = `recordMaterialization(${String(m.assetKey)})`
  if (typeof m.assetKey !== 'string' || m.assetKey === '') throw storageError('recordMaterialization needs a non-empty string assetKey.')
  if (typeof m.partitionKey !== 'string') throw storageError(`${what}: partitionKey must be a string ('' when unpartitioned).`)
  if (!FORMATS.has(m.format)) throw storageError(`${what}: format must be "json" or "arrow", got ${JSON.stringify(m.format)}.`)
  if (!Number.isFinite(m.bytes)) throw storageError(`${what}: bytes must be a number.`)
}
