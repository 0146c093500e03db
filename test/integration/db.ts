/**
 * Read-only looks into a project's strata.db while CLI processes run on it:
 * the tests use them to start a process at a known moment (a slot claimed,
 * runs RUNNING) and to check what was stored, without going through the CLI.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sleep } from './helpers.js'

export function query<T>(home: string, sql: string, ...params: unknown[]): T[] {
  const file = join(home, 'strata.db')
  if (!existsSync(file)) return []
  const db = new Database(file, { readonly: true, timeout: 5000 })
  try {
    return db.prepare(sql).all(...params) as T[]
  } catch (err) {
    // The home may still be being created by the processes under test.
    if (/no such table/.test((err as Error).message)) return []
    throw err
  } finally {
    db.close()
  }
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

/** Assets whose partition state is IN_PROGRESS. */
export function inProgress(home: string): string[] {
  return query<{ k: string }>(home, `SELECT asset_key || CASE partition_key WHEN '' THEN '' ELSE '[' || partition_key || ']' END AS k FROM partition_states WHERE state = 'IN_PROGRESS'`).map((r) => r.k)
}

export function runningRuns(home: string): number {
  return query<{ n: number }>(home, `SELECT count(*) AS n FROM runs WHERE status = 'RUNNING'`)[0]?.n ?? 0
}
