/**
 * Opening the SQLite database file: connection pragmas, then migrations.
 *
 * - WAL lets readers proceed while one writer commits.
 * - synchronous = NORMAL is durable across process crashes in WAL mode (a power
 *   loss may drop the last commits, never corrupt the file). FULL would cost
 *   about 6.5 ms per commit against 0.2 ms here, two commits per step
 *   (`npm run bench -- durability`), and buys nothing a lost commit can harm:
 *   a step's object is made durable before its record commits (durability
 *   'fsync'), so a record that survives never names a lost object; a record
 *   lost with the last commits is a step that runs again.
 * - foreign_keys = ON enforces run, materialization and lineage references.
 * - cache_size = 16 MiB (allocated lazily) keeps set reads such as getLatestMany
 *   from re-reading pages from the OS once history outgrows the 2 MiB default.
 *   Not more: a long run touches nearly every page it writes, so the cache
 *   fills to its limit and stays resident for the rest of the process (a
 *   36,525-partition backfill peaks ~25 MiB lower than at 64 MiB), and reads
 *   of such a home (status, partitions) took no longer at 16 MiB.
 * - busy_timeout makes a writer wait for the lock held by another process
 *   instead of failing; with every write transaction BEGIN IMMEDIATE, waiting
 *   is always enough (no read→write upgrade deadlocks).
 *
 * A new database is built under a temporary name and linked into place fully
 * migrated, so `strata.db` never exists as an empty file because of Strata.
 * An empty `strata.db` is therefore damage (a truncation, a failed copy), and
 * is refused rather than silently treated as a new home.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { constants, copyFileSync, linkSync, rmSync, statSync } from 'node:fs'
import { migrate } from './migrate.js'
import { sqliteCode, storageError } from './errors.js'
import { checkSchema, damagedHome } from './schema-check.js'

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

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Builds a migrated database beside `file` (as `strata.db.tmp-PID-RANDOM`,
 * which io/leftovers.ts removes if this process dies) and links it into place
 * unless another process got there first.
 */
function createDatabase(file: string): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const db = new Database(tmp, { timeout: BUSY_TIMEOUT_MS })
    try {
      enableWal(db, tmp)
      migrate(db, file)
    } finally {
      db.close()
    }
    try {
      linkSync(tmp, file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return
      // File systems without hard links: an exclusive copy still never replaces another opener's database.
      try {
        copyFileSync(tmp, file, constants.COPYFILE_EXCL)
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code !== 'EEXIST') throw copyErr
      }
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmp + suffix, { force: true })
  }
}

const notADatabase = (file: string) => storageError(`${file} is not a SQLite database. Move it away or choose another Strata home directory.`)

export function openDatabase(file: string): Database.Database {
  let db: Database.Database
  try {
    const size = fileSize(file)
    if (size === 0) {
      throw damagedHome(file, `its database ${file} is an empty file (0 bytes)`, `To start a new home there, delete it (rm ${file}); otherwise restore it from a backup`)
    }
    if (size === undefined) createDatabase(file)
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true })
  } catch (err) {
    if (err instanceof Error && err.name === 'StrataError') throw err
    if (sqliteCode(err) === 'SQLITE_NOTADB') throw notADatabase(file)
    const text = err instanceof Error ? err.message : String(err)
    throw storageError(`Could not open the Strata database ${file}: ${text}. Check that the directory exists and is writable.`)
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    enableWal(db, file)
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('cache_size = -16384')
    migrate(db, file)
    checkSchema(db, file)
    return db
  } catch (err) {
    db.close()
    if (sqliteCode(err) === 'SQLITE_NOTADB') throw notADatabase(file)
    if (err instanceof Error && err.name === 'StrataError') throw err
    const text = err instanceof Error ? err.message : String(err)
    throw storageError(`Could not prepare the Strata database ${file}: ${text}.`, { sqliteCode: sqliteCode(err) })
  }
}
