/**
 * One poll of storage for the UI: the newest runs (compared by a signature,
 * so an idle poll costs two small queries), new events of runs other
 * processes are driving (read with `afterId`), backfill progress, and now and
 * then the runs and backfills of processes that died. Reports which assets'
 * state changed, so status is recomputed only for them.
 */
import { hostname } from 'node:os'
import type { Workspace } from '../../engine/index.js'
import type { BackfillTracker } from './backfill-tracker.js'
import { assetOfStep, type RunTracker } from './run-tracker.js'

const RUNS_LISTED = 50
const ORPHAN_CHECK_MS = 5000
/** Events read for a finished run opened in the runs pane. */
const HISTORY_EVENTS = 50_000

export interface PollResult {
  /** Assets whose state changed (steps started, failed or materialized). */
  changedKeys: Set<string>
  runsChanged: boolean
  backfillsChanged: boolean
}

/** Same test as the engine's: a run of a process on this host that is gone is orphaned. */
export function isOwnerAlive(pid: number, host: string): boolean {
  if (host !== hostname() || pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class StoragePoller {
  private runsSignature = ''
  /** Runs of other processes whose events are being read. */
  private readonly followed = new Set<string>()
  private first = true
  private lastOrphanCheck = Date.now()

  constructor(
    private readonly ws: Workspace,
    private readonly tracker: RunTracker,
    private readonly backfills: BackfillTracker,
  ) {}

  async poll(now = Date.now()): Promise<PollResult> {
    const { storage } = this.ws
    const changedKeys = new Set<string>()
    if (now - this.lastOrphanCheck > ORPHAN_CHECK_MS) {
      this.lastOrphanCheck = now
      await storage.failOrphanedRuns(isOwnerAlive, now)
      await storage.interruptOrphanedBackfills(isOwnerAlive, now)
    }
    const runs = await storage.listRuns({ limit: RUNS_LISTED })
    const signature = runs.map((r) => `${r.runId}:${r.status}:${r.stepKeys.length}`).join('|')
    let runsChanged = false
    if (signature !== this.runsSignature) {
      this.runsSignature = signature
      runsChanged = true
      for (const r of runs) {
        if (this.tracker.upsertRecord(r) && !this.first && r.status !== 'RUNNING' && !this.tracker.isOwn(r.runId)) {
          // Finished (or ran entirely) since the last poll: what its steps touched changed.
          for (const id of r.stepKeys) changedKeys.add(assetOfStep(id))
        }
      }
      this.tracker.retain(new Set(runs.map((r) => r.runId)))
    }
    this.first = false
    // New events of runs other processes are driving, and the last ones of runs that just ended.
    for (const r of runs) {
      if (this.tracker.isOwn(r.runId) || !(r.status === 'RUNNING' || this.followed.has(r.runId))) continue
      const events = await storage.getEvents(r.runId, { afterId: this.tracker.lastEventId(r.runId) })
      if (r.status === 'RUNNING') this.followed.add(r.runId)
      else this.followed.delete(r.runId)
      if (events.length === 0 && this.tracker.lastEventId(r.runId) > 0) continue
      for (const key of this.tracker.ingestEvents(r.runId, events)) changedKeys.add(key)
      runsChanged = true
    }
    const backfillsChanged = await this.backfills.poll(storage, now)
    return { changedKeys, runsChanged, backfillsChanged }
  }

  /** Reads the events of a finished run (shown when it is selected in the runs pane). */
  async loadHistory(runId: string): Promise<void> {
    this.tracker.markLoading(runId, true)
    try {
      this.tracker.ingestEvents(runId, await this.ws.storage.getEvents(runId, { limit: HISTORY_EVENTS }))
    } finally {
      this.tracker.markLoading(runId, false)
    }
  }
}
