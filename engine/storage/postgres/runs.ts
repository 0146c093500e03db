/** The `runs` table: one row per run, with JSON step keys and tags. */
import type { NewRun, RunRecord, RunStatus } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type RunRow, toRunRecord } from '../rows/runs.js'

const COLUMNS = 'run_id, status, selection, step_keys, defs_path, pid, host, started_at, ended_at, backfill_id, tags, lease_owner, lease_expires_at'

export async function insertRun(sql: Sql, run: NewRun): Promise<void> {
  await sql.exec(
    `INSERT INTO runs (run_id, status, selection, step_keys, defs_path, pid, host, started_at, backfill_id, tags, lease_owner, lease_expires_at)
     VALUES ($1, 'RUNNING', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [run.runId, run.selection, toJson(run.stepKeys), run.defsPath, run.pid, run.host, run.startedAt, run.backfillId ?? null, toJson(run.tags ?? {}), run.lease?.owner ?? null, run.lease?.expiresAt ?? null],
  )
}

/** Returns whether the lease was extended (the run is RUNNING and held by `owner`). */
export async function renewRunLease(sql: Sql, runId: string, owner: string, expiresAt: number): Promise<boolean> {
  return (await sql.exec(`UPDATE runs SET lease_expires_at = $1 WHERE run_id = $2 AND status = 'RUNNING' AND lease_owner = $3`, [expiresAt, runId, owner])) > 0
}

/** Returns false when no such run exists. */
export async function finishRun(sql: Sql, runId: string, status: RunStatus, endedAt: number): Promise<boolean> {
  return (await sql.exec('UPDATE runs SET status = $1, ended_at = $2 WHERE run_id = $3', [status, endedAt, runId])) > 0
}

/** Marks a run FAILURE only if it is still RUNNING; returns whether it changed. */
export async function failRunIfRunning(sql: Sql, runId: string, endedAt: number): Promise<boolean> {
  return (await sql.exec(`UPDATE runs SET status = 'FAILURE', ended_at = $1 WHERE run_id = $2 AND status = 'RUNNING'`, [endedAt, runId])) > 0
}

export async function getRun(sql: Sql, runId: string): Promise<RunRecord | undefined> {
  const row = await sql.one<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE run_id = $1`, [runId])
  return row ? toRunRecord(row) : undefined
}

export async function runExists(sql: Sql, runId: string): Promise<boolean> {
  return (await sql.one('SELECT 1 FROM runs WHERE run_id = $1', [runId])) !== undefined
}

/** Newest first; ties in start time by creation order, newest first (as SQLite's rowid). */
export async function listRuns(sql: Sql, opts: { limit?: number; status?: RunStatus } = {}): Promise<RunRecord[]> {
  const limit = opts.limit ?? null
  const rows = opts.status
    ? await sql.rows<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE status = $1 ORDER BY started_at DESC, seq DESC LIMIT $2`, [opts.status, limit])
    : await sql.rows<RunRow>(`SELECT ${COLUMNS} FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1`, [limit])
  return rows.map(toRunRecord)
}
