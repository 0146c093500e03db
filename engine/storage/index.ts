/**
 * Storage entry point: `openStorage(home, { url })` opens the storage a URL
 * names (see url.ts): by default the SQLite database `home/strata.db`, or a
 * PostgreSQL schema. Either is created and migrated when needed.
 */
import { join } from 'node:path'
import type { Storage } from './types.js'
import { ensureHomeDirectory } from '../home.js'
import { openSqliteStorage } from './sqlite/index.js'
import type { PgStorage } from './postgres/index.js'
import { isStorageUrl, parseStorageUrl } from './url.js'
import { checkedStorage } from './checked.js'

export type * from './types.js'
export { checkedStorage } from './checked.js'
export { SqliteStorage, openSqliteStorage, orphanMessage, latestSchemaVersion } from './sqlite/index.js'
export type { PgStorage } from './postgres/index.js'
export { parseStorageUrl, resolveStorageUrl, isStorageUrl, STORAGE_URL_ENV, STORAGE_URL_HELP, type StorageTarget } from './url.js'

export const DATABASE_FILE = 'strata.db'

/**
 * Opens (creating and migrating) the PostgreSQL storage at `url`. The
 * PostgreSQL backend and the `pg` driver load on the first call: commands on
 * the default SQLite storage never pay for them.
 */
export async function openPgStorage(url: string): Promise<PgStorage> {
  const postgres = await import('./postgres/index.js')
  return postgres.openPgStorage(url)
}

export interface OpenStorageOptions {
  /**
   * Where the storage lives: `sqlite` (strata.db in the home) or
   * `postgres://user@host:5432/db?schema=NAME`. Throws
   * STRATA_INVALID_STORAGE_URL for anything else, STRATA_STORAGE_UNREACHABLE
   * when the server cannot be reached.
   * @defaultValue 'sqlite'
   */
  url?: string
}

export async function openStorage(home: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  const target = parseStorageUrl(opts.url)
  if (target.kind === 'postgres') return checkedStorage(await openPgStorage(target.url))
  ensureHomeDirectory(home)
  // Arguments are checked above the backend, so every backend refuses the same input alike.
  return checkedStorage(openSqliteStorage(join(home, DATABASE_FILE)))
}

/** A storage named by one string, as steps get it: a storage URL, or the home directory of the embedded SQLite storage. */
export function openStorageSpec(spec: string): Promise<Storage> {
  return isStorageUrl(spec) ? openStorage('', { url: spec }) : openStorage(spec)
}
