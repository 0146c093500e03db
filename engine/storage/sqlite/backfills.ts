/** The `backfills` table: one row per backfill, with JSON asset keys, options and run ids. */
import type Database from 'better-sqlite3'
import type { BackfillRecord, BackfillStatus, NewBackfill } from '../types.js'
import { toJson } from '../json.js'
import { type BackfillRow as SharedBackfillRow, toBackfillRecord } from '../rows/backfills.js'

/** SQLite stores booleans as 0/1. */
type BackfillRow = SharedBackfillRow<0 | 1>
const toRecord = (row: BackfillRow): BackfillRecord => toBackfillRecord(row, (value) => value === 1)

/** Statuses after which a backfill is finished (endedAt set, cancel no longer possible). */
export const FINAL_BACKFILL_STATUSES: readonly BackfillStatus[] = ['COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED']
const FINAL_SQL = FINAL_BACKFILL_STATUSES.map((s) => `'${s}'`).join(', ')

export class BackfillsTable {
  private readonly insertStmt: Database.Statement
  private readonly getStmt: Database.Statement
  private readonly existsStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly listByStatusStmt: Database.Statement
  private readonly setStatusStmt: Database.Statement
  private readonly claimStmt: Database.Statement
  private readonly addRunStmt: Database.Statement
  private readonly requestCancelStmt: Database.Statement
  private readonly touchStmt: Database.Statement
  private readonly interruptStmt: Database.Statement
  private renewStmt?: Database.Statement

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO backfills
        (backfill_id, status, selection, asset_keys, from_key, to_key, partition_keys, options, defs_path, pid, host, created_at, updated_at)
      VALUES
        (@backfillId, 'REQUESTED', @selection, @assetKeys, @fromKey, @toKey, @partitionKeys, @options, @defsPath, @pid, @host, @createdAt, @createdAt)`)
    this.getStmt = db.prepare('SELECT * FROM backfills WHERE backfill_id = ?')
    this.existsStmt = db.prepare('SELECT 1 FROM backfills WHERE backfill_id = ?').pluck()
    this.listStmt = db.prepare('SELECT * FROM backfills ORDER BY created_at DESC, rowid DESC LIMIT ?')
    this.listByStatusStmt = db.prepare('SELECT * FROM backfills WHERE status = ? ORDER BY created_at DESC, rowid DESC')
    // A finished backfill set back to a live status (resumed) forgets its old cancel request;
    // a cancel requested while it was live is kept, so the driver still sees it.
    const setStatusSql = `
      UPDATE backfills SET
        cancel_requested = CASE WHEN status IN (${FINAL_SQL}) AND @status NOT IN (${FINAL_SQL}) THEN 0 ELSE cancel_requested END,
        status = @status,
        updated_at = @now,
        ended_at = CASE WHEN @status IN (${FINAL_SQL}) THEN @now ELSE NULL END,
        interrupted = CASE WHEN @status = 'RUNNING' THEN 0 ELSE interrupted END,
        pid = coalesce(@pid, pid),
        host = coalesce(@host, host)
      WHERE backfill_id = @backfillId`
    this.setStatusStmt = db.prepare(setStatusSql)
    this.claimStmt = db.prepare(`${setStatusSql.replace('WHERE backfill_id = @backfillId', '')} WHERE backfill_id = @backfillId AND status NOT IN ('RUNNING', 'CANCELED')`)
    this.addRunStmt = db.prepare(`
      UPDATE backfills SET run_ids = CASE
        WHEN EXISTS (SELECT 1 FROM json_each(run_ids) WHERE value = @runId) THEN run_ids
        ELSE json_insert(run_ids, '$[#]', @runId) END
      WHERE backfill_id = @backfillId`)
    this.requestCancelStmt = db.prepare(`
      UPDATE backfills SET cancel_requested = 1, updated_at = ? WHERE backfill_id = ? AND status NOT IN (${FINAL_SQL})`)
    this.touchStmt = db.prepare('UPDATE backfills SET updated_at = ? WHERE backfill_id = ?')
    this.interruptStmt = db.prepare(`
      UPDATE backfills SET status = 'REQUESTED', interrupted = 1, updated_at = ?
      WHERE backfill_id = ? AND status = 'RUNNING' AND pid = ? AND host = ?`)
  }

  /** Inserts a REQUESTED backfill; call inside a write transaction. */
  insert(b: NewBackfill): void {
    this.insertStmt.run({
      backfillId: b.backfillId,
      selection: b.selection,
      assetKeys: toJson(b.assetKeys),
      fromKey: b.fromKey ?? null,
      toKey: b.toKey ?? null,
      partitionKeys: b.partitionKeys === undefined ? null : toJson(b.partitionKeys),
      options: toJson(b.options ?? {}),
      defsPath: b.defsPath,
      pid: b.pid,
      host: b.host,
      createdAt: b.createdAt,
    })
  }

  get(backfillId: string): BackfillRecord | undefined {
    const row = this.getStmt.get(backfillId) as BackfillRow | undefined
    return row ? toRecord(row) : undefined
  }

  exists(backfillId: string): boolean {
    return this.existsStmt.get(backfillId) !== undefined
  }

  /** Newest first. */
  list(limit = -1): BackfillRecord[] {
    return (this.listStmt.all(limit) as BackfillRow[]).map(toRecord)
  }

  listByStatus(status: BackfillStatus): BackfillRecord[] {
    return (this.listByStatusStmt.all(status) as BackfillRow[]).map(toRecord)
  }

  /** Returns false when no such backfill exists. */
  setStatus(backfillId: string, status: BackfillStatus, now: number, owner?: { pid: number; host: string }): boolean {
    return this.setStatusStmt.run({ backfillId, status, now, pid: owner?.pid ?? null, host: owner?.host ?? null }).changes > 0
  }

  /** RUNNING for `owner` unless RUNNING or CANCELED (see Storage.claimBackfill); returns whether it changed. Call inside a write transaction. */
  claim(backfillId: string, owner: { pid: number; host: string }, now: number): boolean {
    return this.claimStmt.run({ backfillId, status: 'RUNNING', now, pid: owner.pid, host: owner.host }).changes > 0
  }

  /** Appends `runId` unless already listed; returns false when no such backfill exists. */
  addRun(backfillId: string, runId: string): boolean {
    return this.addRunStmt.run({ backfillId, runId }).changes > 0
  }

  /** Marks cancel requested unless finished; returns whether it changed. */
  requestCancel(backfillId: string, now: number): boolean {
    return this.requestCancelStmt.run(now, backfillId).changes > 0
  }

  /** Bumps updated_at; returns false when no such backfill exists. */
  touch(backfillId: string, now: number): boolean {
    return this.touchStmt.run(now, backfillId).changes > 0
  }

  /** RUNNING (still owned by pid@host) → REQUESTED + interrupted; returns whether it changed. */
  interruptIfRunning(backfillId: string, pid: number, host: string, now: number): boolean {
    return this.interruptStmt.run(now, backfillId, pid, host).changes > 0
  }

  /** Sets the lease of a RUNNING backfill driven by pid@host; returns whether it changed. */
  renewLease(backfillId: string, pid: number, host: string, owner: string, expiresAt: number): boolean {
    this.renewStmt ??= this.db.prepare(`UPDATE backfills SET lease_owner = ?, lease_expires_at = ? WHERE backfill_id = ? AND status = 'RUNNING' AND pid = ? AND host = ?`)
    return this.renewStmt.run(owner, expiresAt, backfillId, pid, host).changes > 0
  }
}
