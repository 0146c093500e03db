/**
 * The daemon lease, ticks, cursors, condition states and evaluations on
 * PostgreSQL (migration 003): the same rows as on SQLite (see
 * ../sqlite/automation-*.ts), as functions over a connection or transaction.
 */
import type {
  AutomationCursor,
  AutomationEvaluationRecord,
  AutomationSourceKind,
  AutomationTickRecord,
  ConditionState,
  DaemonLease,
  LeaseClaim,
  NewAutomationEvaluation,
  NewAutomationTick,
} from '../automation-types.js'
import type { Sql } from './db.js'
import { setOptional, toJson } from '../json.js'
import { type TickRow, toTick } from '../rows/automation-ticks.js'
import type { CursorRow } from '../rows/automation-cursors.js'
import { type ConditionRow, toConditionState } from '../rows/automation-conditions.js'
import { type EvaluationRow, toEvaluation } from '../rows/automation-evaluations.js'

// The daemon lease: one row, changed only by single-statement compare-and-sets, atomic across hosts.

interface LeaseRow {
  owner: string
  pid: number
  host: string
  acquired_at: number
  heartbeat_at: number
  expires_at: number
}

export async function getLease(sql: Sql): Promise<DaemonLease | undefined> {
  const r = await sql.one<LeaseRow>('SELECT * FROM daemon_lease WHERE id = 1')
  return r ? { owner: r.owner, pid: r.pid, host: r.host, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at, expiresAt: r.expires_at } : undefined
}

/** Takes the lease if it is free (`previous` undefined), or still held by `previous` (judged dead or expired). */
export async function takeLease(sql: Sql, c: LeaseClaim, previous: string | undefined): Promise<boolean> {
  const params = [c.owner, c.pid, c.host, c.now, c.now + c.ttlMs]
  if (previous === undefined) {
    return (await sql.exec(`INSERT INTO daemon_lease (id, owner, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (1, $1, $2, $3, $4, $4, $5) ON CONFLICT (id) DO NOTHING`, params)) > 0
  }
  return (
    (await sql.exec(`UPDATE daemon_lease SET owner = $1, pid = $2, host = $3, acquired_at = $4, heartbeat_at = $4, expires_at = $5 WHERE id = 1 AND owner = $6`, [
      ...params,
      previous,
    ])) > 0
  )
}

export async function renewLease(sql: Sql, owner: string, now: number, ttlMs: number): Promise<boolean> {
  return (await sql.exec('UPDATE daemon_lease SET heartbeat_at = $1, expires_at = $2 WHERE id = 1 AND owner = $3', [now, now + ttlMs, owner])) > 0
}

export async function releaseLease(sql: Sql, owner: string): Promise<void> {
  await sql.exec('DELETE FROM daemon_lease WHERE id = 1 AND owner = $1', [owner])
}

// Ticks.

export async function tickExists(sql: Sql, t: NewAutomationTick): Promise<boolean> {
  if (t.tickKey === undefined) return false
  return (await sql.one('SELECT 1 FROM automation_ticks WHERE source_kind = $1 AND source_name = $2 AND tick_key = $3', [t.sourceKind, t.sourceName, t.tickKey])) !== undefined
}

export async function insertTick(sql: Sql, t: NewAutomationTick): Promise<number> {
  const row = await sql.one<{ tick_id: number }>(
    `INSERT INTO automation_ticks (source_kind, source_name, tick_key, scheduled_for, evaluated_at, status, message, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING tick_id`,
    [t.sourceKind, t.sourceName, t.tickKey ?? null, t.scheduledFor ?? null, t.evaluatedAt, t.status, t.message ?? null, t.durationMs === undefined ? null : Math.round(t.durationMs)],
  )
  return row!.tick_id
}

export async function setTickOutcome(sql: Sql, tickId: number, requested: number, status: NewAutomationTick['status'], message: string | undefined): Promise<void> {
  await sql.exec('UPDATE automation_ticks SET requested = $1, status = $2, message = $3 WHERE tick_id = $4', [requested, status, message ?? null, tickId])
}

export async function listTicks(sql: Sql, opts: { sourceKind?: AutomationSourceKind; sourceName?: string; limit?: number } = {}): Promise<AutomationTickRecord[]> {
  const limit = opts.limit ?? 50
  const rows =
    opts.sourceKind === undefined
      ? await sql.rows<TickRow>('SELECT * FROM automation_ticks ORDER BY tick_id DESC LIMIT $1', [limit])
      : opts.sourceName === undefined
        ? await sql.rows<TickRow>('SELECT * FROM automation_ticks WHERE source_kind = $1 ORDER BY tick_id DESC LIMIT $2', [opts.sourceKind, limit])
        : await sql.rows<TickRow>('SELECT * FROM automation_ticks WHERE source_kind = $1 AND source_name = $2 ORDER BY tick_id DESC LIMIT $3', [opts.sourceKind, opts.sourceName, limit])
  return rows.map(toTick)
}

