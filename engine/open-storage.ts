/**
 * Opening a storage, as `strata-engine/engine` offers it. These are the
 * functions of engine/storage/index.ts behind signatures that name only
 * Strata's own types: re-exporting that module would publish the declarations
 * of both backends (which name the better-sqlite3 and pg typings) and of
 * url.ts (which names NodeJS.ProcessEnv), and a user's strict tsc without
 * those typings would fail on them.
 */
import { openStorage as openBackend, resolveStorageUrl as resolveUrl } from './storage/index.js'
import type { Storage } from './storage/types.js'

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

/**
 * Opens the storage of a home: by default the SQLite database `strata.db` in
 * `home` (the directory is created when missing), or the PostgreSQL schema
 * `opts.url` names. Either is created and migrated when needed. Close it with
 * `storage.close()`.
 */
export function openStorage(home: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  return openBackend(home, opts)
}

/** Where `resolveStorageUrl` looks for a storage URL, besides $STRATA_STORAGE_URL. */
export interface StorageUrlSources {
  /** A URL given on the command line (`--storage`); it wins over the rest. */
  flag?: string
  /** The definitions' own URL (`defineDefinitions({ storage })`); the environment wins over it. */
  definitions?: string
}

/**
 * The storage URL in force: `flag`, else $STRATA_STORAGE_URL, else
 * `definitions`, else undefined (SQLite in the home). Checked: an invalid one
 * throws STRATA_INVALID_STORAGE_URL naming where it came from.
 */
export function resolveStorageUrl(sources: StorageUrlSources = {}): string | undefined {
  return resolveUrl(sources)
}
