/** The `automation_cursors` table: where each schedule and sensor resumes. */
import type Database from 'better-sqlite3'
import type { AutomationCursor } from '../automation-types.js'
import { setOptional } from '../json.js'
import type { CursorRow } from '../rows/automation-cursors.js'

export class AutomationCursorsTable {
  private readonly upsertStmt: Database.Statement
  private readonly allStmt: Database.Statement

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare(`
      INSERT INTO automation_cursors (source_kind, source_name, cursor, last_run_key, last_tick_at, failures, next_at, updated_at)
      VALUES (@sourceKind, @sourceName, @cursor, @lastRunKey, @lastTickAt, @failures, @nextAt, @updatedAt)
      ON CONFLICT (source_kind, source_name) DO UPDATE SET
        cursor = excluded.cursor, last_run_key = excluded.last_run_key, last_tick_at = excluded.last_tick_at,
        failures = excluded.failures, next_at = excluded.next_at, updated_at = excluded.updated_at`)
    this.allStmt = db.prepare('SELECT * FROM automation_cursors ORDER BY source_kind, source_name')
  }

  /** Call inside a write transaction. */
  set(c: AutomationCursor): void {
    this.upsertStmt.run({
      sourceKind: c.sourceKind,
      sourceName: c.sourceName,
      cursor: c.cursor ?? null,
      lastRunKey: c.lastRunKey ?? null,
      lastTickAt: c.lastTickAt ?? null,
      failures: c.failures,
      nextAt: c.nextAt ?? null,
      updatedAt: c.updatedAt,
    })
  }

  all(): AutomationCursor[] {
    return (this.allStmt.all() as CursorRow[]).map((r) => {
      const c: AutomationCursor = { sourceKind: r.source_kind, sourceName: r.source_name, failures: r.failures, updatedAt: r.updated_at }
      setOptional(c, 'cursor', r.cursor)
      setOptional(c, 'lastRunKey', r.last_run_key)
      setOptional(c, 'lastTickAt', r.last_tick_at)
      setOptional(c, 'nextAt', r.next_at)
      return c
    })
  }
}
