/**
 * Storage URLs: where a home's runs, events and materializations live.
 *
 * - absent or `sqlite`: the SQLite database `strata.db` in the home (the default);
 * - `postgres://user[:password]@host[:port]/database[?schema=NAME]` (or
 *   `postgresql://`): a PostgreSQL instance; `schema` (default `strata`)
 *   separates instances sharing one database.
 */
import { StrataError } from '../../assets/errors.js'
import { parsePgUrl, redact } from './postgres/db.js'

export type StorageTarget = { kind: 'sqlite' } | { kind: 'postgres'; url: string; description: string }

export const STORAGE_URL_HELP = 'Use "sqlite" (the default: strata.db in the home) or postgres://user@host:5432/database?schema=NAME.'

/** Parses a storage URL; throws STRATA_INVALID_STORAGE_URL saying what is accepted. */
export function parseStorageUrl(url: string | undefined): StorageTarget {
  if (url === undefined || url === '' || url === 'sqlite' || url === 'sqlite:') return { kind: 'sqlite' }
  if (typeof url !== 'string') {
    throw new StrataError('STRATA_INVALID_STORAGE_URL', `The storage URL must be a string, got ${typeof url}. ${STORAGE_URL_HELP}`)
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const target = parsePgUrl(url)
    return { kind: 'postgres', url, description: target.description }
  }
  throw new StrataError('STRATA_INVALID_STORAGE_URL', `Unknown storage URL ${JSON.stringify(redact(url))}. ${STORAGE_URL_HELP}`, { url: redact(url) })
}
