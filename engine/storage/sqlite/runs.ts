/** The `runs` table: one row per run, with JSON step keys and tags. */
import type Database from 'better-sqlite3'
import type { NewRun, RunRecord, RunStatus } from '../types.js'
import { toJson } from '../json.js'
import { type RunRow, toRunRecord } from '../rows/runs.js'

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
    return row ? toRunRecord(row) : undefined
  }

  exists(runId: string): boolean {
    return this.existsStmt.get(runId) !== undefined
  }

  list(opts: { limit?: number; status?: RunStatus } = {}): RunRecord[] {
    const limit = opts.limit ?? NO_LIMIT
    const rows = (opts.status ? this.listByStatusStmt.all(opts.status, limit) : this.listStmt.all(limit)) as RunRow[]
    return rows.map(toRunRecord)
  }
}
