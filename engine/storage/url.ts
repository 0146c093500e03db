/**
 * Storage URLs: where a home's runs, events and materializations live.
 *
 * - absent or `sqlite`: the SQLite database `strata.db` in the home (the default);
 * - `postgres://user[:password]@host[:port]/database[?schema=NAME]` (or
 *   `postgresql://`): a PostgreSQL instance; `schema` (default `strata`)
 *   separates instances sharing one database.
 */
import { StrataError } from '../../assets/errors.js'
import { parsePgUrl, redact } from './postgres-url.js'

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

/** The environment variable naming the storage URL. */
export const STORAGE_URL_ENV = 'STRATA_STORAGE_URL'

/**
 * The storage URL in force: the `--storage` flag, else $STRATA_STORAGE_URL,
 * else `defineDefinitions({ storage })`, else undefined (SQLite in the home).
 * Checked: an invalid one throws STRATA_INVALID_STORAGE_URL naming where it came from.
 */
export function resolveStorageUrl(sources: { flag?: string; definitions?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const env = (sources.env ?? process.env)[STORAGE_URL_ENV]
  const candidates: Array<[string | undefined, string]> = [
    [sources.flag, '--storage'],
    [env === '' ? undefined : env, `$${STORAGE_URL_ENV}`],
    [sources.definitions, 'defineDefinitions({ storage })'],
  ]
  for (const [url, from] of candidates) {
    if (url === undefined) continue
    try {
      return parseStorageUrl(url).kind === 'sqlite' ? undefined : url
    } catch (err) {
      if (err instanceof StrataError) throw new StrataError(err.code, `${from}: ${err.message}`, err.details)
      throw err
    }
  }
  return undefined
}

/** Whether `spec` is a storage URL (rather than a home directory holding the embedded SQLite storage). */
export function isStorageUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec)
}
