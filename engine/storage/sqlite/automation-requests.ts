/**
 * The `automation_requests` and `automation_request_slots` tables: the runs
 * the daemon decided on, written before launch with the run id they will
 * have, and the (asset, partition) pairs each materializes.
 */
import type Database from 'better-sqlite3'
import type { AutomationRequestRecord, AutomationRequestStatus, AutomationSourceKind, NewAutomationRequest } from '../automation-types.js'
import type { SlotKey } from '../types.js'
import { toJson } from '../json.js'
import { type RequestRow, toRequest } from '../rows/automation-requests.js'

export class AutomationRequestsTable {
  private readonly insertStmt: Database.Statement
  private readonly insertSlotStmt: Database.Statement
  private readonly idByKeyStmt: Database.Statement
  private readonly getStmt: Database.Statement
  private readonly slotsStmt: Database.Statement
  private readonly launchStmt: Database.Statement
  private readonly doneStmt: Database.Statement
  private readonly lastTimesStmt: Database.Statement
  private readonly db: Database.Database

  constructor(db: Database.Database) {
    this.db = db
    this.insertStmt = db.prepare(`
      INSERT INTO automation_requests (request_key, run_id, tick_id, source_kind, source_name, selection, asset_keys, partition_keys, reason, tags, run_key, status, created_at)
      VALUES (@requestKey, @runId, @tickId, @sourceKind, @sourceName, @selection, @assetKeys, @partitionKeys, @reason, @tags, @runKey, 'QUEUED', @createdAt)`)
    this.insertSlotStmt = db.prepare('INSERT OR IGNORE INTO automation_request_slots (request_id, asset_key, partition_key) VALUES (?, ?, ?)')
    this.idByKeyStmt = db.prepare('SELECT request_id FROM automation_requests WHERE request_key = ?').pluck()
    this.getStmt = db.prepare('SELECT * FROM automation_requests WHERE request_id = ?')
    this.slotsStmt = db.prepare('SELECT asset_key, partition_key FROM automation_request_slots WHERE request_id = ? ORDER BY rowid').raw()
    this.launchStmt = db.prepare(`UPDATE automation_requests SET status = 'LAUNCHED', launched_at = ? WHERE request_id = ? AND status = 'QUEUED'`)
    this.doneStmt = db.prepare(`UPDATE automation_requests SET status = 'DONE', ended_at = ?, run_status = ? WHERE request_id = ? AND status != 'DONE'`)
    this.lastTimesStmt = db.prepare(`
      SELECT s.asset_key, s.partition_key, max(r.created_at) FROM automation_request_slots s JOIN automation_requests r ON r.request_id = s.request_id
      GROUP BY s.asset_key, s.partition_key`).raw()
  }

  idByKey(requestKey: string): number | undefined {
    return this.idByKeyStmt.get(requestKey) as number | undefined
  }

  /** Call inside a write transaction. */
  insert(r: NewAutomationRequest, tickId: number | undefined): number {
    const info = this.insertStmt.run({
      requestKey: r.requestKey,
      runId: r.runId,
      tickId: tickId ?? null,
      sourceKind: r.sourceKind,
      sourceName: r.sourceName,
      selection: r.selection,
      assetKeys: toJson(r.assetKeys),
      partitionKeys: r.partitionKeys ? toJson(r.partitionKeys) : null,
      reason: r.reason,
      tags: toJson(r.tags),
      runKey: r.runKey ?? null,
      createdAt: r.createdAt,
    })
    const id = Number(info.lastInsertRowid)
    for (const s of r.slots) this.insertSlotStmt.run(id, s.assetKey, s.partitionKey)
    return id
  }

  get(requestId: number): AutomationRequestRecord | undefined {
    const row = this.getStmt.get(requestId) as RequestRow | undefined
    return row ? this.toRecord(row) : undefined
  }

  list(opts: { statuses?: AutomationRequestStatus[]; limit?: number; sourceKind?: AutomationSourceKind; sourceName?: string } = {}): AutomationRequestRecord[] {
    const where: string[] = []
    const params: unknown[] = []
    if (opts.statuses?.length) {
      where.push(`status IN (${opts.statuses.map(() => '?').join(', ')})`)
      params.push(...opts.statuses)
    }
    if (opts.sourceKind !== undefined) {
      where.push('source_kind = ?')
      params.push(opts.sourceKind)
    }
    if (opts.sourceName !== undefined) {
      where.push('source_name = ?')
      params.push(opts.sourceName)
    }
    // Filtered by status: the launch order (oldest first); otherwise the newest first.
    const order = opts.statuses?.length ? 'request_id ASC' : 'request_id DESC'
    const sql = `SELECT * FROM automation_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`
    const rows = this.db.prepare(sql).all(...params, opts.limit ?? -1) as RequestRow[]
    return rows.map((r) => this.toRecord(r))
  }

  launched(requestId: number, now: number): boolean {
    return this.launchStmt.run(now, requestId).changes > 0
  }

  done(requestId: number, now: number, runStatus: string | undefined): boolean {
    return this.doneStmt.run(now, runStatus ?? null, requestId).changes > 0
  }

  lastRequestTimes(): Array<SlotKey & { requestedAt: number }> {
    return (this.lastTimesStmt.all() as Array<[string, string, number]>).map(([assetKey, partitionKey, requestedAt]) => ({ assetKey, partitionKey, requestedAt }))
  }

  private toRecord(r: RequestRow): AutomationRequestRecord {
    const slots: SlotKey[] = (this.slotsStmt.all(r.request_id) as Array<[string, string]>).map(([assetKey, partitionKey]) => ({ assetKey, partitionKey }))
    return toRequest(r, slots)
  }
}
