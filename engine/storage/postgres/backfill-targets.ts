/**
 * The `backfill_targets` table: each (asset, partition) a backfill covers and
 * its status; `seq` (the position in the list given to createBackfill) keeps
 * insertion order.
 */
import type { BackfillTarget, BackfillTargetStatus, BackfillTargetUpdate } from '../types.js'
import { lastUpdatePerTarget } from '../target-updates.js'
import type { Sql } from './db.js'
import { type TargetRow, toTarget } from '../rows/backfill-targets.js'

const STATUSES: readonly BackfillTargetStatus[] = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED']
/** Rows per INSERT: a backfill of 100,000 partitions goes in a few statements, not 100,000. */
const BATCH = 10_000

export async function insertTargets(tx: Sql, backfillId: string, targets: ReadonlyArray<{ assetKey: string; partitionKey: string }>, now: number): Promise<void> {
  for (let start = 0; start < targets.length; start += BATCH) {
    const slice = targets.slice(start, start + BATCH)
    await tx.exec(
      `INSERT INTO backfill_targets (backfill_id, seq, asset_key, partition_key, status, updated_at)
       SELECT $1, $2 + n - 1, a, p, 'PENDING', $3 FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t(a, p, n)`,
      [backfillId, start, now, slice.map((t) => t.assetKey), slice.map((t) => t.partitionKey)],
    )
  }
}

/**
 * Applies updates in one statement; returns the updates that named no
 * target. `runId`, when omitted, keeps the run that last handled the target;
 * `error` always describes the current status.
 */
export async function updateTargets(tx: Sql, backfillId: string, updates: readonly BackfillTargetUpdate[], now: number): Promise<BackfillTargetUpdate[]> {
  // One statement sets each row once, so a target named twice gets, first, what updating it in order would leave.
  const last = lastUpdatePerTarget(updates)
  const rows = await tx.rows<{ n: number }>(
    `UPDATE backfill_targets t SET status = u.s, run_id = coalesce(u.r, t.run_id), error = u.e, updated_at = $2
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(a, p, s, r, e, n)
     WHERE t.backfill_id = $1 AND t.asset_key = u.a AND t.partition_key = u.p
     RETURNING u.n`,
    [
      backfillId,
      now,
      last.map((u) => u.assetKey),
      last.map((u) => u.partitionKey),
      last.map((u) => u.status),
      last.map((u) => u.runId ?? null),
      last.map((u) => u.error ?? null),
    ],
  )
  const applied = new Set(rows.map((r) => Number(r.n)))
  return last.filter((_, i) => !applied.has(i + 1))
}

/** IN_PROGRESS targets → PENDING; returns how many changed. */
export async function resetInProgress(tx: Sql, backfillId: string, now: number): Promise<number> {
  return tx.exec(`UPDATE backfill_targets SET status = 'PENDING', updated_at = $1 WHERE backfill_id = $2 AND status = 'IN_PROGRESS'`, [now, backfillId])
}

export async function listTargets(sql: Sql, backfillId: string, statuses?: readonly BackfillTargetStatus[]): Promise<BackfillTarget[]> {
  const rows = await sql.rows<TargetRow>(
    `SELECT asset_key, partition_key, status, run_id, updated_at, error FROM backfill_targets
     WHERE backfill_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) ORDER BY seq`,
    [backfillId, statuses ?? null],
  )
  return rows.map(toTarget)
}

export async function countTargets(sql: Sql, backfillId: string): Promise<Record<BackfillTargetStatus, number>> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<BackfillTargetStatus, number>
  for (const row of await sql.rows<{ status: BackfillTargetStatus; n: number }>('SELECT status, count(*)::int AS n FROM backfill_targets WHERE backfill_id = $1 GROUP BY status', [backfillId])) {
    counts[row.status] = row.n
  }
  return counts
}
