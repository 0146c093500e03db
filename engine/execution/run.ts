import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Definitions } from '../../assets/types.js'
import type { Executor } from '../executors/types.js'
import type { LatestMaterialization, Storage } from '../storage/types.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import { upstreamLinks } from '../partitions/mapping.js'
import { directReasonsOf, nodeLabel } from '../versioning/status-index.js'
import { codeVersionRecords } from '../versioning/versions.js'
import { EventWriter } from './event-writer.js'
import { checkRows, recordSuccess } from './record-success.js'
import { resolveInputs, type ResolvedInputs } from './inputs.js'
import { windowOf } from './partition-window.js'
import type { ExecutionPlan, PlannedStep } from './plan.js'
import { retryDelayMs } from './retry.js'
import { serializeError, type CheckResultData, type SerializedError, type StepLogLine, type StepOutcome, type StepTask } from './step-types.js'

export type StepStatus = 'SUCCESS' | 'FAILURE' | 'SKIPPED'
export type SkipReason = 'UPSTREAM_FAILED' | 'UP_TO_DATE' | 'CANCELED'

export interface StepResult {
  id: string
  key: string
  partitionKeys: string[]
  status: StepStatus
  attempts: number
  durationMs: number
  dataVersion?: string
  materializationId?: number
  error?: SerializedError
  skipReason?: SkipReason
  /** For UPSTREAM_FAILED: the failed step that blocked this one. */
  blockedBy?: string
  /** Results of the asset's checks on this step's value (last attempt). */
  checks?: Array<{ name: string; passed: boolean; blocking: boolean; message?: string }>
  /** Model versions registered or promoted through ctx.registry. */
  models?: Array<{ name: string; version: number; stage: string; kind: 'register' | 'promote' }>
}

/** Errors a retry cannot fix: the same value would fail the same checks. */
const NOT_RETRIED = new Set(['STRATA_CHECK_FAILED', 'STRATA_INVALID_CONTRACT', 'STRATA_GATE_FAILED', 'STRATA_UNKNOWN_MODEL', 'STRATA_UNSUPPORTED_VALUE', 'STRATA_INVALID_METADATA'])

const checkSummary = (checks: readonly CheckResultData[]) =>
  checks.map((c) => ({ name: c.name, passed: c.passed, blocking: c.blocking, ...(c.message !== undefined ? { message: c.message } : {}) }))

export type RunStatus = 'SUCCESS' | 'FAILURE' | 'CANCELED'

export interface RunResult {
  runId: string
  status: RunStatus
  steps: StepResult[]
  durationMs: number
}

export type RunEvent =
  | { type: 'run-start'; runId: string; total: number }
  | { type: 'step-start'; step: PlannedStep; attempt: number }
  | { type: 'step-log'; step: PlannedStep; line: StepLogLine }
  | { type: 'step-retry'; step: PlannedStep; attempt: number; delayMs: number; error: SerializedError }
  | { type: 'step-end'; step: PlannedStep; result: StepResult }
  | { type: 'run-end'; result: RunResult }

export interface RunOptions {
  defs: Definitions
  defsPath: string
  defsVersion?: string
  storage: Storage
  home: string
  executor: Executor
  plan: ExecutionPlan
  /** Text recorded as the run's selection. */
  selection: string
  /** Skip steps that are already up to date when their turn comes (early cut-off). */
  skipUpToDate?: boolean
  /** `nodeLabel`s never skipped as up to date: their inputs are unchanged but their last attempt failed. */
  rebuild?: ReadonlySet<string>
  onEvent?: (event: RunEvent) => void
  signal?: AbortSignal
  runId?: string
  backfillId?: string
  /** `now` and dynamic partition keys, for partition mappings. */
  keysOptions?: KeysOptions
}

const slot = (key: string, partition: string) => `${key}\u0000${partition}`

/**
 * Runs a plan: each step starts as soon as its upstream steps are done and a
 * slot is free (executor concurrency and named pool limits), not level by
 * level. Failures retry per policy, then skip everything downstream, while
 * independent branches go on.
 */
