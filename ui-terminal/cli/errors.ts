import { isStrataError } from '../../assets/index.js'
import { errColor, escapeForTerminal } from './output.js'

/**
 * Exit codes, the same for every command: 0 success; 1 a run (or backfill)
 * failed, or a valid request found nothing to show (STRATA_NOT_FOUND, e.g.
 * the lineage of an asset never materialized); 2 bad usage (an unknown
 * command, option, asset, run, backfill or model included), invalid
 * definitions or an unusable home; 130 a run canceled with Ctrl-C.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

export interface CliError {
  code: string
  message: string
}

/**
 * One error on stderr: a line ending in its stable code, or with --json one
 * line `{"error": {"code", "message"}}` (a single line, so it can be read
 * after any notice printed before it).
 */
export function printError(error: CliError, json: boolean): void {
  if (json) {
    process.stderr.write(JSON.stringify({ error: { code: error.code, message: error.message } }) + '\n')
    return
  }
  process.stderr.write(`${errColor.red('error')} ${escapeForTerminal(error.message, { multiline: true })} ${errColor.dim(`[${error.code}]`)}\n`)
}

const ENVIRONMENT_SQLITE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|READONLY|CANTOPEN|NOTADB|PERM|PROTOCOL|NOLFS|AUTH)/

/**
 * Failures of the machine rather than of Strata's code: a database or file
 * system error (disk full, permissions, a locked or corrupt file). They are
 * reported as one coded line; anything else is a bug and keeps its stack.
 */
function environmentError(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined
  if (err.name === 'SqliteError') {
    const code = String((err as { code?: unknown }).code)
    return ENVIRONMENT_SQLITE.test(code) ? `The Strata database failed: ${err.message} (${code}).` : undefined
  }
  const sys = err as NodeJS.ErrnoException
  if (typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') return err.message
  return undefined
}

/** A thrown error as a coded error and its exit code, or undefined for a bug (which keeps its stack). */
export function classify(err: unknown): { error: CliError; exit: number } | undefined {
  if (isStrataError(err)) return { error: { code: err.code, message: err.message }, exit: err.code === 'STRATA_NOT_FOUND' ? EXIT.failed : EXIT.usage }
  const message = environmentError(err)
  return message === undefined ? undefined : { error: { code: 'STRATA_STORAGE', message }, exit: EXIT.usage }
}
