/** The `check_results` history and its `latest_check_results` index. */
import type { CheckCounts, CheckResultRecord, NewCheckResult } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type CheckResultRow as SharedCheckResultRow, toCheckResult } from '../rows/check-results.js'

/** PostgreSQL returns boolean columns as booleans. */
type CheckResultRow = SharedCheckResultRow<boolean>
const toRecord = (row: CheckResultRow): CheckResultRecord => toCheckResult(row, (value) => value)

const R_COLUMNS = 'r.id, r.asset_key, r.partition_key, r.check_name, r.passed, r.blocking, r.message, r.metadata, r.run_id, r.materialization_id, r.ts'

/** Inserts a result and makes it the latest for its (asset, partition, check) unless a newer one is; returns its id. */
export async function insertCheckResult(tx: Sql, r: NewCheckResult): Promise<number> {
  const row = await tx.one<{ id: number }>(
    `INSERT INTO check_results (asset_key, partition_key, check_name, passed, blocking, message, metadata, run_id, materialization_id, ts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [r.assetKey, r.partitionKey, r.checkName, r.passed, r.blocking, r.message ?? null, toJson(r.metadata ?? {}), r.runId, r.materializationId ?? null, r.ts],
  )
  const id = row!.id
  await tx.exec(
    `INSERT INTO latest_check_results (asset_key, partition_key, check_name, result_id, passed, blocking) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (asset_key, partition_key, check_name) DO UPDATE
       SET result_id = excluded.result_id, passed = excluded.passed, blocking = excluded.blocking
       WHERE excluded.result_id > latest_check_results.result_id`,
    [r.assetKey, r.partitionKey, r.checkName, id, r.passed, r.blocking],
  )
  return id
}

export async function latestCheckResults(sql: Sql, assetKey: string, partitionKey?: string): Promise<CheckResultRecord[]> {
  const from = 'FROM latest_check_results l JOIN check_results r ON r.id = l.result_id'
  const rows =
    partitionKey === undefined
      ? await sql.rows<CheckResultRow>(`SELECT ${R_COLUMNS} ${from} WHERE l.asset_key = $1 ORDER BY l.partition_key, l.check_name`, [assetKey])
      : await sql.rows<CheckResultRow>(`SELECT ${R_COLUMNS} ${from} WHERE l.asset_key = $1 AND l.partition_key = $2 ORDER BY l.check_name`, [assetKey, partitionKey])
  return rows.map(toRecord)
}

export async function countCheckResults(sql: Sql, assetKeys?: readonly string[]): Promise<CheckCounts[]> {
  return sql.rows<CheckCounts>(
    `SELECT asset_key AS "assetKey", check_name AS "checkName",
            count(*) FILTER (WHERE passed)::int AS passed,
            count(*) FILTER (WHERE NOT passed AND blocking)::int AS failed,
            count(*) FILTER (WHERE NOT passed AND NOT blocking)::int AS warned
     FROM latest_check_results
     WHERE $1::text[] IS NULL OR asset_key = ANY($1::text[])
     GROUP BY asset_key, check_name ORDER BY asset_key, check_name`,
    [assetKeys ? [...assetKeys] : null],
  )
}
