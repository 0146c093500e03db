/**
 * Dynamic partitions: keys added at runtime. The engine stores them and passes
 * them in `opts.dynamicKeys[name]`; without them a definition has no keys.
 */
import { StrataError } from '../errors.js'
import { describeKeyProblem, partitionKeyProblem } from './key-rules.js'
import { previewKeys } from './static.js'
import type { DynamicPartitionsDefinition, KeysOptions } from './types.js'

export class DynamicPartitions implements DynamicPartitionsDefinition {
  readonly kind = 'dynamic' as const
  readonly name: string
  readonly id: string

  constructor(name: string) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new StrataError('STRATA_INVALID_PARTITIONS', "dynamicPartitions() needs a name, e.g. dynamicPartitions('customers').")
    }
    this.name = name
    this.id = `dynamic(${name})`
  }

  /** The stored keys, in the order they were added, without duplicates. */
  keys(opts?: KeysOptions): string[] {
    const stored = opts?.dynamicKeys?.[this.name]
    return stored ? [...new Set(stored)] : []
  }

  has(key: string, opts?: KeysOptions): boolean {
    return opts?.dynamicKeys?.[this.name]?.includes(key) ?? false
  }

  validateKey(key: string, opts?: KeysOptions): void {
    if (this.has(key, opts)) return
    const problem = typeof key === 'string' ? partitionKeyProblem(key) : undefined
    if (problem) {
      throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Invalid partition key for dynamic partitions "${this.name}": ${describeKeyProblem(key, problem)}, so it can never be added.`, {
        key,
        name: this.name,
        char: problem.char,
      })
    }
    const keys = this.keys(opts)
    const expected = keys.length > 0 ? `expected one of the keys added so far (${previewKeys(keys)})` : 'no keys have been added yet'
    throw new StrataError(
      'STRATA_INVALID_PARTITION_KEY',
      `Invalid partition key ${JSON.stringify(key)} for dynamic partitions "${this.name}": ${expected}. Add keys before materializing their partitions.`,
      { key, name: this.name },
    )
  }
}

/** Partitions whose keys are added at runtime under `name`. */
export function dynamicPartitions(name: string): DynamicPartitions {
  return new DynamicPartitions(name)
}

export function isDynamicPartitions(def: unknown): def is DynamicPartitions {
  return def instanceof DynamicPartitions
}
