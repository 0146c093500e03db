/** The `runs` table: one row per run, with JSON step keys and tags. */
import type Database from 'better-sqlite3'
import type { NewRun, RunRecord, RunStatus } from '../types.js'
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

/** Largest LIMIT value; SQLite treats a negative LIMIT as "no limit" too, but this reads clearer. */
const NO_LIMIT = -1

export class RunsTable {
  private readonly insertStmt: Database.Statement
  private readonly finishStmt: Database.Statement
  private readonly failRunningStmt: Database.Statement
  private readonly getStmt: Database.Statement
  private readonly existsStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly listByStatusStmt: Database.Statement
  private readonly renewStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO runs (run_id, status, selection, step_keys, defs_path, pid, host, started_at, backfill_id, tags, lease_owner, lease_expires_at)
      VALUES (@runId, 'RUNNING', @selection, @stepKeys, @defsPath, @pid, @host, @startedAt, @backfillId, @tags, @leaseOwner, @leaseExpiresAt)`)
    this.renewStmt = db.prepare(`UPDATE runs SET lease_expires_at = ? WHERE run_id = ? AND status = 'RUNNING' AND lease_owner = ?`)
    this.finishStmt = db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE run_id = ?')
    this.failRunningStmt = db.prepare(`UPDATE runs SET status = 'FAILURE', ended_at = ? WHERE run_id = ? AND status = 'RUNNING'`)
    this.getStmt = db.prepare('SELECT * FROM runs WHERE run_id = ?')
    this.existsStmt = db.prepare('SELECT 1 FROM runs WHERE run_id = ?').pluck()
    this.listStmt = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?')
    this.listByStatusStmt = db.prepare('SELECT * FROM runs WHERE status = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
  }

  insert(run: NewRun): void {
    this.insertStmt.run({
      runId: run.runId,
      selection: run.selection,
      stepKeys: toJson(run.stepKeys),
      defsPath: run.defsPath,
      pid: run.pid,
      host: run.host,
      startedAt: run.startedAt,
      backfillId: run.backfillId ?? null,
      tags: toJson(run.tags ?? {}),
      leaseOwner: run.lease?.owner ?? null,
      leaseExpiresAt: run.lease?.expiresAt ?? null,
    })
  }

  /** Returns whether the lease was extended (the run is RUNNING and held by `owner`). */
  renewLease(runId: string, owner: string, expiresAt: number): boolean {
    return this.renewStmt.run(expiresAt, runId, owner).changes > 0
  }

  /** Returns false when no such run exists. */
  finish(runId: string, status: RunStatus, endedAt: number): boolean {
    return this.finishStmt.run(status, endedAt, runId).changes > 0
  }

  /** Marks a run FAILURE only if it is still RUNNING; returns whether it changed. */
  failIfRunning(runId: string, endedAt: number): boolean {
    return this.failRunningStmt.run(endedAt, runId).changes > 0
  }

  get(runId: string): RunRecord | undefined {
    const row = this.getStmt.get(runId) as RunRow | undefined
    return row ? toRecord(row) : undefined
  }

  exists(runId: string): boolean {
    return this.existsStmt.get(runId) !== undefined
  }

  list(opts: { limit?: number; status?: RunStatus } = {}): RunRecord[] {
    const limit = opts.limit ?? NO_LIMIT
    const rows = (opts.status ? this.listByStatusStmt.all(opts.status, limit) : this.listStmt.all(limit)) as RunRow[]
    return rows.map(toRecord)
  }
}
