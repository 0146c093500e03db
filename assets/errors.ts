/**
 * Every error Strata raises on purpose carries a stable `code` so scripts and
 * tests can branch on it, and a message that says what to do next.
 */
export type StrataErrorCode =
  | 'STRATA_INVALID_KEY'
  | 'STRATA_INVALID_ASSET'
  | 'STRATA_DUPLICATE_KEY'
  | 'STRATA_UNKNOWN_DEP'
  | 'STRATA_CYCLE'
  | 'STRATA_INVALID_DEFINITIONS'
  | 'STRATA_INVALID_SELECTION'
  | 'STRATA_UNKNOWN_ASSET'
  | 'STRATA_DEFINITIONS_LOAD'
  | 'STRATA_INVALID_PARTITION_KEY'
  | 'STRATA_INVALID_PARTITIONS'
  | 'STRATA_PARTITION_MISMATCH'
  | 'STRATA_FUTURE_LEAK'
  | 'STRATA_MISSING_INPUT'
  | 'STRATA_USAGE'
  | 'STRATA_STORAGE'
  | 'STRATA_STEP_FAILED'
  | 'STRATA_WORKER_DIED'
  | 'STRATA_NOT_FOUND'

export class StrataError extends Error {
  readonly code: StrataErrorCode
  readonly details?: Record<string, unknown>
  constructor(code: StrataErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'StrataError'
    this.code = code
    this.details = details
  }
}

export function isStrataError(err: unknown): err is StrataError {
  return err instanceof Error && typeof (err as StrataError).code === 'string' && (err as StrataError).code.startsWith('STRATA_')
}
