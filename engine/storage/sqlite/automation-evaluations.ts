/** The `automation_evaluations` table: what a condition evaluation found, when it changed or requested something. */
import type Database from 'better-sqlite3'
import type { AutomationEvaluationRecord, NewAutomationEvaluation } from '../automation-types.js'
import { toJson } from '../json.js'
import { type EvaluationRow, toEvaluation } from '../rows/automation-evaluations.js'

export class AutomationEvaluationsTable {
  private readonly insertStmt: Database.Statement
  private readonly listStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO automation_evaluations (tick_id, asset_key, condition, evaluated_at, partitions, true_count, requested, request_id, summary, detail, fingerprint)
      VALUES (@tickId, @assetKey, @condition, @evaluatedAt, @partitions, @trueCount, @requested, @requestId, @summary, @detail, @fingerprint)`)
    this.listStmt = db.prepare('SELECT * FROM automation_evaluations WHERE asset_key = ? ORDER BY evaluation_id DESC LIMIT ?')
  }

  /** Call inside a write transaction. */
  insert(e: NewAutomationEvaluation, tickId: number, requestId: number | undefined): void {
    this.insertStmt.run({
      tickId,
      assetKey: e.assetKey,
      condition: e.condition,
      evaluatedAt: e.evaluatedAt,
      partitions: e.partitions,
      trueCount: e.trueCount,
      requested: e.requested,
      requestId: requestId ?? null,
      summary: e.summary,
      detail: toJson(e.detail ?? null),
      fingerprint: e.fingerprint,
    })
  }

  list(assetKey: string, limit: number): AutomationEvaluationRecord[] {
    return (this.listStmt.all(assetKey, limit) as EvaluationRow[]).map(toEvaluation)
  }
}
