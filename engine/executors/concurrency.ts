import { availableParallelism } from 'node:os'
import { StrataError } from '../../assets/errors.js'

/**
 * Steps at once never exceed this many per CPU: beyond it, more threads only
 * add start-up time and memory (each imports the definitions), and a typo
 * such as 100000 would never finish starting.
 */
export const CONCURRENCY_PER_CPU = 4

export interface ConcurrencyChoice {
  /** What the executor uses. */
  concurrency: number
  /** True when the request was above `limit` and was lowered to it. */
  capped: boolean
  limit: number
  cpus: number
}

/** The concurrency an executor uses for a request (default `fallback`), capped at CONCURRENCY_PER_CPU × CPUs. */
export function chooseConcurrency(requested: number | undefined, fallback: number, cpus = availableParallelism()): ConcurrencyChoice {
  const limit = CONCURRENCY_PER_CPU * cpus
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1)) {
    throw new StrataError('STRATA_USAGE', `Concurrency must be a whole number ≥ 1 (got ${String(requested)}).`)
  }
  const wanted = requested ?? fallback
  return { concurrency: Math.min(wanted, limit), capped: wanted > limit, limit, cpus }
}

/** One line saying a request was capped, e.g. for the CLI. */
export function describeCap(requested: number, choice: ConcurrencyChoice): string {
  return `--concurrency ${requested} capped at ${choice.limit} (${CONCURRENCY_PER_CPU} × ${choice.cpus} CPUs): more threads than that only cost start-up time and memory.`
}
