/** The `automation_ticks` table: one row per evaluation of the conditions, a schedule tick or a sensor. */
import type Database from 'better-sqlite3'
import type { AutomationSourceKind, AutomationTickRecord, NewAutomationTick } from '../automation-types.js'
import { setOptional } from './json.js'

interface TickRow {
  tick_id: number
  source_kind: AutomationSourceKind
  source_name: string
  tick_key: string | null
  scheduled_for: number | null
  evaluated_at: number
  status: AutomationTickRecord['status']
  message: string | null
  requested: number
  duration_ms: number | null
}

function toRecord(r: TickRow): AutomationTickRecord {
  const t: AutomationTickRecord = { tickId: r.tick_id, sourceKind: r.source_kind, sourceName: r.source_name, evaluatedAt: r.evaluated_at, status: r.status, requested: r.requested }
  setOptional(t, 'tickKey', r.tick_key)
  setOptional(t, 'scheduledFor', r.scheduled_for)
  setOptional(t, 'message', r.message)
  setOptional(t, 'durationMs', r.duration_ms)
  return t
}

export class AutomationTicksTable {
  private readonly insertStmt: Database.Statement
  private readonly existsStmt: Database.Statement
  private readonly setRequestedStmt: Database.Statement
  private readonly listAllStmt: Database.Statement
  private readonly listKindStmt: Database.Statement
  private readonly listSourceStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO automation_ticks (source_kind, source_name, tick_key, scheduled_for, evaluated_at, status, message, duration_ms)
      VALUES (@sourceKind, @sourceName, @tickKey, @scheduledFor, @evaluatedAt, @status, @message, @durationMs)`)
    this.existsStmt = db.prepare('SELECT 1 FROM automation_ticks WHERE source_kind = ? AND source_name = ? AND tick_key = ?').pluck()
    this.setRequestedStmt = db.prepare('UPDATE automation_ticks SET requested = ?, status = ?, message = ? WHERE tick_id = ?')
    this.listAllStmt = db.prepare('SELECT * FROM automation_ticks ORDER BY tick_id DESC LIMIT ?')
    this.listKindStmt = db.prepare('SELECT * FROM automation_ticks WHERE source_kind = ? ORDER BY tick_id DESC LIMIT ?')
    this.listSourceStmt = db.prepare('SELECT * FROM automation_ticks WHERE source_kind = ? AND source_name = ? ORDER BY tick_id DESC LIMIT ?')
  }

  exists(t: NewAutomationTick): boolean {
    return t.tickKey !== undefined && this.existsStmt.get(t.sourceKind, t.sourceName, t.tickKey) !== undefined
  }

  /** Call inside a write transaction. */
  insert(t: NewAutomationTick): number {
    const info = this.insertStmt.run({
      sourceKind: t.sourceKind,
      sourceName: t.sourceName,
      tickKey: t.tickKey ?? null,
      scheduledFor: t.scheduledFor ?? null,
      evaluatedAt: t.evaluatedAt,
      status: t.status,
      message: t.message ?? null,
      durationMs: t.durationMs === undefined ? null : Math.round(t.durationMs),
    })
    return Number(info.lastInsertRowid)
  }

  /** What the tick's requests came to once run keys and request keys were checked. */
  setOutcome(tickId: number, requested: number, status: NewAutomationTick['status'], message: string | undefined): void {
    this.setRequestedStmt.run(requested, status, message ?? null, tickId)
  }

  list(opts: { sourceKind?: AutomationSourceKind; sourceName?: string; limit?: number } = {}): AutomationTickRecord[] {
    const limit = opts.limit ?? 50
    const rows =
      opts.sourceKind === undefined
        ? this.listAllStmt.all(limit)
        : opts.sourceName === undefined
          ? this.listKindStmt.all(opts.sourceKind, limit)
          : this.listSourceStmt.all(opts.sourceKind, opts.sourceName, limit)
    return (rows as TickRow[]).map(toRecord)
  }
}
