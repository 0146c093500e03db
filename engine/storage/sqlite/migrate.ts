/**
 * Applies pending schema migrations. Versions applied are recorded in
 * `schema_migrations`. Everything runs in one IMMEDIATE transaction, so two
 * processes opening a fresh home at once serialize: the second waits for the
 * write lock (busy_timeout), then sees the versions the first recorded and
 * applies nothing.
 */
import type Database from 'better-sqlite3'
import { migrations, type Migration } from './migrations/index.js'
import { storageError } from './errors.js'

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY NOT NULL,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`

export const latestSchemaVersion: number = migrations.reduce((max, m) => Math.max(max, m.version), 0)

function appliedVersions(db: Database.Database): Set<number> {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get()
  if (!exists) return new Set()
  return new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
}

function checkNotNewer(applied: Set<number>, file: string, list: readonly Migration[]): void {
  const known = list.reduce((max, m) => Math.max(max, m.version), 0)
  const newest = Math.max(0, ...applied)
  if (newest > known) {
    throw storageError(
      `The database ${file} has schema version ${newest}, but this version of Strata only knows up to ${known}. ` +
        'It was written by a newer Strata; upgrade Strata or use another home directory.',
      { schemaVersion: newest, supported: known },
    )
  }
}

/** Applies pending migrations; returns the versions applied by this call (empty when up to date). */
export function migrate(db: Database.Database, file: string, list: readonly Migration[] = migrations): number[] {
  // Fast path without taking the write lock: everything is already applied.
  const before = appliedVersions(db)
  checkNotNewer(before, file, list)
  if (list.every((m) => before.has(m.version))) return []

  const apply = db.transaction((): number[] => {
    db.exec(CREATE_TABLE)
    const applied = appliedVersions(db)
    checkNotNewer(applied, file, list)
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    const done: number[] = []
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue
      db.exec(m.sql)
      record.run(m.version, m.name, Date.now())
      done.push(m.version)
    }
    return done
  })
  return apply.immediate()
}
