/**
 * Automation run requests on PostgreSQL (migration 003): `automation_requests`
 * with the (asset, partition) slots each materializes, in the order given,
 * and the run keys each sensor has used.
 */
import type { AutomationRequestRecord, AutomationRequestStatus, AutomationSourceKind, NewAutomationRequest } from '../automation-types.js'
import type { SlotKey } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type RequestRow, toRequest } from '../rows/automation-requests.js'

/** Rows to records, with the slots of all of them read in one query. */
async function withSlots(sql: Sql, rows: RequestRow[]): Promise<AutomationRequestRecord[]> {
  if (rows.length === 0) return []
  const slots = await sql.rows<{ request_id: number; asset_key: string; partition_key: string }>(
    'SELECT request_id, asset_key, partition_key FROM automation_request_slots WHERE request_id = ANY($1::bigint[]) ORDER BY seq',
    [rows.map((r) => r.request_id)],
  )
  const byRequest = new Map<number, SlotKey[]>()
  for (const s of slots) {
    const list = byRequest.get(s.request_id) ?? []
    list.push({ assetKey: s.asset_key, partitionKey: s.partition_key })
    byRequest.set(s.request_id, list)
  }
  return rows.map((r) => toRequest(r, byRequest.get(r.request_id) ?? []))
}

export async function requestIdByKey(sql: Sql, requestKey: string): Promise<number | undefined> {
  return (await sql.one<{ request_id: number }>('SELECT request_id FROM automation_requests WHERE request_key = $1', [requestKey]))?.request_id
}

/** Inserts a QUEUED request and its slots (duplicates ignored); returns its id. */
export async function insertRequest(tx: Sql, r: NewAutomationRequest, tickId: number | undefined): Promise<number> {
  const row = await tx.one<{ request_id: number }>(
    `INSERT INTO automation_requests (request_key, run_id, tick_id, source_kind, source_name, selection, asset_keys, partition_keys, reason, tags, run_key, status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'QUEUED', $12) RETURNING request_id`,
    [
      r.requestKey,
      r.runId,
      tickId ?? null,
      r.sourceKind,
      r.sourceName,
      r.selection,
      toJson(r.assetKeys),
      r.partitionKeys ? toJson(r.partitionKeys) : null,
      r.reason,
      toJson(r.tags),
      r.runKey ?? null,
      r.createdAt,
    ],
  )
  const id = row!.request_id
  if (r.slots.length) {
    await tx.exec(
      `INSERT INTO automation_request_slots (request_id, asset_key, partition_key)
       SELECT $1, a, p FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s(a, p, n) ORDER BY n
       ON CONFLICT DO NOTHING`,
      [id, r.slots.map((s) => s.assetKey), r.slots.map((s) => s.partitionKey)],
    )
  }
  return id
}

export async function getRequest(sql: Sql, requestId: number): Promise<AutomationRequestRecord | undefined> {
  const row = await sql.one<RequestRow>('SELECT * FROM automation_requests WHERE request_id = $1', [requestId])
  return row ? (await withSlots(sql, [row]))[0] : undefined
}

/** Oldest first when filtered by status (the launch order), else newest first. */
export async function listRequests(
  sql: Sql,
  opts: { statuses?: AutomationRequestStatus[]; limit?: number; sourceKind?: AutomationSourceKind; sourceName?: string } = {},
): Promise<AutomationRequestRecord[]> {
  const where: string[] = []
  const params: unknown[] = []
  if (opts.statuses?.length) {
    params.push([...opts.statuses])
    where.push(`status = ANY($${params.length}::text[])`)
  }
  if (opts.sourceKind !== undefined) {
    params.push(opts.sourceKind)
    where.push(`source_kind = $${params.length}`)
  }
  if (opts.sourceName !== undefined) {
    params.push(opts.sourceName)
    where.push(`source_name = $${params.length}`)
  }
  params.push(opts.limit ?? null)
  const order = opts.statuses?.length ? 'request_id ASC' : 'request_id DESC'
  const rows = await sql.rows<RequestRow>(`SELECT * FROM automation_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.length}`, params)
  return withSlots(sql, rows)
}

export async function markLaunched(sql: Sql, requestId: number, now: number): Promise<boolean> {
  return (await sql.exec(`UPDATE automation_requests SET status = 'LAUNCHED', launched_at = $1 WHERE request_id = $2 AND status = 'QUEUED'`, [now, requestId])) > 0
}

export async function markDone(sql: Sql, requestId: number, now: number, runStatus: string | undefined): Promise<boolean> {
  return (await sql.exec(`UPDATE automation_requests SET status = 'DONE', ended_at = $1, run_status = $2 WHERE request_id = $3 AND status != 'DONE'`, [now, runStatus ?? null, requestId])) > 0
}

export async function lastRequestTimes(sql: Sql): Promise<Array<SlotKey & { requestedAt: number }>> {
  const rows = await sql.rows<{ asset_key: string; partition_key: string; at: number }>(
    `SELECT s.asset_key, s.partition_key, max(r.created_at) AS at FROM automation_request_slots s JOIN automation_requests r ON r.request_id = s.request_id
     GROUP BY s.asset_key, s.partition_key`,
  )
  return rows.map((r) => ({ assetKey: r.asset_key, partitionKey: r.partition_key, requestedAt: r.at }))
}

/** The request that used a sensor's run key, if any. */
export async function runKeyRequest(sql: Sql, sensor: string, runKey: string): Promise<number | undefined> {
  return (await sql.one<{ request_id: number }>('SELECT request_id FROM automation_run_keys WHERE sensor_name = $1 AND run_key = $2', [sensor, runKey]))?.request_id
}

export async function useRunKey(tx: Sql, sensor: string, runKey: string, requestId: number, now: number): Promise<void> {
  await tx.exec('INSERT INTO automation_run_keys (sensor_name, run_key, request_id, used_at) VALUES ($1, $2, $3, $4)', [sensor, runKey, requestId, now])
}

export async function requestIdExists(sql: Sql, requestId: number): Promise<boolean> {
  return (await sql.one('SELECT 1 FROM automation_requests WHERE request_id = $1', [requestId])) !== undefined
}
