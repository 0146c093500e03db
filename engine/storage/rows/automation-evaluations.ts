/** An `automation_evaluations` row as both backends select it, and its record. */
import type { AutomationEvaluationRecord } from '../automation-types.js'
import { fromJson, setOptional } from '../json.js'

export interface EvaluationRow {
  evaluation_id: number
  tick_id: number
  asset_key: string
  condition: string
  evaluated_at: number
  partitions: number
  true_count: number
  requested: number
  request_id: number | null
  summary: string
  detail: string
  fingerprint: string
}

export function toEvaluation(r: EvaluationRow): AutomationEvaluationRecord {
    const e: AutomationEvaluationRecord = {
      evaluationId: r.evaluation_id,
      tickId: r.tick_id,
      assetKey: r.asset_key,
      condition: r.condition,
      evaluatedAt: r.evaluated_at,
      partitions: r.partitions,
      trueCount: r.true_count,
      requested: r.requested,
      summary: r.summary,
      detail: fromJson<unknown>(r.detail, null),
      fingerprint: r.fingerprint,
    }
    setOptional(e, 'requestId', r.request_id)
    return e
}
