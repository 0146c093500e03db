import type { Output, OutputOptions } from './types.js'

/** Wraps a compute result to attach metadata or an explicit data version. */
export function output<T>(value: T, options: OutputOptions = {}): Output<T> {
  if (options.dataVersion !== undefined && (typeof options.dataVersion !== 'string' || options.dataVersion === '')) {
    throw new TypeError('output(): dataVersion must be a non-empty string.')
  }
  return { __strataOutput: true, value, metadata: options.metadata ?? {}, dataVersion: options.dataVersion }
}

export function isOutput(value: unknown): value is Output<unknown> {
  return typeof value === 'object' && value !== null && (value as Output<unknown>).__strataOutput === true
}
