/** Follows backfills in storage: target counts of the active ones, and their rate. */
import type { BackfillRecord, BackfillTargetStatus, Storage } from '../../engine/index.js'
import type { BackfillView } from './model.js'

const LISTED = 20
const ACTIVE = new Set(['REQUESTED', 'RUNNING'])

interface Tracked {
  record: BackfillRecord
  counts: Record<BackfillTargetStatus, number>
  /** First sample while running, for the rate. */
  first?: { at: number; done: number }
  view?: BackfillView
}

const doneOf = (c: Record<BackfillTargetStatus, number>) => c.SUCCESS + c.UP_TO_DATE + c.FAILED + c.SKIPPED

export class BackfillTracker {
  private tracked = new Map<string, Tracked>()
  private readonly own = new Set<string>()

  markOwn(backfillId: string): void {
    this.own.add(backfillId)
  }

  isOwn(backfillId: string): boolean {
    return this.own.has(backfillId)
  }

  record(backfillId: string): BackfillRecord | undefined {
    return this.tracked.get(backfillId)?.record
  }

  /** Reads the newest backfills and the counts of active ones. Returns true when anything changed. */
  async poll(storage: Storage, now = Date.now()): Promise<boolean> {
    const list = await storage.listBackfills({ limit: LISTED })
    let changed = list.length !== this.tracked.size
    const next = new Map<string, Tracked>()
    for (const record of list) {
      const prev = this.tracked.get(record.backfillId)
      const active = ACTIVE.has(record.status)
      const statusChanged = !prev || prev.record.status !== record.status || prev.record.cancelRequested !== record.cancelRequested || prev.record.runIds.length !== record.runIds.length
      // Finished backfills are counted once; active ones every poll.
      const counts = active || statusChanged || !prev ? await storage.countBackfillTargets(record.backfillId) : prev.counts
      const t: Tracked = { record, counts, first: prev?.first }
      if (record.status === 'RUNNING' && !t.first) t.first = { at: now, done: doneOf(counts) }
      const same = prev && !statusChanged && sameCounts(prev.counts, counts)
      if (same) t.view = prev.view
      else changed = true
      next.set(record.backfillId, t)
    }
    this.tracked = next
    return changed
  }

  views(now = Date.now()): BackfillView[] {
    return [...this.tracked.values()].map((t) => {
      if (t.view && t.record.status !== 'RUNNING') return t.view
      const c = t.counts
      const done = doneOf(c)
      const b = t.record
      const elapsed = t.first ? (now - t.first.at) / 1000 : 0
      const rate = t.first && elapsed > 0.5 && done > t.first.done ? (done - t.first.done) / elapsed : undefined
      t.view = {
        backfillId: b.backfillId,
        selection: b.selection,
        range: b.partitionKeys?.length ? b.partitionKeys.join(',') : `${b.fromKey ?? '?'}..${b.toKey ?? '?'}`,
        status: b.status,
        total: c.PENDING + c.IN_PROGRESS + done,
        done,
        failed: c.FAILED,
        inProgress: c.IN_PROGRESS,
        createdAt: b.createdAt,
        endedAt: b.endedAt,
        runIds: b.runIds,
        cancelRequested: b.cancelRequested,
        interrupted: b.interrupted,
        own: this.own.has(b.backfillId),
        rate,
      }
      return t.view
    })
  }
}

function sameCounts(a: Record<BackfillTargetStatus, number>, b: Record<BackfillTargetStatus, number>): boolean {
  return (Object.keys(a) as BackfillTargetStatus[]).every((k) => a[k] === b[k])
}
