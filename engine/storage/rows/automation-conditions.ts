/** An `automation_conditions` row as both backends select it, and its record. */
import type { ConditionState } from '../automation-types.js'
import { setOptional } from '../json.js'

export interface ConditionRow {
  asset_key: string
  condition: string
  spec: string
  first_evaluated_at: number
  first_code_version: string
  last_evaluated_at: number
  code_version: string
  fingerprint: string | null
}

export function toConditionState(r: ConditionRow): ConditionState {
    const s: ConditionState = {
      assetKey: r.asset_key,
      condition: r.condition,
      spec: r.spec,
      firstEvaluatedAt: r.first_evaluated_at,
      firstCodeVersion: r.first_code_version,
      lastEvaluatedAt: r.last_evaluated_at,
      codeVersion: r.code_version,
    }
    setOptional(s, 'fingerprint', r.fingerprint)
    return s
}
