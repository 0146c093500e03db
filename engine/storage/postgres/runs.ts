/** The `runs` table: one row per run, with JSON step keys and tags. */
import type { NewRun, RunRecord, RunStatus } from '../types.js'
import type { Sql } from './db.js'
import { fromJson, setOptional, toJson } from '../json.js'

interface RunRow {
  run_id: string
  status: RunStatus
  selection: string
  step_keys: string
  defs_path: string
  pid: number
  host: string
  started_at: number
  ended_at: number | null
  backfill_id: string | null
  tags: string
  lease_owner: string | null
  lease_expires_at: number | null
}

function toRecord(row: RunRow): RunRecord {
  const run: RunRecord = {
    runId: row.run_id,
    status: row.status,
    selection: row.selection,
    stepKeys: fromJson<string[]>(row.step_keys, []),
    defsPath: row.defs_path,
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    tags: fromJson<Record<string, string>>(row.tags, {}),
  }
  setOptional(run, 'endedAt', row.ended_at)
  setOptional(run, 'backfillId', row.backfill_id)
  if (row.lease_owner !== null && row.lease_expires_at !== null) run.lease = { owner: row.lease_owner, expiresAt: row.lease_expires_at }
  return run
}

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
  return row ? toRecord(row) : undefined
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
  return rows.map(toRecord)
}
