/**
 * Multi-dimensional partitions: the product of two or more definitions. A key
 * joins one key per dimension with `|`, in declaration order
 * (`2024-01-01|us|a`); keys are listed with the first dimension varying
 * slowest.
 */
import { StrataError } from '../errors.js'
import { StaticPartitions } from './static.js'
import { TimeWindowPartitions } from './time-window.js'
import type { KeysOptions, MultiPartitionsDefinition, PartitionDimension, PartitionsDefinition } from './types.js'

export const MULTI_SEPARATOR = '|'

function isDefinition(value: unknown): value is PartitionsDefinition {
  return typeof value === 'object' && value !== null && typeof (value as PartitionsDefinition).keys === 'function' && typeof (value as PartitionsDefinition).kind === 'string'
}

export class MultiPartitions implements MultiPartitionsDefinition {
  readonly kind = 'multi' as const
  readonly dimensions: readonly PartitionDimension[]
  readonly id: string
  private readonly byName: ReadonlyMap<string, PartitionsDefinition>

  constructor(dims: Record<string, PartitionsDefinition>) {
    if (typeof dims !== 'object' || dims === null) throw new StrataError('STRATA_INVALID_PARTITIONS', 'multiPartitions() takes an object of dimensions, e.g. multiPartitions({ date: daily, region }).')
    const entries = Object.entries(dims)
    if (entries.length < 2) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions() needs at least 2 dimensions (got ${entries.length}); use the definition itself for one.`)
    }
    for (const [name, def] of entries) {
      if (name === '' || name.includes(MULTI_SEPARATOR)) throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension name ${JSON.stringify(name)} must be non-empty and must not contain "|".`)
      if (!isDefinition(def)) throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension "${name}" is not a partitions definition.`)
      if (def.kind === 'multi') throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension "${name}" is itself multi-dimensional; list its dimensions directly.`)
      // Dynamic keys are checked when validated: a key with "|" splits into too many parts.
      const sample = def instanceof TimeWindowPartitions ? [def.keyAt(def.firstIndex)] : def instanceof StaticPartitions ? def.staticKeys : []
      const bad = sample.find((k) => k.includes(MULTI_SEPARATOR))
      if (bad !== undefined) throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension "${name}" has key ${JSON.stringify(bad)} containing "|", the separator of multi-partition keys.`)
    }
    this.dimensions = Object.freeze(entries.map(([name, partitions]) => Object.freeze({ name, partitions })))
    this.byName = new Map(entries)
    this.id = `multi(${entries.map(([name, def]) => `${name}=${def.id}`).join(',')})`
  }

  /** The definition of a dimension; throws STRATA_PARTITION_MISMATCH if there is none by that name. */
  dimension(name: string): PartitionsDefinition {
    const def = this.byName.get(name)
    if (!def) throw new StrataError('STRATA_PARTITION_MISMATCH', `Multi partitions ${this.id} have no dimension "${name}" (dimensions: ${this.dimensions.map((d) => d.name).join(', ')}).`)
    return def
  }

  /** Key parts in dimension order, or undefined when the count is wrong. */
  split(key: string): string[] | undefined {
    if (typeof key !== 'string') return undefined
    const parts = key.split(MULTI_SEPARATOR)
    return parts.length === this.dimensions.length ? parts : undefined
  }

  keys(opts?: KeysOptions): string[] {
    let out = ['']
    this.dimensions.forEach((d, i) => {
      const dimKeys = d.partitions.keys(opts)
      const next: string[] = []
      for (const prefix of out) for (const k of dimKeys) next.push(i === 0 ? k : prefix + MULTI_SEPARATOR + k)
      out = next
    })
    return out
  }

  has(key: string, opts?: KeysOptions): boolean {
    const parts = this.split(key)
    return parts !== undefined && this.dimensions.every((d, i) => d.partitions.has(parts[i]!, opts))
  }

  validateKey(key: string, opts?: KeysOptions): void {
    const parts = this.split(key)
    const shape = this.dimensions.map((d) => `<${d.name}>`).join(MULTI_SEPARATOR)
    const example = this.dimensions.map((d) => d.partitions.keys(opts)[0])
    const eg = example.every((k) => k !== undefined) ? ` (e.g. ${example.join(MULTI_SEPARATOR)})` : ''
    const head = `Invalid partition key ${JSON.stringify(key)} for multi partitions: expected ${shape}${eg}`
    if (!parts) {
      const got = typeof key === 'string' ? key.split(MULTI_SEPARATOR).length : 0
      throw new StrataError('STRATA_INVALID_PARTITION_KEY', `${head}; got ${got} part${got === 1 ? '' : 's'} instead of ${this.dimensions.length}.`, { key })
    }
    this.dimensions.forEach((d, i) => {
      try {
        d.partitions.validateKey(parts[i]!, opts)
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        throw new StrataError('STRATA_INVALID_PARTITION_KEY', `${head}; dimension "${d.name}": ${why}`, { key, dimension: d.name })
      }
    })
  }

  parseKey(key: string): Record<string, string> {
    const parts = this.split(key)
    if (!parts) this.validateKey(key)
    const out: Record<string, string> = {}
    this.dimensions.forEach((d, i) => (out[d.name] = parts![i]!))
    return out
  }

  key(parts: Record<string, string>): string {
    return this.dimensions
      .map((d) => {
        const part = parts?.[d.name]
        if (typeof part !== 'string' || part.includes(MULTI_SEPARATOR)) {
          throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Multi partition key needs a "${d.name}" part without "|" (got ${JSON.stringify(part)}).`, { dimension: d.name })
        }
        return part
      })
      .join(MULTI_SEPARATOR)
  }
}

/** The product of two or more partitions definitions, e.g. `multiPartitions({ date: daily, region: regions })`. */
export function multiPartitions(dims: Record<string, PartitionsDefinition>): MultiPartitions {
  return new MultiPartitions(dims)
}

export function isMultiPartitions(def: unknown): def is MultiPartitions {
  return def instanceof MultiPartitions
}
