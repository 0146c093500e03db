/** The `check_results` history and its `latest_check_results` index. */
import type Database from 'better-sqlite3'
import type { CheckCounts, CheckResultRecord, NewCheckResult } from '../types.js'
import { toJson } from '../json.js'
import { type CheckResultRow as SharedCheckResultRow, toCheckResult } from '../rows/check-results.js'

/** SQLite stores booleans as 0/1. */
type CheckResultRow = SharedCheckResultRow<0 | 1>
const toRecord = (row: CheckResultRow): CheckResultRecord => toCheckResult(row, (value) => value === 1)

export class CheckResultsTable {
  private readonly insertStmt: Database.Statement
  private readonly setLatestStmt: Database.Statement
  private readonly latestStmt: Database.Statement
  private readonly latestPartitionStmt: Database.Statement
  private readonly countStmt: Database.Statement
  private readonly countSomeStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO check_results
        (asset_key, partition_key, check_name, passed, blocking, message, metadata, run_id, materialization_id, ts)
      VALUES
        (@assetKey, @partitionKey, @checkName, @passed, @blocking, @message, @metadata, @runId, @materializationId, @ts)`)
    this.setLatestStmt = db.prepare(`
      INSERT INTO latest_check_results (asset_key, partition_key, check_name, result_id, passed, blocking)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (asset_key, partition_key, check_name) DO UPDATE
        SET result_id = excluded.result_id, passed = excluded.passed, blocking = excluded.blocking
        WHERE excluded.result_id > latest_check_results.result_id`)
    const latest = `SELECT r.* FROM latest_check_results l CROSS JOIN check_results r ON r.id = l.result_id`
    this.latestStmt = db.prepare(`${latest} WHERE l.asset_key = ? ORDER BY l.partition_key, l.check_name`)
    this.latestPartitionStmt = db.prepare(`${latest} WHERE l.asset_key = ? AND l.partition_key = ? ORDER BY l.check_name`)
    const count = `SELECT asset_key AS assetKey, check_name AS checkName,
        sum(passed) AS passed,
        sum(passed = 0 AND blocking = 1) AS failed,
        sum(passed = 0 AND blocking = 0) AS warned
      FROM latest_check_results`
    this.countStmt = db.prepare(`${count} GROUP BY asset_key, check_name ORDER BY asset_key, check_name`)
    this.countSomeStmt = db.prepare(`${count} WHERE asset_key IN (SELECT value FROM json_each(?)) GROUP BY asset_key, check_name ORDER BY asset_key, check_name`)
  }

  /** Inserts a result and makes it the latest for its (asset, partition, check); call inside a write transaction. */
  insert(r: NewCheckResult): number {
    const info = this.insertStmt.run({
      assetKey: r.assetKey,
      partitionKey: r.partitionKey,
      checkName: r.checkName,
      passed: r.passed ? 1 : 0,
      blocking: r.blocking ? 1 : 0,
      message: r.message ?? null,
      metadata: toJson(r.metadata ?? {}),
      runId: r.runId,
      materializationId: r.materializationId ?? null,
      ts: r.ts,
    })
    const id = Number(info.lastInsertRowid)
    this.setLatestStmt.run(r.assetKey, r.partitionKey, r.checkName, id, r.passed ? 1 : 0, r.blocking ? 1 : 0)
    return id
  }

  latest(assetKey: string, partitionKey?: string): CheckResultRecord[] {
    const rows = (partitionKey === undefined ? this.latestStmt.all(assetKey) : this.latestPartitionStmt.all(assetKey, partitionKey)) as CheckResultRow[]
    return rows.map(toRecord)
  }

  count(assetKeys?: readonly string[]): CheckCounts[] {
    return (assetKeys === undefined ? this.countStmt.all() : this.countSomeStmt.all(toJson(assetKeys))) as CheckCounts[]
  }
}
