import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { SlotHolder } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import { codeVersionRecords } from '../versioning/versions.js'
import { EventWriter } from './event-writer.js'
import { LEASE_OWNER, newLease, startHeartbeat } from '../leases.js'
import { DAMAGED_INPUT_CODES, recordDamagedInputs } from './damaged-inputs.js'
import { objectStoreFor } from '../io/object-stores/open.js'
import { GroupCommit } from './group-commit.js'
import { checkRows, recordSuccess } from './record-success.js'
import { windowOf } from './partition-window.js'
import type { PlannedStep } from './plan.js'
import type { Basis, PrepareContext, Prepared } from './prepare-step.js'
import { prepareSteps } from './prepare-steps.js'
import { batchSize, StepTimes } from './batching.js'
import { ReadyQueue } from './ready-queue.js'
import { retryDelayMs } from './retry.js'
import { servingLogsDir } from '../serving/log-reader.js'
import { DEFAULT_GRACE_MS, RunStopper } from './stop.js'
import { formatLimit } from '../executors/timeout.js'
import { serializeError, type CheckResultData, type SerializedError, type StepLogLine, type StepOutcome, type StepTask } from './step-types.js'

import type { RunEvent, RunOptions, RunResult, RunStatus, SkipReason, StepResult } from './run-types.js'

export type { RunEvent, RunOptions, RunResult, RunStatus, SkipReason, StepResult, StepStatus } from './run-types.js'

/** A step prepared, announced and handed to the executor. */
interface Started {
  step: PlannedStep
  attempt: number
  prepared: Extract<Prepared, { kind: 'ready' }>
  task: StepTask
  stepStart: number
  onLog: (line: StepLogLine) => void
}

/** Errors a retry cannot fix: the same value would fail the same checks. */
const NOT_RETRIED = new Set(['STRATA_CHECK_FAILED', 'STRATA_INVALID_CONTRACT', 'STRATA_GATE_FAILED', 'STRATA_UNKNOWN_MODEL', 'STRATA_UNSUPPORTED_VALUE', 'STRATA_INVALID_METADATA'])

const checkSummary = (checks: readonly CheckResultData[]) =>
  checks.map((c) => ({ name: c.name, passed: c.passed, blocking: c.blocking, ...(c.message !== undefined ? { message: c.message } : {}) }))

/**
 * Runs a plan: each step starts as soon as its upstream steps are done and a
 * slot is free (executor concurrency and named pool limits), not level by
 * level. Each step decides on storage as it is when its turn comes (see
 * prepareStep), so concurrent runs on one home build on each other's work.
 * Failures retry per policy, then skip everything downstream, while
 * independent branches go on.
 */
