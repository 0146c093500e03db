/** The `materializations` table: every stored output, newest ids last. */
import type Database from 'better-sqlite3'
import type { MaterializationRecord, NewMaterialization } from '../types.js'
import { toJson } from '../json.js'
import { type MaterializationRow, toMaterialization } from '../rows/materializations.js'

export class MaterializationsTable {
  private readonly insertStmt: Database.Statement
  private readonly getStmt: Database.Statement
  private readonly existsStmt: Database.Statement
  private readonly listStmt: Database.Statement
  private readonly listPartitionStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO materializations
        (asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, metadata, started_at, ended_at)
      VALUES
        (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.getStmt = db.prepare('SELECT * FROM materializations WHERE id = ?')
    this.existsStmt = db.prepare('SELECT 1 FROM materializations WHERE id = ?').pluck()
    this.listStmt = db.prepare('SELECT * FROM materializations WHERE asset_key = ? ORDER BY id DESC LIMIT ?')
    this.listPartitionStmt = db.prepare(
      'SELECT * FROM materializations WHERE asset_key = ? AND partition_key = ? ORDER BY id DESC LIMIT ?',
    )
  }

  /** Inserts one materialization; call inside a write transaction. Returns its id. */
  insert(m: NewMaterialization): number {
    // Positional, as the events insert: one row per step of every run.
    const info = this.insertStmt.run(m.assetKey, m.partitionKey, m.runId, m.codeVersion, m.dataVersion, m.location, m.format, m.bytes, toJson(m.metadata ?? {}), m.startedAt, m.endedAt)
    return Number(info.lastInsertRowid)
  }

  get(id: number): MaterializationRecord | undefined {
    const row = this.getStmt.get(id) as MaterializationRow | undefined
    return row ? toMaterialization(row) : undefined
  }

  exists(id: number): boolean {
    return this.existsStmt.get(id) !== undefined
  }

  list(assetKey: string, opts: { partitionKey?: string; limit?: number } = {}): MaterializationRecord[] {
    const limit = opts.limit ?? -1
    const rows = (
      opts.partitionKey === undefined
        ? this.listStmt.all(assetKey, limit)
        : this.listPartitionStmt.all(assetKey, opts.partitionKey, limit)
    ) as MaterializationRow[]
    return rows.map(toMaterialization)
  }
}
