/**
 * Turning SQLite failures into `StrataError`s with code `STRATA_STORAGE`.
 */
import { StrataError } from '../../../assets/errors.js'
import { storageError } from '../errors.js'

export { storageError }

/** A better-sqlite3 `SqliteError` (it has a string `code` such as `SQLITE_BUSY`). */
export function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && err.name === 'SqliteError') {
    const code = (err as Error & { code?: unknown }).code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}


/** Rethrows StrataErrors untouched; wraps anything else with what was being done and where. */
export function wrapStorageError(err: unknown, doing: string, where: string): StrataError {
  if (err instanceof StrataError) return err
  const code = sqliteCode(err)
  const text = err instanceof Error ? err.message : String(err)
  const hint = code === 'SQLITE_BUSY' ? ' Another process kept the database locked for too long; retry, or stop the other process.' : ''
  const wrapped = storageError(`Storage failed while ${doing} (${where}): ${text}.${hint}`, code ? { sqliteCode: code } : undefined)
  ;(wrapped as Error & { cause?: unknown }).cause = err
  return wrapped
}
