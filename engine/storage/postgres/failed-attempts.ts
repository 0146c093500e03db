/**
 * Failed last attempts of unpartitioned assets with their error messages, in
 * one statement (see the SQLite twin): the newest STEP_FAILURE event of that
 * asset in the failing run, else the run's RUN_FAILURE message.
 */
import type { FailedAttempt } from '../types.js'
import type { Sql } from './db.js'

interface FailureRow {
  assetKey: string
  runId: string
  failedAt: number
  message: string | null
}

export async function failedAttempts(sql: Sql, assetKeys: readonly string[]): Promise<FailedAttempt[]> {
  if (assetKeys.length === 0) return []
  const rows = await sql.rows<FailureRow>(
    `SELECT s.asset_key AS "assetKey", s.run_id AS "runId", s.updated_at AS "failedAt", coalesce(
       (SELECT e.message FROM events e
         WHERE e.run_id = s.run_id AND e.type = 'STEP_FAILURE' AND e.asset_key = s.asset_key AND coalesce(e.partition_key, '') = ''
         ORDER BY e.id DESC LIMIT 1),
       (SELECT e.message FROM events e WHERE e.run_id = s.run_id AND e.type = 'RUN_FAILURE' ORDER BY e.id DESC LIMIT 1)) AS message
     FROM unnest($1::text[]) WITH ORDINALITY AS k(asset_key, n)
       JOIN partition_states s ON s.asset_key = k.asset_key AND s.partition_key = ''
     WHERE s.state = 'FAILED'
     ORDER BY k.n`,
    [[...new Set(assetKeys)]],
  )
  return rows.map(({ assetKey, runId, failedAt, message }) => (message === null ? { assetKey, runId, failedAt } : { assetKey, runId, failedAt, message }))
}
