/** The storage's own error, whatever the backend: a `StrataError` with code `STRATA_STORAGE`. */
import { StrataError } from '../../assets/errors.js'

export function storageError(message: string, details?: Record<string, unknown>): StrataError {
  return new StrataError('STRATA_STORAGE', message, details)
}
