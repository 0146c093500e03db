/** The append-only `events` table. */
import type Database from 'better-sqlite3'
import type { EventRecord, EventType, NewEvent } from '../types.js'
import { toJson } from '../json.js'
import { type EventRow, toEventRecord } from '../rows/events.js'

export class EventsTable {
  private readonly insertStmt: Database.Statement
  private readonly listStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO events (run_id, ts, type, asset_key, partition_key, level, message, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    // `types` is a JSON array (or NULL for all types), so one statement serves every filter.
    this.listStmt = db.prepare(`
      SELECT * FROM events
      WHERE run_id = @runId AND id > @afterId
        AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
      ORDER BY id
      LIMIT @limit`)
  }

  /** Inserts one event; call inside a write transaction. Returns its id. */
  insert(e: NewEvent): number {
    // Positional: binding by name costs a property lookup per parameter, on the hottest insert of a run.
    const info = this.insertStmt.run(e.runId, e.ts, e.type, e.assetKey ?? null, e.partitionKey ?? null, e.level ?? null, e.message ?? null, e.data === undefined ? null : toJson(e.data))
    return Number(info.lastInsertRowid)
  }

  list(runId: string, opts: { afterId?: number; limit?: number; types?: EventType[] } = {}): EventRecord[] {
    const rows = this.listStmt.all({
      runId,
      afterId: opts.afterId ?? 0,
      types: opts.types ? toJson(opts.types) : null,
      limit: opts.limit ?? -1,
    }) as EventRow[]
    return rows.map(toEventRecord)
  }
}
