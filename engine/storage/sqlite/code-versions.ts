/** The `code_versions` table: the components of each recorded (asset, code version). */
import type Database from 'better-sqlite3'
import type { CodeVersionRecord } from '../types.js'
import { fromJson, toJson } from '../json.js'

export class CodeVersionsTable {
  private readonly insertStmt: Database.Statement
  private readonly getStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO code_versions (asset_key, code_version, components, recorded_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (asset_key, code_version) DO NOTHING`)
    this.getStmt = db.prepare('SELECT components FROM code_versions WHERE asset_key = ? AND code_version = ?').pluck()
  }

  /** Keeps the first record of each (asset, version): a version is a hash of its components, so later ones are the same. Call inside a write transaction. */
  insert(records: readonly CodeVersionRecord[], now: number): void {
    for (const r of records) this.insertStmt.run(r.assetKey, r.codeVersion, toJson(r.components), now)
  }

  get(assetKey: string, codeVersion: string): CodeVersionRecord | undefined {
    const text = this.getStmt.get(assetKey, codeVersion) as string | undefined
    return text === undefined ? undefined : { assetKey, codeVersion, components: fromJson<Record<string, string>>(text, {}) }
  }
}
