/**
 * The `models` table (one row per name and version) and its
 * `model_stage_history`: the SQL half of the registry. The stage rules that
 * decide what to write are backend-neutral (engine/registry/stage-rules.ts).
 */
import type Database from 'better-sqlite3'
import type { ModelStage, ModelStageChange, ModelVersion, NewModelVersion } from '../types.js'
import { toJson } from '../json.js'
import { type HistoryRow, type ModelRow as SharedModelRow, toChange, toModelVersion } from '../rows/models.js'

/** SQLite stores booleans as 0/1. */
type ModelRow = SharedModelRow<0 | 1>
const toModel = (row: ModelRow): ModelVersion => toModelVersion(row, (value) => value === 1)

export class ModelsTable {
  private readonly nextVersionStmt: Database.Statement
  private readonly insertStmt: Database.Statement
  private readonly getStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly listNameStmt: Database.Statement
  private readonly productionStmt: Database.Statement
  private readonly productionVersionsStmt: Database.Statement
  private readonly setStageStmt: Database.Statement
  private readonly namesStmt: Database.Statement
  private readonly insertHistoryStmt: Database.Statement
  private readonly historyStmt: Database.Statement
  private readonly historyVersionStmt: Database.Statement

  constructor(db: Database.Database) {
    this.nextVersionStmt = db.prepare('SELECT coalesce(max(version), 0) + 1 FROM models WHERE name = ?').pluck()
    this.insertStmt = db.prepare(`
      INSERT INTO models
        (name, version, stage, metrics, config, lineage, code_version, artifact, gate_passed, gate_reasons, description, created_at, stage_changed_at)
      VALUES
        (@name, @version, 'development', @metrics, @config, @lineage, @codeVersion, @artifact, @gatePassed, @gateReasons, @description, @createdAt, @createdAt)`)
    this.getStmt = db.prepare('SELECT * FROM models WHERE name = ? AND version = ?')
    this.listStmt = db.prepare('SELECT * FROM models ORDER BY name, version DESC')
    this.listNameStmt = db.prepare('SELECT * FROM models WHERE name = ? ORDER BY version DESC')
    this.productionStmt = db.prepare(`SELECT * FROM models WHERE name = ? AND stage = 'production'`)
    this.productionVersionsStmt = db.prepare(`SELECT name, version FROM models WHERE stage = 'production' AND name IN (SELECT value FROM json_each(?))`)
    this.setStageStmt = db.prepare('UPDATE models SET stage = ?, stage_changed_at = ? WHERE name = ? AND version = ?')
    this.namesStmt = db.prepare('SELECT DISTINCT name FROM models ORDER BY name LIMIT ?').pluck()
    this.insertHistoryStmt = db.prepare(`
      INSERT INTO model_stage_history (name, version, from_stage, to_stage, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    this.historyStmt = db.prepare('SELECT * FROM model_stage_history WHERE name = ? ORDER BY id')
    this.historyVersionStmt = db.prepare('SELECT * FROM model_stage_history WHERE name = ? AND version = ? ORDER BY id')
  }

  /** Inserts the next version of `m.name` in development with its `register` history entry; call inside a write transaction. */
  insert(m: NewModelVersion): ModelVersion {
    const version = this.nextVersionStmt.get(m.name) as number
    this.insertStmt.run({
      name: m.name,
      version,
      metrics: toJson(m.metrics),
      config: toJson(m.config),
      lineage: toJson(m.lineage),
      codeVersion: m.codeVersion,
      artifact: m.artifact,
      gatePassed: m.gate.passed ? 1 : 0,
      gateReasons: toJson(m.gate.reasons),
      description: m.description ?? null,
      createdAt: m.createdAt,
    })
    this.addHistory(m.name, version, null, 'development', 'register', undefined, m.createdAt)
    return this.get(m.name, version)!
  }

  get(name: string, version: number): ModelVersion | undefined {
    const row = this.getStmt.get(name, version) as ModelRow | undefined
    return row ? toModel(row) : undefined
  }

  list(name?: string): ModelVersion[] {
    return ((name === undefined ? this.listStmt.all() : this.listNameStmt.all(name)) as ModelRow[]).map(toModel)
  }

  production(name: string): ModelVersion | undefined {
    const row = this.productionStmt.get(name) as ModelRow | undefined
    return row ? toModel(row) : undefined
  }

  /** The production version of each of `names` that has one (by the partial unique index, one per name at most). */
  productionVersions(names: readonly string[]): Map<string, number> {
    const rows = this.productionVersionsStmt.all(JSON.stringify(names)) as Array<{ name: string; version: number }>
    return new Map(rows.map((r) => [r.name, r.version]))
  }

  names(limit: number): string[] {
    return this.namesStmt.all(limit) as string[]
  }

  /** Sets the stage and records the change; call inside a write transaction. */
  setStage(m: ModelVersion, to: ModelStage, kind: ModelStageChange['kind'], reason: string | undefined, now: number): ModelVersion {
    this.setStageStmt.run(to, now, m.name, m.version)
    this.addHistory(m.name, m.version, m.stage, to, kind, reason, now)
    return { ...m, stage: to, stageChangedAt: now }
  }

  private addHistory(name: string, version: number, from: ModelStage | null, to: ModelStage, kind: ModelStageChange['kind'], reason: string | undefined, at: number): void {
    this.insertHistoryStmt.run(name, version, from, to, kind, reason ?? null, at)
  }

  /** Stage changes of `name` (one version if given), oldest first. */
  history(name: string, version?: number): ModelStageChange[] {
    return ((version === undefined ? this.historyStmt.all(name) : this.historyVersionStmt.all(name, version)) as HistoryRow[]).map(toChange)
  }
}
