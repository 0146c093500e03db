import { StrataError } from '../../assets/errors.js'
import type { Executor, ExecutorFactory, ExecutorOptions } from './types.js'

const factories = new Map<string, ExecutorFactory>()

/**
 * Makes `name` usable wherever an executor is named (`--executor NAME`,
 * `materialize({ executor: NAME })`). Registering a name again replaces its
 * factory.
 */
export function registerExecutor(name: string, factory: ExecutorFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new StrataError('STRATA_USAGE', `Executor name "${name}" must be lowercase letters, digits and dashes, starting with a letter.`)
  factories.set(name, factory)
}

/** The registered executors' names, in registration order. */
export function executorNames(): string[] {
  return [...factories.keys()]
}

export function isExecutorName(name: string): boolean {
  return factories.has(name)
}

/** The usage error for a name no executor is registered under. */
export function unknownExecutor(name: string): StrataError {
  const names = executorNames()
  return new StrataError('STRATA_USAGE', `Unknown executor "${name}". Use --executor ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}.`)
}

export function createExecutor(name = 'pool', opts: ExecutorOptions = {}): Executor {
  const factory = factories.get(name)
  if (!factory) throw unknownExecutor(name)
  return factory(opts)
}
