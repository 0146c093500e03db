import { StrataError } from '../../assets/errors.js'
import { createInProcessExecutor } from './in-process.js'
import { createPoolExecutor } from './pool.js'
import type { Executor, ExecutorName, ExecutorOptions } from './types.js'

export type { Executor, ExecutorName, ExecutorOptions } from './types.js'
export { createInProcessExecutor, createPoolExecutor }
export { CONCURRENCY_PER_CPU, chooseConcurrency, describeCap, type ConcurrencyChoice } from './concurrency.js'

export function createExecutor(name: ExecutorName | string = 'pool', opts: ExecutorOptions = {}): Executor {
  if (name === 'pool') return createPoolExecutor(opts)
  if (name === 'in-process') return createInProcessExecutor(opts)
  throw new StrataError('STRATA_USAGE', `Unknown executor "${name}". Use --executor pool or --executor in-process.`)
}