export async function executeRun(opts: RunOptions): Promise<RunResult> {
  const { defs, storage, executor, plan } = opts
  const runId = opts.runId ?? randomUUID()
  const started = Date.now()
  const events = new EventWriter(storage)
  const emit = (e: RunEvent) => opts.onEvent?.(e)

  const involved = new Set<string>()
  for (const step of plan.steps.values()) {
    involved.add(step.assetKey)
    for (const up of defs.byKey.get(step.assetKey)!.upstreamKeys) involved.add(up)
  }
  const latest = new Map<string, LatestMaterialization>()
  for (const m of await storage.getLatestMany([...involved])) latest.set(slot(m.assetKey, m.partitionKey), m)
  const latestOf = (key: string, partition: string) => latest.get(slot(key, partition))
  const keysOptions = opts.keysOptions ?? {}

  await storage.createRun({
    runId,
    selection: opts.selection,
    stepKeys: [...plan.steps.keys()],
    defsPath: opts.defsPath,
    pid: process.pid,
    host: hostname(),
    startedAt: started,
    backfillId: opts.backfillId,
  })
  // So that a later status can say what changed in a version these steps record (versioning/version-diff.ts).
  await storage.recordCodeVersions(codeVersionRecords(defs, [...plan.steps.values()].map((s) => s.assetKey)))
  events.write({ runId, ts: started, type: 'RUN_START', message: `Run of ${plan.steps.size} step(s): ${opts.selection}` })
  emit({ type: 'run-start', runId, total: plan.steps.size })

  const results = new Map<string, StepResult>()
  const waitingOn = new Map<string, number>()
  const ready: Array<{ step: PlannedStep; attempt: number }> = []
  for (const step of plan.steps.values()) {
    waitingOn.set(step.id, step.upstream.length)
    if (step.upstream.length === 0) ready.push({ step, attempt: 1 })
  }
  let running = 0
  let retriesWaiting = 0
  const poolRunning = new Map<string, number>()

  const finishStep = (step: PlannedStep, result: StepResult) => {
    results.set(step.id, result)
    emit({ type: 'step-end', step, result })
    if (result.status === 'SUCCESS' || result.skipReason === 'UP_TO_DATE') {
      for (const downId of step.downstream) {
        const left = waitingOn.get(downId)! - 1
        waitingOn.set(downId, left)
        if (left === 0 && !results.has(downId)) ready.push({ step: plan.steps.get(downId)!, attempt: 1 })
      }
    } else {
      const reason: SkipReason = result.status === 'FAILURE' ? 'UPSTREAM_FAILED' : (result.skipReason ?? 'UPSTREAM_FAILED')
      const blockedBy = result.status === 'FAILURE' ? step.id : (result.blockedBy ?? step.id)
      for (const downId of step.downstream) {
        if (results.has(downId)) continue
        const down = plan.steps.get(downId)!
        events.write({
          runId,
          ts: Date.now(),
          type: 'STEP_SKIPPED',
          assetKey: down.assetKey,
          partitionKey: down.partitionKeys.join(','),
          message: reason === 'CANCELED' ? 'Run canceled' : `Skipped: upstream ${blockedBy} failed`,
        })
        finishStep(down, { id: down.id, key: down.assetKey, partitionKeys: down.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: reason, blockedBy })
      }
    }
  }

  const fail = async (step: PlannedStep, attempt: number, error: SerializedError, durationMs: number, checks?: readonly CheckResultData[]) => {
    events.write(
      { runId, ts: Date.now(), type: 'STEP_FAILURE', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: 'error', message: error.message, data: { error, attempt } },
      partitionRows(step).map((r) => ({ ...r, state: 'FAILED' as const })),
    )
    finishStep(step, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'FAILURE', attempts: attempt, durationMs, error, ...(checks?.length ? { checks: checkSummary(checks) } : {}) })
  }

  const runOne = async (step: PlannedStep, attempt: number) => {
    const asset = defs.byKey.get(step.assetKey)!
    const stepStart = Date.now()
    if (attempt === 1 && opts.skipUpToDate && !asset.observe) {
      const links = upstreamLinks(defs, asset)
      const upToDate = (step.partitionKeys.length ? step.partitionKeys : ['']).every(
        (p) => !opts.rebuild?.has(nodeLabel(step.assetKey, p)) && directReasonsOf(asset, p, links, latestOf(step.assetKey, p), latestOf, keysOptions).direct.length === 0,
      )
      if (upToDate) {
        const current = latestOf(step.assetKey, step.partitionKeys[0] ?? '')
        events.write({ runId, ts: stepStart, type: 'STEP_UP_TO_DATE', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), message: 'Up to date: inputs and code unchanged (early cut-off)' })
        finishStep(step, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: 'UP_TO_DATE', dataVersion: current?.dataVersion })
        return
      }
    }
    let resolved: ResolvedInputs
    try {
      resolved = resolveInputs(defs, asset, step.partitionKeys, latestOf, keysOptions)
    } catch (err) {
      // Missing inputs are not transient: retrying cannot help.
      await fail(step, attempt, serializeError(err), 0)
      return
    }
    events.write(
      { runId, ts: stepStart, type: 'STEP_START', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), message: attempt > 1 ? `Attempt ${attempt}` : undefined, data: { attempt } },
      partitionRows(step).map((r) => ({ ...r, state: 'IN_PROGRESS' as const })),
    )
    emit({ type: 'step-start', step, attempt })
    const window = windowOf(asset, step.partitionKeys)
    const task: StepTask = {
      runId,
      assetKey: step.assetKey,
      partitionKeys: step.partitionKeys,
      attempt,
      defsPath: opts.defsPath,
      defsVersion: opts.defsVersion,
      home: opts.home,
      inputs: resolved.inputs,
      partitionWindow: window,
    }
    const outcome: StepOutcome = await executor.runStep(task, (line) => {
      events.write({ runId, ts: line.ts, type: 'LOG', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: line.level, message: line.message })
      emit({ type: 'step-log', step, line })
    })
    const durationMs = Date.now() - stepStart
    if (outcome.ok) {
      const recorded = await recordSuccess({ storage, events, runId, step, attempt, stepStart, durationMs, outcome, consumed: resolved.consumed })
      if ('error' in recorded) {
        await fail(step, attempt, recorded.error, durationMs, outcome.checks)
        return
      }
      for (const m of recorded.records) latest.set(slot(m.assetKey, m.partitionKey), m)
      finishStep(step, {
        id: step.id,
        key: step.assetKey,
        partitionKeys: step.partitionKeys,
        status: 'SUCCESS',
        attempts: attempt,
        durationMs,
        dataVersion: recorded.dataVersion,
        materializationId: recorded.materializationId,
        ...(outcome.checks?.length ? { checks: checkSummary(outcome.checks) } : {}),
        ...(recorded.models ? { models: recorded.models } : {}),
      })
      return
    }
    if (outcome.checks?.length) {
      // Recorded without a materialization: the value was not stored, the last good one stays latest.
      await events.flush()
      const ts = Date.now()
      await storage.recordCheckResults(partitionRows(step).flatMap((r) => checkRows(runId, step, r.partitionKey, outcome.checks!, ts)))
    }
    const policy = asset.retry
    if (policy && attempt <= policy.maxRetries && !opts.signal?.aborted && !NOT_RETRIED.has(outcome.error.code ?? '')) {
      const delayMs = retryDelayMs(policy, attempt)
      events.write({ runId, ts: Date.now(), type: 'STEP_RETRY', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: 'warn', message: `Attempt ${attempt} failed: ${outcome.error.message}. Retrying in ${Math.round(delayMs)} ms (${attempt}/${policy.maxRetries}).`, data: { error: outcome.error, attempt, delayMs } })
      emit({ type: 'step-retry', step, attempt, delayMs, error: outcome.error })
      retriesWaiting++
      setTimeout(() => {
        retriesWaiting--
        ready.push({ step, attempt: attempt + 1 })
        pump()
      }, delayMs)
      return
    }
    await fail(step, attempt, outcome.error, durationMs, outcome.checks)
  }

  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  let finished = false

  const pump = () => {
    if (finished) return
    if (opts.signal?.aborted) {
      for (const { step } of ready.splice(0)) {
        if (!results.has(step.id)) finishStep(step, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: 'CANCELED' })
      }
    }
    ready.sort((a, b) => a.step.order - b.step.order)
    for (let i = 0; i < ready.length && running < executor.concurrency; ) {
      const { step, attempt } = ready[i]!
      const poolName = defs.byKey.get(step.assetKey)!.pool
      const limit = poolName !== undefined ? defs.pools[poolName] : undefined
      if (limit !== undefined && (poolRunning.get(poolName!) ?? 0) >= limit) {
        i++
        continue
      }
      ready.splice(i, 1)
      running++
      if (poolName !== undefined) poolRunning.set(poolName, (poolRunning.get(poolName) ?? 0) + 1)
      runOne(step, attempt)
        .catch(async (err) => {
          // An engine error (e.g. storage) while handling a step fails that step, not the whole process.
          if (!results.has(step.id)) await fail(step, attempt, serializeError(err), 0).catch(() => {})
        })
        .finally(() => {
          running--
          if (poolName !== undefined) poolRunning.set(poolName, poolRunning.get(poolName)! - 1)
          pump()
        })
    }
    if (running === 0 && retriesWaiting === 0 && ready.length === 0) {
      finished = true
      finish()
    }
  }

  const onAbort = () => pump()
  opts.signal?.addEventListener('abort', onAbort)
  pump()
  await done
  opts.signal?.removeEventListener('abort', onAbort)

  // Steps never reached (a cycle of waits cannot happen in a DAG, but a canceled run leaves some).
  for (const step of plan.steps.values()) {
    if (!results.has(step.id)) {
      results.set(step.id, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: opts.signal?.aborted ? 'CANCELED' : 'UPSTREAM_FAILED' })
    }
  }
  const steps = [...plan.steps.values()].sort((a, b) => a.order - b.order).map((s) => results.get(s.id)!)
  const status: RunStatus = opts.signal?.aborted ? 'CANCELED' : steps.some((s) => s.status === 'FAILURE') ? 'FAILURE' : 'SUCCESS'
  const ended = Date.now()
  const failed = steps.filter((s) => s.status === 'FAILURE').length
  events.write({
    runId,
    ts: ended,
    type: status === 'SUCCESS' ? 'RUN_SUCCESS' : status === 'CANCELED' ? 'RUN_CANCELED' : 'RUN_FAILURE',
    message: status === 'SUCCESS' ? `Run finished in ${ended - started} ms` : status === 'CANCELED' ? 'Run canceled' : `${failed} step(s) failed`,
  })
  await events.flush()
  await storage.finishRun(runId, status, ended)
  const result: RunResult = { runId, status, steps, durationMs: ended - started }
  emit({ type: 'run-end', result })
  return result
}

function partitionRows(step: PlannedStep): Array<{ assetKey: string; partitionKey: string }> {
  const keys = step.partitionKeys.length ? step.partitionKeys : ['']
  return keys.map((partitionKey) => ({ assetKey: step.assetKey, partitionKey }))
}