export async function executeRun(opts: RunOptions): Promise<RunResult> {
  const { defs, storage, executor, plan } = opts
  const runId = opts.runId ?? randomUUID()
  const started = Date.now()
  const events = new EventWriter(storage)
  const commits = new GroupCommit(storage, events)
  const emit = (e: RunEvent) => opts.onEvent?.(e)
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
    tags: opts.tags,
    lease: newLease(started, opts.lease),
  })
  // Renewed while the run is going, so that a process on another host can tell when this one stopped.
  const heartbeat = startHeartbeat((expiresAt) => storage.renewRunLease(runId, LEASE_OWNER, expiresAt), opts.lease)
  // So that a later status can say what changed in a version these steps record (versioning/version-diff.ts).
  await storage.recordCodeVersions(codeVersionRecords(defs, [...plan.steps.values()].map((s) => s.assetKey)))
  events.write({ runId, ts: started, type: 'RUN_START', message: `Run of ${plan.steps.size} step(s): ${opts.selection}` })
  emit({ type: 'run-start', runId, total: plan.steps.size })

  const results = new Map<string, StepResult>()
  const waitingOn = new Map<string, number>()
  const ready = new ReadyQueue<{ step: PlannedStep; attempt: number }>()
  const makeReady = (step: PlannedStep, attempt: number) => ready.push({ item: { step, attempt }, order: step.order, pool: defs.byKey.get(step.assetKey)!.pool })
  for (const step of plan.steps.values()) {
    waitingOn.set(step.id, step.upstream.length)
    if (step.upstream.length === 0) makeReady(step, 1)
  }
  /** Steps holding an executor slot (preparing or computing). */
  let running = 0
  /** Steps started and not finished: computing, or waiting for their record's commit. */
  let inFlight = 0
  const retries = new Map<string, { timer: NodeJS.Timeout; step: PlannedStep; attempt: number }>()
  const poolRunning = new Map<string, number>()
  /** What each step decided on, so its failure is written compare-and-set. */
  const basisOf = new Map<string, Basis>()
  const stepTimes = new StepTimes()
  /** Hand-offs to the executor, and how many of them carried several steps. */
  let handOffs = 0
  let batches = 0
  const limitText = opts.runTimeoutMs !== undefined ? formatLimit(opts.runTimeoutMs) : ''
  const onTimeout = () =>
    events.write({ runId, ts: Date.now(), type: 'LOG', level: 'warn', message: `The run passed its time limit of ${limitText}: canceling it (nothing new starts; running steps get the grace period).`, data: { runTimeoutMs: opts.runTimeoutMs } })
  const stopper = new RunStopper({ signal: opts.signal, stop: opts.stop, graceMs: opts.graceMs, canStopSteps: executor.canStopSteps, timeoutMs: opts.runTimeoutMs, onTimeout }, () => pump())
  const graceText = `${Math.round((opts.graceMs ?? DEFAULT_GRACE_MS) / 100) / 10} s`
  const why = () => (stopper.timedOut ? `the run passed its time limit of ${limitText}; ` : '')
  const stopMessage = () =>
    !executor.canStopSteps
      ? `Canceled while still running on the main thread: ${why()}the run stopped waiting for it and its result is discarded.`
      : stopper.stopReason === 'grace'
        ? `Canceled: ${why()}still running after the ${graceText} grace period, so its worker thread was terminated.`
        : 'Canceled: its worker thread was terminated when the run was stopped.'

  const finishStep = (step: PlannedStep, result: StepResult) => {
    results.set(step.id, result)
    // Only a failure still to be written needs what the step decided on: a long backfill must not keep one per step.
    basisOf.delete(step.id)
    emit({ type: 'step-end', step, result })
    if (result.status === 'SUCCESS' || result.skipReason === 'UP_TO_DATE') {
      for (const downId of step.downstream) {
        const left = waitingOn.get(downId)! - 1
        waitingOn.set(downId, left)
        if (left === 0 && !results.has(downId)) makeReady(plan.steps.get(downId)!, 1)
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
          message: reason === 'CANCELED' ? (stopper.timedOut ? `Run canceled: past its time limit of ${limitText}` : 'Run canceled') : `Skipped: upstream ${blockedBy} failed`,
        })
        finishStep(down, { id: down.id, key: down.assetKey, partitionKeys: down.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: reason, blockedBy })
      }
    }
  }

  const canceled = (step: PlannedStep): StepResult => ({ id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: 'CANCELED' })

  /** A step the run stopped while it ran: CANCELED, its slots released at the end of the run (never FAILED, never replacing a good materialization). */
  const cancelRunning = (step: PlannedStep, attempt: number, error: SerializedError, durationMs: number) => {
    events.write({ runId, ts: Date.now(), type: 'STEP_CANCELED', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: 'warn', message: error.message, data: { attempt, durationMs } })
    finishStep(step, { ...canceled(step), attempts: attempt, durationMs, error })
  }

  const fail = async (step: PlannedStep, attempt: number, error: SerializedError, durationMs: number, checks?: readonly CheckResultData[]) => {
    const basis = basisOf.get(step.id) ?? []
    events.write(
      { runId, ts: Date.now(), type: 'STEP_FAILURE', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: 'error', message: error.message, data: { error, attempt } },
      basis.map((b) => ({ assetKey: b.assetKey, partitionKey: b.partitionKey, state: 'FAILED' as const, basis: b.basis })),
    )
    finishStep(step, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'FAILURE', attempts: attempt, durationMs, error, ...(checks?.length ? { checks: checkSummary(checks) } : {}) })
  }

  const onWait = (h: SlotHolder, step: PlannedStep) => {
    const line: StepLogLine = { ts: Date.now(), level: 'info', message: `Waiting for run ${h.runId} (pid ${h.pid} on ${h.host}), which is materializing ${nodeLabel(h.assetKey, h.partitionKey)}` }
    events.write({ runId, ts: line.ts, type: 'LOG', assetKey: step.assetKey, partitionKey: step.partitionKeys.join(','), level: line.level, message: line.message })
    emit({ type: 'step-log', step, line })
  }
  const prepareContext: PrepareContext = {
    defs,
    storage,
    runId,
    runStarted: started,
    keysOptions,
    skipUpToDate: opts.skipUpToDate === true,
    rebuild: opts.rebuild,
    signal: stopper.cancelSignal,
    onWait,
  }

  /**
   * Announces the start of a prepared step. Returns what its compute needs,
   * or undefined when it needs none (up to date, canceled, failed to resolve
   * its inputs): then it is finished here.
   */
  const begin = async (step: PlannedStep, attempt: number, prepared: Prepared): Promise<Started | undefined> => {
    const asset = defs.byKey.get(step.assetKey)!
    const partitionKey = step.partitionKeys.join(',')
    if (prepared.kind === 'canceled') {
      finishStep(step, canceled(step))
      return undefined
    }
    if (prepared.kind === 'up-to-date') {
      events.write({ runId, ts: Date.now(), type: 'STEP_UP_TO_DATE', assetKey: step.assetKey, partitionKey, message: prepared.message })
      finishStep(step, { id: step.id, key: step.assetKey, partitionKeys: step.partitionKeys, status: 'SKIPPED', attempts: 0, durationMs: 0, skipReason: 'UP_TO_DATE', dataVersion: prepared.dataVersion })
      return undefined
    }
    basisOf.set(step.id, prepared.basis)
    if (prepared.kind === 'failed') {
      // Missing inputs are not transient: retrying cannot help.
      await fail(step, attempt, prepared.error, 0)
      return undefined
    }
    if (stopper.canceled) {
      // Canceled while claiming: the claim is released with the run's other slots.
      finishStep(step, canceled(step))
      return undefined
    }
    const stepStart = Date.now()
    events.write({ runId, ts: stepStart, type: 'STEP_START', assetKey: step.assetKey, partitionKey, message: attempt > 1 ? `Attempt ${attempt}` : undefined, data: { attempt } })
    emit({ type: 'step-start', step, attempt })
    const task: StepTask = {
      runId,
      assetKey: step.assetKey,
      partitionKeys: step.partitionKeys,
      attempt,
      defsPath: opts.defsPath,
      defsVersion: opts.defsVersion,
      objects: opts.objects ?? opts.home,
      storage: opts.storageUrl ?? opts.home,
      servingLogs: servingLogsDir(opts.home),
      inputs: prepared.resolved.inputs,
      partitionWindow: windowOf(asset, step.partitionKeys),
      ...(asset.timeoutMs !== undefined ? { timeoutMs: asset.timeoutMs } : {}),
      codeVersion: asset.codeVersion,
      ...(asset.pool !== undefined && defs.pools[asset.pool] !== undefined ? { pool: { name: asset.pool, limit: defs.pools[asset.pool]! } } : {}),
    }
    const onLog = (line: StepLogLine) => {
      if (results.has(step.id)) return // a step the run stopped waiting for
      events.write({ runId, ts: line.ts, type: 'LOG', assetKey: step.assetKey, partitionKey, level: line.level, message: line.message })
      emit({ type: 'step-log', step, line })
    }
    return { step, attempt, prepared, task, stepStart, onLog }
  }

  /**
   * Records a started step's outcome; `release` frees its share of the
   * executor slot as soon as its compute is over. A step that shared its
   * hand-off (`batched`) reports its own time on the worker, not the wait
   * behind the steps before it in the batch.
   */
  const complete = async (started: Started, running: Promise<StepOutcome>, release: () => void, batched: boolean) => {
    const { step, attempt, prepared, task, stepStart } = started
    const asset = defs.byKey.get(step.assetKey)!
    const partitionKey = step.partitionKeys.join(',')
    const outcome: StepOutcome = await stopper.race(running, stepStart, stopMessage)
    const durationMs = batched ? Math.round(outcome.durationMs) : Date.now() - stepStart
    stepTimes.observe(outcome.durationMs)
    if (outcome.ok) {
      const recording = recordSuccess({ storage, events, runId, step, attempt, stepStart, durationMs, outcome, consumed: prepared.resolved.consumed, productionModels: prepared.productionModels, commits })
      // Queued for its commit (synchronously, above): the slot can take the next step while it waits.
      release()
      const recorded = await recording
      if ('error' in recorded) {
        await fail(step, attempt, recorded.error, durationMs, outcome.checks)
        return
      }
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
    release()
    if (outcome.error.code === 'STRATA_CANCELED' && stopper.stopSignal.aborted) {
      cancelRunning(step, attempt, outcome.error, durationMs)
      return
    }
    if (outcome.checks?.length) {
      // Recorded without a materialization: the value was not stored, the last good one stays latest.
      await events.flush()
      const ts = Date.now()
      await storage.recordCheckResults(prepared.basis.flatMap((r) => checkRows(runId, step, r.partitionKey, outcome.checks!, ts)))
    }
    const damagedInput = DAMAGED_INPUT_CODES.has(outcome.error.code ?? '')
    if (damagedInput) {
      // So that the damaged inputs' assets show STALE and --stale rebuilds them; a retry would read the same bytes.
      await recordDamagedInputs(storage, await objectStoreFor(task.objects), prepared.resolved.consumed, Date.now()).catch((err) =>
        events.write({ runId, ts: Date.now(), type: 'LOG', assetKey: step.assetKey, partitionKey, level: 'warn', message: `Could not record which input is damaged: ${(err as Error).message}` }),
      )
    }
    const policy = asset.retry
    if (policy && attempt <= policy.maxRetries && !stopper.canceled && !damagedInput && !NOT_RETRIED.has(outcome.error.code ?? '')) {
      const delayMs = retryDelayMs(policy, attempt)
      events.write({ runId, ts: Date.now(), type: 'STEP_RETRY', assetKey: step.assetKey, partitionKey, level: 'warn', message: `Attempt ${attempt} failed: ${outcome.error.message.replace(/\.$/, '')}. Retrying in ${Math.round(delayMs)} ms (${attempt}/${policy.maxRetries}).`, data: { error: outcome.error, attempt, delayMs } })
      emit({ type: 'step-retry', step, attempt, delayMs, error: outcome.error })
      const timer = setTimeout(() => {
        retries.delete(step.id)
        makeReady(step, attempt + 1)
        pump()
      }, delayMs)
      retries.set(step.id, { timer, step, attempt })
      return
    }
    await fail(step, attempt, outcome.error, durationMs, outcome.checks)
  }

  /** An engine error (e.g. storage) while handling a step fails that step, not the whole process. */
  const failOnError = (step: PlannedStep, attempt: number) => async (err: unknown) => {
    if (!results.has(step.id)) await fail(step, attempt, serializeError(err), 0).catch(() => {})
  }

  /**
   * Runs steps that share one executor slot: one step, or a batch of short
   * independent ones handed over together (see batching.ts). `release` frees
   * the slot once every compute of the group is over.
   */
  const runGroup = async (items: ReadonlyArray<{ step: PlannedStep; attempt: number }>, release: () => void) => {
    // Decided and claimed together: one read and one write transaction for the whole group.
    let prepared: Prepared[]
    try {
      prepared = await prepareSteps(prepareContext, items)
    } catch (err) {
      await Promise.all(items.map(({ step, attempt }) => failOnError(step, attempt)(err)))
      return
    }
    const started: Started[] = []
    for (const [i, { step, attempt }] of items.entries()) {
      const s = await begin(step, attempt, prepared[i]!).catch(failOnError(step, attempt))
      if (s) started.push(s)
    }
    if (started.length === 0) return
    const batch = started.length > 1 && executor.runBatch !== undefined
    handOffs += batch ? 1 : started.length
    if (batch) batches++
    const outcomes = batch
      ? executor.runBatch!(started.map((s) => ({ task: s.task, onLog: s.onLog })), stopper.stopSignal)
      : started.map((s) => executor.runStep(s.task, s.onLog, stopper.stopSignal))
    let computing = started.length
    await Promise.all(
      started.map((s, i) => {
        let released = false
        const releaseOne = () => {
          if (released) return
          released = true
          if (--computing === 0) release()
        }
        return complete(s, outcomes[i]!, releaseOne, batch)
          .catch(failOnError(s.step, s.attempt))
          .finally(releaseOne)
      }),
    )
  }

  /** Whether a step may share a hand-off with others: no time limit to enforce per step, no named pool to count it in. */
  const batchable = (step: PlannedStep) => {
    const asset = defs.byKey.get(step.assetKey)!
    return asset.timeoutMs === undefined && asset.pool === undefined
  }

  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  let finished = false

  function pump(): void {
    if (finished) return
    if (stopper.canceled) {
      for (const { item: { step } } of ready.drain()) if (!results.has(step.id)) finishStep(step, canceled(step))
      for (const { timer, step, attempt } of retries.values()) {
        clearTimeout(timer)
        if (!results.has(step.id)) finishStep(step, { ...canceled(step), attempts: attempt })
      }
      retries.clear()
    }
    const hasRoom = (pool: string) => {
      const limit = defs.pools[pool]
      return limit === undefined || (poolRunning.get(pool) ?? 0) < limit
    }
    while (running < executor.concurrency) {
      const next = ready.take(hasRoom)
      if (!next) break
      const items = [next.item]
      if (next.pool === undefined && batchable(next.item.step)) {
        // The step just taken counts as ready, its slot as free.
        const size = executor.runBatch ? batchSize(stepTimes.mean, ready.size + 1, executor.concurrency - running) : 1
        while (items.length < size) {
          const more = ready.takeUnpooled((r) => batchable(r.item.step))
          if (!more) break
          items.push(more.item)
        }
      }
      const poolName = next.pool
      running++
      inFlight++
      if (poolName !== undefined) poolRunning.set(poolName, (poolRunning.get(poolName) ?? 0) + 1)
      let released = false
      const release = () => {
        if (released) return
        released = true
        running--
        if (poolName !== undefined) poolRunning.set(poolName, poolRunning.get(poolName)! - 1)
        pump()
      }
      runGroup(items, release).finally(() => {
        inFlight--
        release()
        pump()
      })
    }
    // Waiting for more records to share the commit must never leave the executor idle, nor the queue empty when slots free up.
    if (commits.pending > 0 && (running < executor.concurrency || ready.size === 0)) void commits.flush()
    if (inFlight === 0 && retries.size === 0 && ready.size === 0) {
      finished = true
      finish()
    }
  }

  pump()
  await done
  stopper.dispose()

  // Steps never reached (a cycle of waits cannot happen in a DAG, but a canceled run leaves some).
  for (const step of plan.steps.values()) {
    if (!results.has(step.id)) results.set(step.id, stopper.canceled ? canceled(step) : { ...canceled(step), skipReason: 'UPSTREAM_FAILED' })
  }
  const steps = [...plan.steps.values()].sort((a, b) => a.order - b.order).map((s) => results.get(s.id)!)
  const status: RunStatus = stopper.canceled ? 'CANCELED' : steps.some((s) => s.status === 'FAILURE') ? 'FAILURE' : 'SUCCESS'
  const ended = Date.now()
  const failed = steps.filter((s) => s.status === 'FAILURE').length
  events.write({
    runId,
    ts: ended,
    type: status === 'SUCCESS' ? 'RUN_SUCCESS' : status === 'CANCELED' ? 'RUN_CANCELED' : 'RUN_FAILURE',
    message:
      status === 'SUCCESS'
        ? `Run finished in ${ended - started} ms`
        : status === 'CANCELED'
          ? stopper.timedOut
            ? `Run canceled: it ran past its time limit of ${limitText}. Raise it with --timeout SECONDS (or automation.runTimeoutMs for runs the daemon launches).`
            : 'Run canceled'
          : `${failed} step(s) failed`,
    data: { executor: executor.name, concurrency: executor.concurrency, threadsStarted: executor.threadsStarted, handOffs, batches, ...(stopper.timedOut ? { timedOut: true, runTimeoutMs: opts.runTimeoutMs } : {}) },
  })
  await events.flush()
  // Attempts that will never finish (canceled, or cut short by an engine error) neither stay IN_PROGRESS nor hide the last good materialization.
  await storage.releaseSlots(runId)
  heartbeat.stop()
  await storage.finishRun(runId, status, ended)
  const result: RunResult = { runId, status, steps, durationMs: ended - started, ...(stopper.timedOut ? { timedOut: true as const } : {}) }
  emit({ type: 'run-end', result })
  return result
}
