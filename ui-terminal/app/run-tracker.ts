/**
 * Follows runs: builds per-step status, counts and log lines from the stored
 * event log (runs of any process, read incrementally with `afterId`) or, for
 * runs started by this process, straight from `materialize`'s `onEvent`.
 */
import type { EventRecord, RunEvent, RunRecord } from '../../engine/index.js'
import type { LogLine, RunDetail, RunView, StepStatus, StepView } from './model.js'

/** Log lines kept per step (the newest); older ones stay readable with `strata logs`. */
export const MAX_LOG_LINES = 2000

/** The frames of an error's stack (its first lines repeat the message, which the log line already has). */
export function stackFrames(stack: string | undefined): string | undefined {
  if (!stack) return undefined
  const lines = stack.split('\n')
  const first = lines.findIndex((l) => /^\s+at /.test(l))
  return first < 0 ? undefined : lines.slice(first).join('\n')
}

const TERMINAL: ReadonlySet<StepStatus> = new Set(['SUCCESS', 'FAILURE', 'SKIPPED', 'UP_TO_DATE', 'CANCELED'])

interface Tracked {
  record: RunRecord
  own: boolean
  /** Events read from storage (or live from onEvent) so far. */
  loaded: boolean
  loading: boolean
  lastEventId: number
  steps: Map<string, StepView>
  order: string[]
  logs: Map<string, LogLine[]>
  /** Lines dropped per step, beyond MAX_LOG_LINES. */
  dropped: Map<string, number>
  runLog: LogLine[]
  total: number
  ok: number
  failed: number
  skipped: number
  upToDate: number
  view?: RunView
  detail?: RunDetail
}

/** Step id as the planner writes it: `key`, `key[p]` or `key[first...last]`. */
export function stepIdOf(assetKey: string, partitionKey: string | undefined): string {
  if (!partitionKey) return assetKey
  const parts = partitionKey.split(',')
  return parts.length === 1 ? `${assetKey}[${parts[0]}]` : `${assetKey}[${parts[0]}...${parts[parts.length - 1]}]`
}

/** The asset key of a step id. */
export const assetOfStep = (stepId: string) => stepId.replace(/\[.*\]$/s, '')

export class RunTracker {
  private readonly runs = new Map<string, Tracked>()

  has(runId: string): boolean {
    return this.runs.has(runId)
  }

  isOwn(runId: string): boolean {
    return this.runs.get(runId)?.own === true
  }

  /** Whether the stored events of this run still need reading (runs of other processes). */
  needsEvents(runId: string): boolean {
    const t = this.runs.get(runId)
    return !!t && !t.own && !t.loading && (t.record.status === 'RUNNING' || !t.loaded)
  }

  lastEventId(runId: string): number {
    return this.runs.get(runId)?.lastEventId ?? 0
  }

  /** Adds or updates a run from storage. Returns true when its status changed. */
  upsertRecord(record: RunRecord): boolean {
    const t = this.runs.get(record.runId)
    if (!t) {
      const fresh = this.create(record, false)
      fresh.loaded = false
      return true
    }
    const changed = t.record.status !== record.status || t.record.endedAt !== record.endedAt || t.record.stepKeys.length !== record.stepKeys.length
    // A live run's status comes from onEvent first; the stored record adds what the live events lack.
    t.record = t.own ? { ...record, status: t.record.status === 'RUNNING' ? record.status : t.record.status, endedAt: t.record.endedAt ?? record.endedAt } : record
    if (record.stepKeys.length && t.order.length < record.stepKeys.length) this.setOrder(t, record.stepKeys)
    if (changed) this.touch(t)
    return changed
  }

  /** Forgets runs that are neither listed nor own and live. */
  retain(runIds: ReadonlySet<string>): void {
    for (const [id, t] of this.runs) {
      if (!runIds.has(id) && !(t.own && t.record.status === 'RUNNING')) this.runs.delete(id)
    }
  }

  markLoading(runId: string, loading: boolean): void {
    const t = this.runs.get(runId)
    if (t) t.loading = loading
  }

