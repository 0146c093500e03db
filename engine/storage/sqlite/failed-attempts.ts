/**
 * Failed last attempts of unpartitioned assets with their error messages, in
 * one statement: the FAILED rows of `partition_states` (primary-key lookups
 * for the given assets), each with the newest STEP_FAILURE event of that
 * asset in the failing run, found through the events' (run_id, id) index.
 * A run whose process died has no STEP_FAILURE event; its RUN_FAILURE message
 * (written by failOrphanedRuns) says so instead.
 */
import type Database from 'better-sqlite3'
import type { FailedAttempt } from '../types.js'
import { toJson } from '../json.js'

interface FailureRow {
  assetKey: string
  runId: string
  failedAt: number
  message: string | null
}

export class FailedAttemptsQuery {
  private readonly stmt: Database.Statement

  constructor(db: Database.Database) {
    this.stmt = db.prepare(`
      SELECT s.asset_key AS assetKey, s.run_id AS runId, s.updated_at AS failedAt, coalesce(
        (SELECT e.message FROM events e
          WHERE e.run_id = s.run_id AND e.type = 'STEP_FAILURE' AND e.asset_key = s.asset_key AND coalesce(e.partition_key, '') = ''
          ORDER BY e.id DESC LIMIT 1),
        (SELECT e.message FROM events e WHERE e.run_id = s.run_id AND e.type = 'RUN_FAILURE' ORDER BY e.id DESC LIMIT 1)) AS message
      FROM partition_states s
      WHERE s.asset_key IN (SELECT value FROM json_each(?)) AND s.partition_key = '' AND s.state = 'FAILED'`)
  }

  list(assetKeys: readonly string[]): FailedAttempt[] {
    if (assetKeys.length === 0) return []
    const rows = this.stmt.all(toJson(assetKeys)) as FailureRow[]
    return rows.map(({ assetKey, runId, failedAt, message }) => (message === null ? { assetKey, runId, failedAt } : { assetKey, runId, failedAt, message }))
  }
}
