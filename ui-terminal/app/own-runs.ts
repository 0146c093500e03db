/**
 * Runs and backfills started from the UI: they run in this process through
 * the engine (`materialize`, `launchBackfill`) with an AbortController each,
 * and feed their live events to the run tracker.
 */
import { hostname } from 'node:os'
import type { BackfillResult, MaterializeResult, RunEvent } from '../../engine/index.js'
import { errorText, type StatusMessage } from './model.js'
import type { RunTracker } from './run-tracker.js'

export interface Job {
  label: string
  abort: AbortController
  runIds: Set<string>
  backfillId?: string
  done?: Promise<void>
}

export interface OwnRunHooks {
  tracker(): RunTracker
  /** A step finished or a run ended: these assets' status changed. */
  statusChanged(keys: Iterable<string>): void
  /** Steps started or ended, or log lines came in. */
  changed(stepsChanged: boolean): void
  message(level: StatusMessage['level'], text: string): void
}

export type JobBody = (onEvent: (e: RunEvent) => void, signal: AbortSignal, job: Job) => Promise<void>

export class OwnRuns {
  private readonly jobs = new Set<Job>()

  constructor(private readonly hooks: OwnRunHooks) {}

  get size(): number {
    return this.jobs.size
  }

  /** The job driving a run, if it is one of ours. */
  jobOfRun(runId: string): Job | undefined {
    for (const job of this.jobs) if (job.runIds.has(runId)) return job
    return undefined
  }

  start(label: string, body: JobBody): void {
    const job: Job = { label, abort: new AbortController(), runIds: new Set() }
    let runId: string | undefined
    const onEvent = (e: RunEvent) => {
      if (e.type === 'run-start') {
        runId = e.runId
        job.runIds.add(e.runId)
      }
      if (!runId) return
      const changed = this.hooks.tracker().live(runId, e, { selection: label, pid: process.pid, host: hostname(), backfillId: job.backfillId })
      if (changed && e.type === 'step-end') this.hooks.statusChanged([changed])
      if (e.type === 'run-end') this.hooks.statusChanged(e.result.steps.map((s) => s.key))
      this.hooks.changed(e.type !== 'step-log')
    }
    this.jobs.add(job)
    job.done = body(onEvent, job.abort.signal, job)
      .catch((err) => this.hooks.message('error', errorText(err)))
      .finally(() => {
        this.jobs.delete(job)
        this.hooks.changed(true)
      })
  }

  abortAll(): void {
    for (const job of this.jobs) job.abort.abort()
  }

  async waitAll(): Promise<void> {
    await Promise.all([...this.jobs].map((j) => j.done))
  }
}

const short = (id: string) => id.slice(0, 8)

/** The status line after a materialization started from the UI. */
export function runReport(r: MaterializeResult, nothingToDo: string): { level: StatusMessage['level']; text: string } {
  if (r.runId === null) return { level: 'info', text: nothingToDo }
  const ok = r.steps.filter((s) => s.status === 'SUCCESS').length
  const upToDate = r.steps.filter((s) => s.skipReason === 'UP_TO_DATE').length
  const failed = r.steps.filter((s) => s.status === 'FAILURE')
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`
  if (r.status === 'SUCCESS') return { level: 'info', text: `Run ${short(r.runId)} succeeded in ${secs}: ${ok} materialized${upToDate ? `, ${upToDate} already up to date` : ''}.` }
  if (r.status === 'CANCELED') return { level: 'warn', text: `Run ${short(r.runId)} canceled after ${secs}: ${ok} materialized.` }
  const first = failed[0]
  return { level: 'error', text: `Run ${short(r.runId)} failed: ${failed.length} step(s) failed${first ? ` (${first.id}: ${first.error?.message ?? 'error'})` : ''}. Press r for its logs.` }
}

/** The status line after a backfill started from the UI. */
export function backfillReport(r: BackfillResult): { level: StatusMessage['level']; text: string } {
  const c = r.counts
  const b = r.backfill
  const text = `Backfill ${b.backfillId} ${b.status.toLowerCase().replace('_', ' ')}: ${c.SUCCESS} done, ${c.UP_TO_DATE} up to date, ${c.FAILED} failed, ${c.SKIPPED} skipped, ${c.PENDING + c.IN_PROGRESS} remaining.`
  return { level: b.status === 'COMPLETED_SUCCESS' ? 'info' : b.status === 'CANCELED' ? 'warn' : 'error', text }
}
