/**
 * The `backfills` table: one row per backfill, with JSON asset keys, options
 * and run ids. Each status change is one UPDATE whose WHERE clause states
 * the condition it depends on (still RUNNING under the same owner, not yet
 * finished), so under concurrent processes it applies to the row as it is
 * at that moment: PostgreSQL re-checks the condition on the newest row
 * version after waiting for a concurrent writer's row lock.
 */
import type { BackfillRecord, BackfillStatus, NewBackfill } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type BackfillRow as SharedBackfillRow, toBackfillRecord } from '../rows/backfills.js'

const COLUMNS =
  'backfill_id, status, selection, asset_keys, from_key, to_key, partition_keys, options, defs_path, pid, host, created_at, updated_at, ended_at, cancel_requested, interrupted, run_ids, lease_owner, lease_expires_at'

/** PostgreSQL returns boolean columns as booleans. */
type BackfillRow = SharedBackfillRow<boolean>
const toRecord = (row: BackfillRow): BackfillRecord => toBackfillRecord(row, (value) => value)

/** Statuses after which a backfill is finished (endedAt set, cancel no longer possible). */
const FINAL = ['COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED']

export async function insertBackfill(tx: Sql, b: NewBackfill): Promise<void> {
  await tx.exec(
    `INSERT INTO backfills
       (backfill_id, status, selection, asset_keys, from_key, to_key, partition_keys, options, defs_path, pid, host, created_at, updated_at)
     VALUES ($1, 'REQUESTED', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
    [
      b.backfillId,
      b.selection,
      toJson(b.assetKeys),
      b.fromKey ?? null,
      b.toKey ?? null,
      b.partitionKeys === undefined ? null : toJson(b.partitionKeys),
      toJson(b.options ?? {}),
      b.defsPath,
      b.pid,
      b.host,
      b.createdAt,
    ],
  )
}

export async function getBackfill(sql: Sql, backfillId: string): Promise<BackfillRecord | undefined> {
  const row = await sql.one<BackfillRow>(`SELECT ${COLUMNS} FROM backfills WHERE backfill_id = $1`, [backfillId])
  return row ? toRecord(row) : undefined
}

export async function backfillExists(sql: Sql, backfillId: string): Promise<boolean> {
  return (await sql.one('SELECT 1 FROM backfills WHERE backfill_id = $1', [backfillId])) !== undefined
}

/** Newest first. */
export async function listBackfills(sql: Sql, limit?: number): Promise<BackfillRecord[]> {
  return (await sql.rows<BackfillRow>(`SELECT ${COLUMNS} FROM backfills ORDER BY created_at DESC, seq DESC LIMIT $1`, [limit ?? null])).map(toRecord)
}

export async function listBackfillsByStatus(sql: Sql, status: BackfillStatus): Promise<BackfillRecord[]> {
  return (await sql.rows<BackfillRow>(`SELECT ${COLUMNS} FROM backfills WHERE status = $1 ORDER BY created_at DESC, seq DESC`, [status])).map(toRecord)
}

/**
 * Returns false when no such backfill exists. A finished backfill set back to
 * a live status (resumed) forgets its old cancel request; a cancel requested
 * while it was live is kept, so the driver still sees it.
 */
export async function setBackfillStatus(sql: Sql, backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }, onlyIfClaimable = false): Promise<boolean> {
  const changed = await sql.exec(
    `UPDATE backfills SET
       cancel_requested = CASE WHEN status = ANY($6::text[]) AND NOT ($2 = ANY($6::text[])) THEN FALSE ELSE cancel_requested END,
       status = $2::text,
       updated_at = $3::bigint,
       ended_at = CASE WHEN $2::text = ANY($6::text[]) THEN $3::bigint ELSE NULL END,
       interrupted = CASE WHEN $2 = 'RUNNING' THEN FALSE ELSE interrupted END,
       pid = coalesce($4::bigint, pid),
       host = coalesce($5::text, host)
     WHERE backfill_id = $1${onlyIfClaimable ? ` AND status NOT IN ('RUNNING', 'CANCELED')` : ''}`,
    [backfillId, status, now, owner?.pid ?? null, owner?.host ?? null, FINAL],
  )
  return changed > 0
}

/** Appends `runId` unless already listed (one statement, so concurrent appends never lose one); false when no such backfill exists. */
export async function addBackfillRun(sql: Sql, backfillId: string, runId: string): Promise<boolean> {
  const changed = await sql.exec(
    `UPDATE backfills SET run_ids = CASE
       WHEN run_ids::jsonb ? $2 THEN run_ids
       ELSE (run_ids::jsonb || jsonb_build_array($2::text))::text END
     WHERE backfill_id = $1`,
    [backfillId, runId],
  )
  return changed > 0
}

/** Marks cancel requested unless finished; returns whether it changed. */
export async function requestBackfillCancel(sql: Sql, backfillId: string, now: number): Promise<boolean> {
  return (await sql.exec(`UPDATE backfills SET cancel_requested = TRUE, updated_at = $1 WHERE backfill_id = $2 AND NOT (status = ANY($3::text[]))`, [now, backfillId, FINAL])) > 0
}

/** Bumps updated_at (and row-locks the backfill for the rest of the transaction); false when no such backfill exists. */
export async function touchBackfill(tx: Sql, backfillId: string, now: number): Promise<boolean> {
  return (await tx.exec('UPDATE backfills SET updated_at = $1 WHERE backfill_id = $2', [now, backfillId])) > 0
}

/** Sets the lease of a RUNNING backfill driven by pid@host; returns whether it changed. */
export async function renewBackfillLease(sql: Sql, backfillId: string, pid: number, host: string, owner: string, expiresAt: number): Promise<boolean> {
  return (await sql.exec(`UPDATE backfills SET lease_owner = $1, lease_expires_at = $2 WHERE backfill_id = $3 AND status = 'RUNNING' AND pid = $4 AND host = $5`, [owner, expiresAt, backfillId, pid, host])) > 0
}

/** RUNNING (still owned by pid@host) → REQUESTED + interrupted; returns whether it changed. */
export async function interruptIfRunning(tx: Sql, backfillId: string, pid: number, host: string, now: number): Promise<boolean> {
  return (
    (await tx.exec(`UPDATE backfills SET status = 'REQUESTED', interrupted = TRUE, updated_at = $1 WHERE backfill_id = $2 AND status = 'RUNNING' AND pid = $3 AND host = $4`, [
      now,
      backfillId,
      pid,
      host,
    ])) > 0
  )
}

/**
 * RUNNING for `owner` unless RUNNING or CANCELED; returns whether it changed.
 * One UPDATE: a concurrent claimer waits for this row lock, then re-checks
 * the condition on the committed row and finds it RUNNING.
 */
export async function claimBackfill(sql: Sql, backfillId: string, owner: { pid: number; host: string }, now: number): Promise<boolean> {
  return setBackfillStatus(sql, backfillId, 'RUNNING', now, owner, true)
}