  /** Applies stored events (in id order). Returns the asset keys whose state they changed. */
  ingestEvents(runId: string, events: readonly EventRecord[]): Set<string> {
    const changed = new Set<string>()
    const t = this.runs.get(runId)
    if (!t) return changed
    t.loaded = true
    if (t.own) return changed
    for (const e of events) {
      if (e.id <= t.lastEventId) continue
      t.lastEventId = e.id
      const id = e.assetKey !== undefined ? stepIdOf(e.assetKey, e.partitionKey) : undefined
      const data = (e.data ?? {}) as { attempt?: number; durationMs?: number; error?: { stack?: string } }
      switch (e.type) {
        case 'STEP_START':
          this.stepUpdate(t, id!, e.assetKey!, 'RUNNING', e.ts, { attempt: data.attempt ?? 1 })
          changed.add(e.assetKey!)
          break
        case 'STEP_RETRY':
          this.stepUpdate(t, id!, e.assetKey!, 'RETRYING', e.ts, { error: e.message })
          this.log(t, id, { ts: e.ts, level: 'warn', message: e.message ?? 'Attempt failed; retrying.', kind: 'retry', stack: stackFrames(data.error?.stack) })
          break
        case 'STEP_SUCCESS':
          this.stepUpdate(t, id!, e.assetKey!, 'SUCCESS', e.ts, { durationMs: data.durationMs })
          changed.add(e.assetKey!)
          break
        case 'STEP_FAILURE':
          this.stepUpdate(t, id!, e.assetKey!, 'FAILURE', e.ts, { error: e.message })
          this.log(t, id, { ts: e.ts, level: 'error', message: `Failed: ${e.message ?? ''}`, kind: 'failure', stack: stackFrames(data.error?.stack) })
          changed.add(e.assetKey!)
          break
        case 'STEP_SKIPPED':
          this.stepUpdate(t, id!, e.assetKey!, e.message === 'Run canceled' ? 'CANCELED' : 'SKIPPED', e.ts, { error: e.message })
          break
        case 'STEP_CANCELED':
          // Stopped while it ran (after the grace period of a canceled run).
          this.stepUpdate(t, id!, e.assetKey!, 'CANCELED', e.ts, { error: e.message })
          break
        case 'STEP_UP_TO_DATE':
          this.stepUpdate(t, id!, e.assetKey!, 'UP_TO_DATE', e.ts, {})
          break
        case 'MATERIALIZATION':
          if (e.assetKey) changed.add(e.assetKey)
          break
        case 'LOG':
          this.log(t, id, { ts: e.ts, level: e.level ?? 'info', message: e.message ?? '' })
          break
        case 'RUN_START':
          this.log(t, undefined, { ts: e.ts, level: 'info', message: e.message ?? 'Run started' })
          break
        case 'RUN_SUCCESS':
        case 'RUN_FAILURE':
        case 'RUN_CANCELED':
          t.record = { ...t.record, status: e.type === 'RUN_SUCCESS' ? 'SUCCESS' : e.type === 'RUN_FAILURE' ? 'FAILURE' : 'CANCELED', endedAt: t.record.endedAt ?? e.ts }
          this.log(t, undefined, { ts: e.ts, level: e.type === 'RUN_SUCCESS' ? 'info' : 'warn', message: e.message ?? e.type })
          break
        case 'CHECK':
          break
      }
    }
    this.touch(t)
    return changed
  }

  /**
   * Applies a live event of a run this process drives (`runId` from its
   * run-start event). Returns the asset key whose state it changed, if any.
   */
  live(runId: string, e: RunEvent, info: { selection: string; pid: number; host: string; backfillId?: string }): string | undefined {
    const now = Date.now()
    if (e.type === 'run-start') {
      // A poll may have seen the stored record first: live events take over from here.
      const t = this.create(
        { runId, selection: info.selection, stepKeys: this.runs.get(runId)?.record.stepKeys ?? [], defsPath: '', pid: info.pid, host: info.host, startedAt: now, status: 'RUNNING', tags: {}, backfillId: info.backfillId },
        true,
      )
      t.total = e.total
      this.log(t, undefined, { ts: now, level: 'info', message: `Run of ${e.total} step(s): ${info.selection}` })
      this.touch(t)
      return undefined
    }
    const t = this.runs.get(runId)
    if (!t) return undefined
    let changed: string | undefined
    switch (e.type) {
      case 'step-start':
        this.stepUpdate(t, e.step.id, e.step.assetKey, 'RUNNING', now, { attempt: e.attempt })
        changed = e.step.assetKey
        break
      case 'step-log':
        this.log(t, e.step.id, { ts: e.line.ts, level: e.line.level, message: e.line.message })
        break
      case 'step-retry':
        this.stepUpdate(t, e.step.id, e.step.assetKey, 'RETRYING', now, { error: e.error.message })
        this.log(t, e.step.id, { ts: now, level: 'warn', message: `Attempt ${e.attempt} failed: ${e.error.message}. Retrying in ${Math.round(e.delayMs)} ms.`, kind: 'retry', stack: stackFrames(e.error.stack) })
        break
      case 'step-end': {
        const r = e.result
        const status: StepStatus = r.status === 'SUCCESS' ? 'SUCCESS' : r.status === 'FAILURE' ? 'FAILURE' : r.skipReason === 'UP_TO_DATE' ? 'UP_TO_DATE' : r.skipReason === 'CANCELED' ? 'CANCELED' : 'SKIPPED'
        const error = r.error?.message ?? (r.skipReason === 'UPSTREAM_FAILED' ? `skipped: upstream ${r.blockedBy} failed` : undefined)
        this.stepUpdate(t, e.step.id, e.step.assetKey, status, now, { durationMs: r.durationMs, error })
        if (status === 'FAILURE') this.log(t, e.step.id, { ts: now, level: 'error', message: `Failed: ${r.error?.message ?? ''}`, kind: 'failure', stack: stackFrames(r.error?.stack) })
        changed = e.step.assetKey
        break
      }
      case 'run-end':
        t.record = { ...t.record, status: e.result.status, endedAt: now }
        this.log(t, undefined, { ts: now, level: e.result.status === 'SUCCESS' ? 'info' : 'warn', message: `Run ${e.result.status.toLowerCase()} in ${e.result.durationMs} ms` })
        break
    }
    this.touch(t)
    return changed
  }

