/**
 * Opening the SQLite database file: connection pragmas, then migrations.
 *
 * - WAL lets readers proceed while one writer commits.
 * - synchronous = NORMAL is durable across process crashes in WAL mode (a power
 *   loss may drop the last commits, never corrupt the file).
 * - foreign_keys = ON enforces run, materialization and lineage references.
 * - cache_size = 64 MiB (allocated lazily) keeps set reads such as getLatestMany
 *   from re-reading pages from the OS once history outgrows the 2 MiB default.
 * - busy_timeout makes a writer wait for the lock held by another process
 *   instead of failing; with every write transaction BEGIN IMMEDIATE, waiting
 *   is always enough (no read→write upgrade deadlocks).
 */
import Database from 'better-sqlite3'
import { migrate } from './migrate.js'
import { sqliteCode, storageError } from './errors.js'

export const BUSY_TIMEOUT_MS = 10_000

/** `PRAGMA journal_mode = WAL` needs an exclusive moment; on a fresh file another opener can briefly hold it. */
function enableWal(db: Database.Database, file: string): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (;;) {
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true })
      if (String(mode).toLowerCase() !== 'wal') {
        throw storageError(
          `Could not switch ${file} to WAL journal mode (SQLite kept "${String(mode)}"). ` +
            'Strata needs WAL for concurrent runs; put the home directory on a local file system.',
        )
      }
      return
    } catch (err) {
      if (sqliteCode(err) !== 'SQLITE_BUSY' || Date.now() > deadline) throw err
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
}

export function openDatabase(file: string): Database.Database {
  let db: Database.Database
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS })
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err)
    throw storageError(`Could not open the Strata database ${file}: ${text}. Check that the directory exists and is writable.`)
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    enableWal(db, file)
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('cache_size = -65536')
    migrate(db, file)
    return db
  } catch (err) {
    db.close()
    if (sqliteCode(err) === 'SQLITE_NOTADB') {
      throw storageError(`${file} is not a SQLite database. Move it away or choose another Strata home directory.`)
    }
    if (err instanceof Error && err.name === 'StrataError') throw err
    const text = err instanceof Error ? err.message : String(err)
    throw storageError(`Could not prepare the Strata database ${file}: ${text}.`, { sqliteCode: sqliteCode(err) })
  }
}
