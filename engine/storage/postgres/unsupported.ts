/** The error for a storage operation the PostgreSQL backend does not offer yet. */
import { StrataError } from '../../../assets/errors.js'

export function notYetOnPostgres(operation: string, where: string): StrataError {
  return new StrataError(
    'STRATA_UNSUPPORTED',
    `${operation} is not yet on PostgreSQL (storage ${where}). Use the default SQLite storage for it (omit --storage and STRATA_STORAGE_URL).`,
    { operation },
  )
}
