import { slotId } from './slot-id.js'
import type { BackfillTargetUpdate } from './types.js'

/**
 * The updates of one updateBackfillTargets call with only the last per
 * target, which both backends apply: a backfill step that started and ended
 * between two of its writes (most steps of a backfill of short partitions)
 * is written once, SUCCESS, not IN_PROGRESS then SUCCESS — half the row
 * updates. Applying the result gives every target what applying `updates` in
 * order gives it: the last status and error; the last run id given (storage
 * keeps the stored one when an update gives none); one `updated_at` for the
 * whole write either way. Targets keep the order they first appear in.
 */
export function lastUpdatePerTarget(updates: readonly BackfillTargetUpdate[]): BackfillTargetUpdate[] {
  const byTarget = new Map<string, BackfillTargetUpdate>()
  for (const u of updates) {
    const id = slotId(u.assetKey, u.partitionKey)
    const earlier = byTarget.get(id)
    const runId = u.runId ?? earlier?.runId
    byTarget.set(id, { assetKey: u.assetKey, partitionKey: u.partitionKey, status: u.status, ...(runId !== undefined ? { runId } : {}), ...(u.error !== undefined ? { error: u.error } : {}) })
  }
  return [...byTarget.values()]
}
