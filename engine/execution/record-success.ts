import { applyModelRequests, describeApplied, validatePromotions } from '../registry/apply.js'
import { PRODUCTION_MODELS_KEY } from '../versioning/production-models.js'
import type { LatestMaterialization, LineageEdge, MaterializationToRecord, NewCheckResult, NewEvent, NewMaterialization, Storage } from '../storage/types.js'
import type { EventWriter } from './event-writer.js'
import type { GroupCommit } from './group-commit.js'
import type { PlannedStep } from './plan.js'
import type { StepResult } from './run.js'
import { serializeError, type CheckResultData, type SerializedError, type StepOutcome } from './step-types.js'

/** One stored result per check and target partition. */
export function checkRows(runId: string, step: PlannedStep, partitionKey: string, checks: readonly CheckResultData[], ts: number): NewCheckResult[] {
  return checks.map((c) => ({
    assetKey: step.assetKey,
    partitionKey,
    checkName: c.name,
    passed: c.passed,
    blocking: c.blocking,
    ...(c.message !== undefined ? { message: c.message } : {}),
    metadata: c.metadata,
    runId,
    ts,
  }))
}

/** What a successful step stores for one of its target partitions. */
function materializationOf(ctx: SuccessContext, partitionKey: string, dataVersion: string): NewMaterialization {
  const { outcome, productionModels } = ctx
  return {
    assetKey: ctx.step.assetKey,
    partitionKey,
    runId: ctx.runId,
    codeVersion: outcome.codeVersion,
    dataVersion,
    location: outcome.location,
    format: outcome.format,
    bytes: outcome.bytes,
    metadata: productionModels ? { ...outcome.metadata, [PRODUCTION_MODELS_KEY]: productionModels } : outcome.metadata,
    startedAt: ctx.stepStart,
    endedAt: Date.now(),
  }
}

export interface SuccessContext {
  storage: Storage
  events: EventWriter
  runId: string
  step: PlannedStep
  attempt: number
  stepStart: number
  durationMs: number
  outcome: Extract<StepOutcome, { ok: true }>
  consumed: LineageEdge[]
  /** The production versions of the models the asset reads, as the step was prepared (recorded in the metadata). */
  productionModels?: Record<string, number | null>
  /** Shares the commit with other steps' (see group-commit.ts); steps that register models are recorded on their own. */
  commits?: GroupCommit
}

export type SuccessRecord =
  | { records: LatestMaterialization[]; dataVersion: string; materializationId: number; models?: StepResult['models'] }
  | { error: SerializedError }

/**
 * Records a successful step: a materialization per target partition (each
 * with its lineage, check results and events in one transaction, becoming
 * latest only now), then the model registrations the compute asked for. A
 * promotion that cannot be applied fails the step before anything is recorded.
 */
export async function recordSuccess(ctx: SuccessContext): Promise<SuccessRecord> {
  const { storage, events, runId, step, attempt, durationMs, outcome, consumed } = ctx
  const modelRequests = outcome.models ?? []
  if (modelRequests.length) {
    try {
      await validatePromotions(storage, modelRequests)
    } catch (err) {
      return { error: serializeError(err) }
    }
  }
  const partitionKey = step.partitionKeys.join(',')
  const successEvent = (dv: string): NewEvent => ({ runId, ts: Date.now(), type: 'STEP_SUCCESS', assetKey: step.assetKey, partitionKey, data: { dataVersion: dv, durationMs, attempt } })
  const targets = step.partitionKeys.length ? step.partitionKeys : ['']
  const last = targets[targets.length - 1]
  const checkedAt = Date.now()
  if (ctx.commits && modelRequests.length === 0) {
    const dataVersion = outcome.dataVersion
    const entries = targets.map((target): MaterializationToRecord => ({
      materialization: materializationOf(ctx, target, dataVersion),
      consumed,
      ...(target === last ? { followingEvents: [successEvent(dataVersion)] } : {}),
      ...(outcome.checks?.length ? { checkResults: checkRows(runId, step, target, outcome.checks, checkedAt) } : {}),
    }))
    const stored = await ctx.commits.record(entries)
    const records = stored.map((r) => ({ ...r, consumed }))
    return { records, dataVersion, materializationId: records[records.length - 1]!.id }
  }
  // The step's start and log events go in with its first materialization.
  let preceding = await events.take()
  const records: LatestMaterialization[] = []
  let dataVersion = outcome.dataVersion
  for (const target of targets) {
    const m = materializationOf(ctx, target, dataVersion)
    const record = await storage
      .recordMaterialization(m, consumed, {
        ...(preceding.length ? { precedingEvents: preceding } : {}),
        // With model requests the success event follows their registration.
        ...(target === last && modelRequests.length === 0 ? { followingEvents: [successEvent(dataVersion)] } : {}),
        ...(outcome.checks?.length ? { checkResults: checkRows(runId, step, target, outcome.checks, checkedAt) } : {}),
      })
      .catch((err: unknown) => {
        // Not stored: the step's events are written with its failure instead.
        events.giveBack(preceding)
        throw err
      })
    preceding = []
    records.push({ ...record, consumed })
    dataVersion = record.dataVersion
  }
  const materializationId = records[records.length - 1]!.id
  if (modelRequests.length === 0) return { records, dataVersion, materializationId }

  const { applied, warnings } = await applyModelRequests(storage, modelRequests, {
    assetKey: step.assetKey,
    partitionKeys: step.partitionKeys,
    runId,
    materializationId,
    codeVersion: outcome.codeVersion,
    location: outcome.location,
    consumed,
  })
  const at = Date.now()
  for (const w of warnings) events.write({ runId, ts: at, type: 'LOG', assetKey: step.assetKey, partitionKey, level: 'warn', message: w })
  for (const m of applied) {
    // An identical retrain changed nothing in the registry: a log line, not a registry event.
    const type = m.kind === 'existing' ? 'LOG' : 'MODEL_REGISTERED'
    events.write({ runId, ts: at, type, assetKey: step.assetKey, partitionKey, level: 'info', message: describeApplied(m), data: { ...m, materializationId } })
  }
  events.write(successEvent(dataVersion))
  await events.flush()
  return { records, dataVersion, materializationId, models: applied }
}
