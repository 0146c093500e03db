import { StrataError } from '../../assets/errors.js'

/** `--timeout SECONDS`: a run's time limit, a number of seconds > 0; milliseconds for the engine. */
export function timeoutArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new StrataError('STRATA_USAGE', `--timeout must be a number of seconds > 0 (got "${value}"), e.g. --timeout 3600 for an hour.`)
  }
  return Math.round(n * 1000)
}

export const TIMEOUT_HELP = '      --timeout SECONDS  cancel the run when it is still going after this long (running steps get --grace, then are stopped)'
