/** The `automation_conditions` table: per asset and condition, its first and last evaluation. */
import type Database from 'better-sqlite3'
import type { ConditionState } from '../automation-types.js'
import { type ConditionRow, toConditionState } from '../rows/automation-conditions.js'

export class AutomationConditionsTable {
  private readonly upsertStmt: Database.Statement
  private readonly allStmt: Database.Statement

  constructor(db: Database.Database) {
    // The first evaluation is kept as it was: it is what "became missing or stale since" is measured from.
    this.upsertStmt = db.prepare(`
      INSERT INTO automation_conditions (asset_key, condition, spec, first_evaluated_at, first_code_version, last_evaluated_at, code_version, fingerprint)
      VALUES (@assetKey, @condition, @spec, @firstEvaluatedAt, @firstCodeVersion, @lastEvaluatedAt, @codeVersion, @fingerprint)
      ON CONFLICT (asset_key, condition) DO UPDATE SET
        last_evaluated_at = excluded.last_evaluated_at, code_version = excluded.code_version,
        fingerprint = coalesce(excluded.fingerprint, automation_conditions.fingerprint)`)
    this.allStmt = db.prepare('SELECT * FROM automation_conditions')
  }

  /** Call inside a write transaction. */
  set(s: ConditionState): void {
    this.upsertStmt.run({ ...s, fingerprint: s.fingerprint ?? null })
  }

  all(): ConditionState[] {
    return (this.allStmt.all() as ConditionRow[]).map(toConditionState)
  }
}
