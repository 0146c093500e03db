/** The append-only `events` table. Appending takes the events lock (see locks.ts), so `afterId` never skips an event. */
import type { EventRecord, EventType, NewEvent } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type EventRow, toEventRecord } from '../rows/events.js'

/**
 * Inserts events in one statement, ids in the given order; call inside a
 * transaction holding the events lock. Returns their ids.
 */
export async function insertEvents(tx: Sql, events: readonly NewEvent[]): Promise<number[]> {
  if (events.length === 0) return []
  const cols: unknown[][] = [[], [], [], [], [], [], [], []]
  for (const e of events) {
    cols[0]!.push(e.runId)
    cols[1]!.push(e.ts)
    cols[2]!.push(e.type)
    cols[3]!.push(e.assetKey ?? null)
    cols[4]!.push(e.partitionKey ?? null)
    cols[5]!.push(e.level ?? null)
    cols[6]!.push(e.message ?? null)
    cols[7]!.push(e.data === undefined ? null : toJson(e.data))
  }
  // WITH ORDINALITY + ORDER BY keeps nextval in list order, so ids follow the given order.
  const rows = await tx.rows<{ id: number }>(
    `INSERT INTO events (run_id, ts, type, asset_key, partition_key, level, message, data)
     SELECT run_id, ts, type, asset_key, partition_key, level, message, data
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS e(run_id, ts, type, asset_key, partition_key, level, message, data, n)
     ORDER BY n
     RETURNING id`,
    cols,
  )
  return rows.map((r) => r.id).sort((a, b) => a - b)
}

export async function listEvents(sql: Sql, runId: string, opts: { afterId?: number; limit?: number; types?: EventType[] } = {}): Promise<EventRecord[]> {
  const rows = await sql.rows<EventRow>(
    `SELECT id, run_id, ts, type, asset_key, partition_key, level, message, data FROM events
     WHERE run_id = $1 AND id > $2 AND ($3::text[] IS NULL OR type = ANY($3::text[]))
     ORDER BY id
     LIMIT $4`,
    [runId, opts.afterId ?? 0, opts.types ?? null, opts.limit ?? null],
  )
  return rows.map(toEventRecord)
}