  /** Asset keys with a step running or waiting to retry in a running run. */
  runningAssets(): Set<string> {
    const keys = new Set<string>()
    for (const t of this.runs.values()) {
      if (t.record.status !== 'RUNNING') continue
      for (const s of t.steps.values()) if (s.status === 'RUNNING' || s.status === 'RETRYING') keys.add(s.assetKey)
    }
    return keys
  }

  /** Every tracked run, newest first. */
  views(): RunView[] {
    return [...this.runs.values()].map((t) => this.viewOf(t)).sort((a, b) => b.startedAt - a.startedAt)
  }

  view(runId: string): RunView | undefined {
    const t = this.runs.get(runId)
    return t && this.viewOf(t)
  }

  detail(runId: string): RunDetail | undefined {
    const t = this.runs.get(runId)
    if (!t) return undefined
    if (t.detail) return t.detail
    const steps = t.order.map((id) => t.steps.get(id)!)
    const { logs, dropped } = t
    t.detail = { run: this.viewOf(t), steps, logs: (id) => logs.get(id) ?? [], droppedLines: (id) => dropped.get(id) ?? 0, runLog: [...t.runLog], loading: !t.loaded }
    return t.detail
  }

  private viewOf(t: Tracked): RunView {
    if (t.view) return t.view
    const running: string[] = []
    for (const s of t.steps.values()) if (s.status === 'RUNNING' || s.status === 'RETRYING') running.push(s.id)
    const r = t.record
    t.view = {
      runId: r.runId,
      selection: r.selection,
      status: r.status,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      total: Math.max(t.total, t.order.length, r.stepKeys.length),
      done: t.ok + t.failed + t.skipped + t.upToDate,
      ok: t.ok,
      failed: t.failed,
      skipped: t.skipped,
      upToDate: t.upToDate,
      running,
      backfillId: r.backfillId,
      pid: r.pid,
      host: r.host,
      own: t.own,
    }
    return t.view
  }

  private create(record: RunRecord, own: boolean): Tracked {
    const t: Tracked = { record, own, loaded: own, loading: false, lastEventId: 0, steps: new Map(), order: [], logs: new Map(), dropped: new Map(), runLog: [], total: 0, ok: 0, failed: 0, skipped: 0, upToDate: 0 }
    this.setOrder(t, record.stepKeys)
    this.runs.set(record.runId, t)
    return t
  }

  private setOrder(t: Tracked, stepKeys: readonly string[]): void {
    const seen = new Set(stepKeys)
    const extra = t.order.filter((id) => !seen.has(id))
    for (const id of stepKeys) if (!t.steps.has(id)) t.steps.set(id, { id, assetKey: assetOfStep(id), status: 'PENDING', attempt: 0 })
    t.order = [...stepKeys, ...extra]
    this.touch(t)
  }

  private stepUpdate(t: Tracked, id: string, assetKey: string, status: StepStatus, ts: number, extra: { attempt?: number; durationMs?: number; error?: string }): void {
    let step = t.steps.get(id)
    if (!step) {
      step = { id, assetKey, status: 'PENDING', attempt: 0 }
      t.steps.set(id, step)
      t.order.push(id)
    }
    const wasTerminal = TERMINAL.has(step.status)
    const next: StepView = { ...step, status }
    if (status === 'RUNNING') {
      next.attempt = extra.attempt ?? step.attempt + 1
      next.startedAt = step.startedAt ?? ts
      next.error = undefined
    }
    if (TERMINAL.has(status)) {
      next.endedAt = ts
      next.durationMs = extra.durationMs ?? (step.startedAt !== undefined ? ts - step.startedAt : undefined)
    }
    if (extra.error !== undefined) next.error = extra.error
    t.steps.set(id, next)
    if (!wasTerminal && TERMINAL.has(status)) {
      if (status === 'SUCCESS') t.ok++
      else if (status === 'FAILURE') t.failed++
      else if (status === 'UP_TO_DATE') t.upToDate++
      else t.skipped++
    }
  }

  private log(t: Tracked, stepId: string | undefined, line: LogLine): void {
    const list = stepId === undefined ? t.runLog : (t.logs.get(stepId) ?? (t.logs.set(stepId, []), t.logs.get(stepId)!))
    list.push(line)
    if (list.length > MAX_LOG_LINES) {
      const over = list.length - MAX_LOG_LINES
      list.splice(0, over)
      if (stepId !== undefined) t.dropped.set(stepId, (t.dropped.get(stepId) ?? 0) + over)
    }
  }

  private touch(t: Tracked): void {
    t.view = undefined
    t.detail = undefined
  }
}