/** Deletes each source's ticks beyond its newest `keep` that requested nothing and explain no stored evaluation; call in a transaction. */
export async function pruneTicks(tx: Sql, keep: number): Promise<number> {
  let removed = 0
  for (const s of await tx.rows<{ source_kind: string; source_name: string }>('SELECT DISTINCT source_kind, source_name FROM automation_ticks')) {
    const cutoff = await tx.one<{ tick_id: number }>('SELECT tick_id FROM automation_ticks WHERE source_kind = $1 AND source_name = $2 ORDER BY tick_id DESC LIMIT 1 OFFSET $3', [
      s.source_kind,
      s.source_name,
      keep - 1,
    ])
    if (cutoff === undefined) continue
    removed += await tx.exec(
      `DELETE FROM automation_ticks t
       WHERE source_kind = $1 AND source_name = $2 AND tick_id < $3 AND requested = 0
         AND NOT EXISTS (SELECT 1 FROM automation_evaluations e WHERE e.tick_id = t.tick_id)
         AND NOT EXISTS (SELECT 1 FROM automation_requests r WHERE r.tick_id = t.tick_id)`,
      [s.source_kind, s.source_name, cutoff.tick_id],
    )
  }
  return removed
}

// Cursors.

export async function setCursor(sql: Sql, c: AutomationCursor): Promise<void> {
  await sql.exec(
    `INSERT INTO automation_cursors (source_kind, source_name, cursor, last_run_key, last_tick_at, failures, next_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source_kind, source_name) DO UPDATE SET
       cursor = excluded.cursor, last_run_key = excluded.last_run_key, last_tick_at = excluded.last_tick_at,
       failures = excluded.failures, next_at = excluded.next_at, updated_at = excluded.updated_at`,
    [c.sourceKind, c.sourceName, c.cursor ?? null, c.lastRunKey ?? null, c.lastTickAt ?? null, c.failures, c.nextAt ?? null, c.updatedAt],
  )
}

export async function allCursors(sql: Sql): Promise<AutomationCursor[]> {
  return (await sql.rows<CursorRow>('SELECT * FROM automation_cursors ORDER BY source_kind, source_name')).map((r) => {
    const c: AutomationCursor = { sourceKind: r.source_kind, sourceName: r.source_name, failures: r.failures, updatedAt: r.updated_at }
    setOptional(c, 'cursor', r.cursor)
    setOptional(c, 'lastRunKey', r.last_run_key)
    setOptional(c, 'lastTickAt', r.last_tick_at)
    setOptional(c, 'nextAt', r.next_at)
    return c
  })
}

// Condition states: the first evaluation is kept as it was (what "since" is measured from).

export async function setCondition(sql: Sql, s: ConditionState): Promise<void> {
  await sql.exec(
    `INSERT INTO automation_conditions (asset_key, condition, spec, first_evaluated_at, first_code_version, last_evaluated_at, code_version, fingerprint)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (asset_key, condition) DO UPDATE SET
       last_evaluated_at = excluded.last_evaluated_at, code_version = excluded.code_version,
       fingerprint = coalesce(excluded.fingerprint, automation_conditions.fingerprint)`,
    [s.assetKey, s.condition, s.spec, s.firstEvaluatedAt, s.firstCodeVersion, s.lastEvaluatedAt, s.codeVersion, s.fingerprint ?? null],
  )
}

export async function allConditions(sql: Sql): Promise<ConditionState[]> {
  return (await sql.rows<ConditionRow>('SELECT * FROM automation_conditions')).map(toConditionState)
}

// Evaluations.

export async function insertEvaluation(sql: Sql, e: NewAutomationEvaluation, tickId: number, requestId: number | undefined): Promise<void> {
  await sql.exec(
    `INSERT INTO automation_evaluations (tick_id, asset_key, condition, evaluated_at, partitions, true_count, requested, request_id, summary, detail, fingerprint)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [tickId, e.assetKey, e.condition, e.evaluatedAt, e.partitions, e.trueCount, e.requested, requestId ?? null, e.summary, toJson(e.detail ?? null), e.fingerprint],
  )
}

export async function listEvaluations(sql: Sql, assetKey: string, limit: number): Promise<AutomationEvaluationRecord[]> {
  const rows = await sql.rows<EvaluationRow>('SELECT * FROM automation_evaluations WHERE asset_key = $1 ORDER BY evaluation_id DESC LIMIT $2', [assetKey, limit])
  return rows.map(toEvaluation)
}
