/**
 * `models` and `model_stage_history` rows as both backends select them, and
 * their values. `gate_passed` is a 0/1 integer in SQLite and a boolean in
 * PostgreSQL, so the model row is generic in that column type and each
 * backend passes its own reader.
 */
import type { ModelStage, ModelStageChange, ModelVersion } from '../types.js'
import { fromJson, setOptional } from '../json.js'

export interface ModelRow<Flag> {
  name: string
  version: number
  stage: ModelStage
  metrics: string
  config: string
  lineage: string
  code_version: string
  artifact: string
  gate_passed: Flag
  gate_reasons: string
  description: string | null
  created_at: number
  stage_changed_at: number
}

export interface HistoryRow {
  id: number
  name: string
  version: number
  from_stage: ModelStage | null
  to_stage: ModelStage
  kind: ModelStageChange['kind']
  reason: string | null
  at: number
}

export function toModelVersion<Flag>(row: ModelRow<Flag>, flag: (value: Flag) => boolean): ModelVersion {
  const m: ModelVersion = {
    name: row.name,
    version: row.version,
    stage: row.stage,
    metrics: fromJson(row.metrics, {}),
    config: fromJson(row.config, {}),
    lineage: fromJson(row.lineage, {}),
    codeVersion: row.code_version,
    artifact: row.artifact,
    gate: { passed: flag(row.gate_passed), reasons: fromJson<string[]>(row.gate_reasons, []) },
    createdAt: row.created_at,
    stageChangedAt: row.stage_changed_at,
  }
  setOptional(m, 'description', row.description)
  return m
}

export function toChange(row: HistoryRow): ModelStageChange {
  const c: ModelStageChange = { id: row.id, name: row.name, version: row.version, from: row.from_stage, to: row.to_stage, at: row.at, kind: row.kind }
  setOptional(c, 'reason', row.reason)
  return c
}
