/**
 * Applies pending PostgreSQL migrations to the instance's schema, recording
 * them in `schema_migrations`. Concurrent processes opening a fresh schema
 * serialize on a transaction-level advisory lock keyed by the schema name:
 * the second waits, then sees the versions the first recorded and applies
 * nothing. The whole migration is one transaction (PostgreSQL DDL is
 * transactional), so a crash leaves the schema as it was.
 */
import type { PgDb, Sql } from './db.js'
import { migrations, type Migration } from './migrations/index.js'
import { StrataError } from '../../../assets/errors.js'

export const latestPgSchemaVersion: number = migrations.reduce((max, m) => Math.max(max, m.version), 0)

async function appliedVersions(sql: Sql, schema: string): Promise<Set<number>> {
  const exists = await sql.one(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_migrations'`, [schema])
  if (!exists) return new Set()
  const rows = await sql.rows<{ version: number }>('SELECT version FROM schema_migrations')
  return new Set(rows.map((r) => Number(r.version)))
}

function checkNotNewer(applied: Set<number>, where: string, list: readonly Migration[]): void {
  const known = list.reduce((max, m) => Math.max(max, m.version), 0)
  const newest = Math.max(0, ...applied)
  if (newest > known) {
    throw new StrataError(
      'STRATA_STORAGE',
      `The storage ${where} has schema version ${newest}, but this version of Strata only knows up to ${known}. ` +
        'It was written by a newer Strata; upgrade Strata or use another schema (?schema=NAME).',
      { schemaVersion: newest, supported: known },
    )
  }
}

/** Applies pending migrations; returns the versions applied by this call (empty when up to date). */
export async function migratePg(db: PgDb, list: readonly Migration[] = migrations): Promise<number[]> {
  const schema = db.schema
  // Fast path without the lock: everything is already applied.
  const before = await appliedVersions(db.sql, schema)
  checkNotNewer(before, db.target.description, list)
  if (list.every((m) => before.has(m.version))) return []

  return db.transaction(async (tx) => {
    await tx.exec(`SELECT pg_advisory_xact_lock(hashtext('strata-migrate'), hashtext($1))`, [schema])
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY NOT NULL,
      name       TEXT    NOT NULL,
      applied_at BIGINT  NOT NULL
    )`)
    const applied = await appliedVersions(tx, schema)
    checkNotNewer(applied, db.target.description, list)
    const done: number[] = []
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue
      await tx.exec(m.sql)
      await tx.exec('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()])
      done.push(m.version)
    }
    return done
  })
}
