/** The `automation_ticks` table: one row per evaluation of the conditions, a schedule tick or a sensor. */
import type Database from 'better-sqlite3'
import type { AutomationSourceKind, AutomationTickRecord, NewAutomationTick } from '../automation-types.js'
import { type TickRow, toTick } from '../rows/automation-ticks.js'

export class AutomationTicksTable {
  private readonly insertStmt: Database.Statement
  private readonly existsStmt: Database.Statement
  private readonly setRequestedStmt: Database.Statement
  private readonly listAllStmt: Database.Statement
  private readonly listKindStmt: Database.Statement
  private readonly listSourceStmt: Database.Statement
  private readonly sourcesStmt: Database.Statement
  private readonly cutoffStmt: Database.Statement
  private readonly pruneStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO automation_ticks (source_kind, source_name, tick_key, scheduled_for, evaluated_at, status, message, duration_ms)
      VALUES (@sourceKind, @sourceName, @tickKey, @scheduledFor, @evaluatedAt, @status, @message, @durationMs)`)
    this.existsStmt = db.prepare('SELECT 1 FROM automation_ticks WHERE source_kind = ? AND source_name = ? AND tick_key = ?').pluck()
    this.setRequestedStmt = db.prepare('UPDATE automation_ticks SET requested = ?, status = ?, message = ? WHERE tick_id = ?')
    this.listAllStmt = db.prepare('SELECT * FROM automation_ticks ORDER BY tick_id DESC LIMIT ?')
    this.listKindStmt = db.prepare('SELECT * FROM automation_ticks WHERE source_kind = ? ORDER BY tick_id DESC LIMIT ?')
    this.listSourceStmt = db.prepare('SELECT * FROM automation_ticks WHERE source_kind = ? AND source_name = ? ORDER BY tick_id DESC LIMIT ?')
    this.sourcesStmt = db.prepare('SELECT DISTINCT source_kind, source_name FROM automation_ticks')
    this.cutoffStmt = db.prepare('SELECT tick_id FROM automation_ticks WHERE source_kind = ? AND source_name = ? ORDER BY tick_id DESC LIMIT 1 OFFSET ?').pluck()
    this.pruneStmt = db.prepare(`
      DELETE FROM automation_ticks
      WHERE source_kind = ? AND source_name = ? AND tick_id < ? AND requested = 0
        AND NOT EXISTS (SELECT 1 FROM automation_evaluations e WHERE e.tick_id = automation_ticks.tick_id)
        AND NOT EXISTS (SELECT 1 FROM automation_requests r WHERE r.tick_id = automation_ticks.tick_id)`)
  }

  /**
   * Deletes the ticks of each source beyond its newest `keep` that requested
   * nothing and explain no stored evaluation (a sensor polling every 30 s
   * would otherwise add 2,880 rows a day). Call inside a write transaction.
   */
  prune(keep: number): number {
    let removed = 0
    for (const { source_kind, source_name } of this.sourcesStmt.all() as Array<{ source_kind: string; source_name: string }>) {
      const cutoff = this.cutoffStmt.get(source_kind, source_name, keep - 1) as number | undefined
      if (cutoff === undefined) continue
      removed += this.pruneStmt.run(source_kind, source_name, cutoff).changes
    }
    return removed
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
    return (rows as TickRow[]).map(toTick)
  }
}
