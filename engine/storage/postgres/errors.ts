/** Turning PostgreSQL failures into `StrataError`s with code `STRATA_STORAGE`. */
import { StrataError } from '../../../assets/errors.js'
import { storageError } from '../errors.js'
import { pgCode } from './db.js'

export const UNIQUE_VIOLATION = '23505'
export const FOREIGN_KEY_VIOLATION = '23503'

/** Rethrows StrataErrors untouched; wraps anything else with what was being done and where. */
export function wrapPgError(err: unknown, doing: string, where: string): StrataError {
  if (err instanceof StrataError) return err
  const code = pgCode(err)
  const text = err instanceof Error ? err.message : String(err)
  const wrapped = storageError(`Storage failed while ${doing} (${where}): ${text}.`, code ? { pgCode: code } : undefined)
  ;(wrapped as Error & { cause?: unknown }).cause = err
  return wrapped
}
