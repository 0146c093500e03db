/** The `models` and `model_stage_history` tables on PostgreSQL (migration 002): rows to values and back. */
import type { ModelStage, ModelStageChange, ModelVersion } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type HistoryRow, type ModelRow as SharedModelRow, toChange, toModelVersion } from '../rows/models.js'

/** PostgreSQL returns boolean columns as booleans. */
type ModelRow = SharedModelRow<boolean>
const toModel = (row: ModelRow): ModelVersion => toModelVersion(row, (value) => value)

export async function getModel(sql: Sql, name: string, version: number): Promise<ModelVersion | undefined> {
  const row = await sql.one<ModelRow>('SELECT * FROM models WHERE name = $1 AND version = $2', [name, version])
  return row ? toModel(row) : undefined
}

/** Versions of `name` (every model when undefined), by name then newest version first. */
export async function listModels(sql: Sql, name?: string): Promise<ModelVersion[]> {
  const rows =
    name === undefined
      ? await sql.rows<ModelRow>('SELECT * FROM models ORDER BY name, version DESC')
      : await sql.rows<ModelRow>('SELECT * FROM models WHERE name = $1 ORDER BY version DESC', [name])
  return rows.map(toModel)
}

/** The production version of `name` and, when given, version `version`, newest first; and the highest version number (0: none), in one query. */
export async function someModels(sql: Sql, name: string, version?: number): Promise<{ versions: ModelVersion[]; maxVersion: number }> {
  const rows = await sql.rows<Partial<ModelRow> & { max_version: number | null }>(
    `SELECT m.*, x.max_version FROM (SELECT max(version) AS max_version FROM models WHERE name = $1) x
     LEFT JOIN models m ON m.name = $1 AND (m.stage = 'production' OR m.version = $2)
     ORDER BY m.version DESC`,
    [name, version ?? null],
  )
  return { versions: rows.flatMap((r) => (r.name === null || r.name === undefined ? [] : [toModel(r as ModelRow)])), maxVersion: rows[0]?.max_version ?? 0 }
}

export async function productionVersions(sql: Sql, names: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql.rows<{ name: string; version: number }>(`SELECT name, version FROM models WHERE stage = 'production' AND name = ANY($1::text[])`, [[...names]])
  return new Map(rows.map((r) => [r.name, r.version]))
}

/** Stage changes of `name` (one version if given), oldest first. */
export async function modelHistory(sql: Sql, name: string, version?: number): Promise<ModelStageChange[]> {
  const rows =
    version === undefined
      ? await sql.rows<HistoryRow>('SELECT * FROM model_stage_history WHERE name = $1 ORDER BY id', [name])
      : await sql.rows<HistoryRow>('SELECT * FROM model_stage_history WHERE name = $1 AND version = $2 ORDER BY id', [name, version])
  return rows.map(toChange)
}

export async function modelNames(sql: Sql, limit: number): Promise<string[]> {
  return (await sql.rows<{ name: string }>('SELECT DISTINCT name FROM models ORDER BY name LIMIT $1', [limit])).map((r) => r.name)
}

export async function modelArtifacts(sql: Sql): Promise<string[]> {
  return (await sql.rows<{ artifact: string }>('SELECT DISTINCT artifact FROM models')).map((r) => r.artifact)
}

/** Inserts a version row as it is (number and stage decided by the stage rules). */
export async function insertModel(sql: Sql, m: ModelVersion): Promise<void> {
  await sql.exec(
    `INSERT INTO models (name, version, stage, metrics, config, lineage, code_version, artifact, gate_passed, gate_reasons, description, created_at, stage_changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [m.name, m.version, m.stage, toJson(m.metrics), toJson(m.config), toJson(m.lineage), m.codeVersion, m.artifact, m.gate.passed, toJson(m.gate.reasons), m.description ?? null, m.createdAt, m.stageChangedAt],
  )
}

export async function updateModelStage(sql: Sql, name: string, version: number, stage: ModelStage, at: number): Promise<void> {
  await sql.exec('UPDATE models SET stage = $1, stage_changed_at = $2 WHERE name = $3 AND version = $4', [stage, at, name, version])
}

export async function insertHistory(sql: Sql, c: Omit<ModelStageChange, 'id'>): Promise<void> {
  await sql.exec('INSERT INTO model_stage_history (name, version, from_stage, to_stage, kind, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    c.name,
    c.version,
    c.from,
    c.to,
    c.kind,
    c.reason ?? null,
    c.at,
  ])
}
