/**
 * Multi-dimensional partitions: the product of two or more definitions. A key
 * joins one key per dimension with `|`, the dimensions ordered by name (by
 * code point, as Dagster sorts them) whatever order they are declared in:
 * `multiPartitions({ region, date })` has keys like `2024-01-01|us`. So keys
 * port between the two systems, and reordering the declaration changes no
 * key. Keys are listed with the first dimension (by name) varying slowest.
 *
 * Homes written before keys were ordered by name hold keys in declaration
 * order; `declaredOrder` lets the engine rewrite them (engine/partitions/key-upgrade.ts).
 */
import { StrataError } from '../errors.js'
import { describeKeyProblem, partitionKeyProblem } from './key-rules.js'
import { DynamicPartitions } from './dynamic.js'
import { StaticPartitions } from './static.js'
import { TimeWindowPartitions } from './time-window.js'
import type { KeysOptions, MultiPartitionsDefinition, PartitionDimension, PartitionsDefinition } from './types.js'

export const MULTI_SEPARATOR = '|'

function isDefinition(value: unknown): value is PartitionsDefinition {
  return typeof value === 'object' && value !== null && typeof (value as PartitionsDefinition).keys === 'function' && typeof (value as PartitionsDefinition).kind === 'string'
}

/** Code-point order, like Python's `sorted` on str (UTF-16 order differs above U+FFFF). */
export function compareNames(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

/**
 * Whether `part` has the shape of a key of `def`, existing now or not: a
 * well-formed window at or after the start, one of the static keys, or (for
 * dynamic keys, known only to the engine) one of `opts.dynamicKeys` when given.
 */
export function isKeyOf(def: PartitionsDefinition, part: string, opts?: KeysOptions): boolean {
  if (partitionKeyProblem(part) || part === '') return false
  if (def instanceof TimeWindowPartitions) {
    const n = def.indexOf(part)
    return n !== undefined && n >= def.firstIndex
  }
  if (def instanceof StaticPartitions) return def.has(part)
  if (def instanceof DynamicPartitions) return opts?.dynamicKeys === undefined || def.has(part, opts)
  return def.has(part, opts)
}

export class MultiPartitions implements MultiPartitionsDefinition {
  readonly kind = 'multi' as const
  /** In key order: sorted by name. */
  readonly dimensions: readonly PartitionDimension[]
  /** Dimension names in the order they were declared. */
  readonly declaredOrder: readonly string[]
  readonly id: string
  private readonly byName: ReadonlyMap<string, PartitionsDefinition>

  constructor(dims: Record<string, PartitionsDefinition>) {
    if (typeof dims !== 'object' || dims === null) throw new StrataError('STRATA_INVALID_PARTITIONS', 'multiPartitions() takes an object of dimensions, e.g. multiPartitions({ date: daily, region }).')
    const entries = Object.entries(dims)
    if (entries.length < 2) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions() needs at least 2 dimensions (got ${entries.length}); use the definition itself for one.`)
    }
    for (const [name, def] of entries) {
      if (name === '' || partitionKeyProblem(name)) {
        throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension name ${JSON.stringify(name)} must be non-empty and must not contain "|", ",", line breaks or control characters.`)
      }
      if (!isDefinition(def)) throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension "${name}" is not a partitions definition.`)
      if (def.kind === 'multi') throw new StrataError('STRATA_INVALID_PARTITIONS', `multiPartitions(): dimension "${name}" is itself multi-dimensional; list its dimensions directly.`)
    }
    const sorted = [...entries].sort(([a], [b]) => compareNames(a, b))
    this.dimensions = Object.freeze(sorted.map(([name, partitions]) => Object.freeze({ name, partitions })))
    this.declaredOrder = Object.freeze(entries.map(([name]) => name))
    this.byName = new Map(entries)
    this.id = `multi(${sorted.map(([name, def]) => `${name}=${def.id}`).join(',')})`
  }

  /** The definition of a dimension; throws STRATA_PARTITION_MISMATCH if there is none by that name. */
  dimension(name: string): PartitionsDefinition {
    const def = this.byName.get(name)
    if (!def) throw new StrataError('STRATA_PARTITION_MISMATCH', `Multi partitions ${this.id} have no dimension "${name}" (dimensions: ${this.dimensions.map((d) => d.name).join(', ')}).`)
    return def
  }

  /** Key parts in dimension order, or undefined when the count is wrong. Does not check the parts. */
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

  /** Throws STRATA_INVALID_PARTITION_KEY unless every part is an existing key of its dimension. */
  validateKey(key: string, opts?: KeysOptions): void {
    const parts = this.partsOf(key, opts)
    this.dimensions.forEach((d, i) => {
      try {
        d.partitions.validateKey(parts[i]!, opts)
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        throw this.invalid(key, `dimension "${d.name}": ${why}`, opts, { dimension: d.name, part: parts[i] })
      }
    })
  }

  /**
   * `'2024-01-01|us'` → `{ date: '2024-01-01', region: 'us' }`. Each part
   * must have the shape of a key of its dimension (existing now or not), so a
   * key with its parts in another order is an error naming the dimension, not
   * a silent mix-up.
   */
  parseKey(key: string, opts?: KeysOptions): Record<string, string> {
    const parts = this.partsOf(key, opts)
    this.dimensions.forEach((d, i) => {
      if (isKeyOf(d.partitions, parts[i]!, opts)) return
      let why: string
      try {
        d.partitions.validateKey(parts[i]!, opts)
        why = `${JSON.stringify(parts[i])} is not a key of its ${d.partitions.kind} partitions`
      } catch (err) {
        why = err instanceof Error ? err.message : String(err)
      }
      throw this.invalid(key, `part ${i + 1}, dimension "${d.name}": ${why}`, opts, { dimension: d.name, part: parts[i] })
    })
    return this.record(parts)
  }

  /** `{ date: '2024-01-01', region: 'us' }` → `'2024-01-01|us'`; each part must have the shape of a key of its dimension. */
  key(parts: Record<string, string>, opts?: KeysOptions): string {
    return this.dimensions
      .map((d) => {
        const part = parts?.[d.name]
        if (typeof part !== 'string' || part === '') {
          throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Multi partition key needs a "${d.name}" part (got ${JSON.stringify(part)}); dimensions: ${this.dimensions.map((x) => x.name).join(', ')}.`, { dimension: d.name })
        }
        const problem = partitionKeyProblem(part)
        if (problem) throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Multi partition key part "${d.name}": ${describeKeyProblem(part, problem)}.`, { dimension: d.name, part })
        if (!isKeyOf(d.partitions, part, opts)) {
          throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Multi partition key part "${d.name}": ${JSON.stringify(part)} is not a key of its ${d.partitions.kind} partitions (${d.partitions.id}).`, { dimension: d.name, part })
        }
        return part
      })
      .join(MULTI_SEPARATOR)
  }

  /** Parts by dimension name, checking only their number: for keys the engine has already validated. */
  partsOf(key: string, opts?: KeysOptions): string[] {
    const parts = this.split(key)
    if (parts) return parts
    const got = typeof key === 'string' ? key.split(MULTI_SEPARATOR).length : 0
    throw this.invalid(key, `got ${got} part${got === 1 ? '' : 's'} instead of ${this.dimensions.length}`, opts)
  }

  /** Parts by dimension name, checking only their number. */
  unchecked(key: string): Record<string, string> {
    return this.record(this.partsOf(key))
  }

  private record(parts: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {}
    this.dimensions.forEach((d, i) => (out[d.name] = parts[i]!))
    return out
  }

  /** `<date>|<region>`: the key's shape. */
  get shape(): string {
    return this.dimensions.map((d) => `<${d.name}>`).join(MULTI_SEPARATOR)
  }

  /** The parts of `key` reordered into a key of this definition, if exactly one order makes every part fit. */
  reordered(key: string, opts?: KeysOptions): string | undefined {
    const parts = typeof key === 'string' ? key.split(MULTI_SEPARATOR) : []
    if (parts.length !== this.dimensions.length || parts.length > 6) return undefined
    const found = new Set<string>()
    const walk = (i: number, used: boolean[], acc: string[]): void => {
      if (i === parts.length) return void found.add(acc.join(MULTI_SEPARATOR))
      parts.forEach((p, j) => {
        if (used[j] || !isKeyOf(this.dimensions[i]!.partitions, p, opts)) return
        used[j] = true
        walk(i + 1, used, [...acc, p])
        used[j] = false
      })
    }
    walk(0, parts.map(() => false), [])
    found.delete(key)
    return found.size === 1 ? [...found][0] : undefined
  }

  private invalid(key: string, why: string, opts: KeysOptions | undefined, details: Record<string, unknown> = {}): StrataError {
    const example = this.dimensions.map((d) => d.partitions.keys(opts)[0])
    const eg = example.every((k) => k !== undefined) ? `, e.g. ${example.join(MULTI_SEPARATOR)}` : ''
    const hint = this.reordered(key, opts)
    const reorder = hint === undefined ? '' : ` Its parts look reordered: did you mean ${hint}?`
    return new StrataError(
      'STRATA_INVALID_PARTITION_KEY',
      `Invalid partition key ${JSON.stringify(key)} for multi partitions: expected ${this.shape} (parts in dimension-name order${eg}); ${why.replace(/\.$/, '')}.${reorder}`,
      { key, ...details },
    )
  }
}

/** The product of two or more partitions definitions, e.g. `multiPartitions({ date: daily, region: regions })`; keys order the parts by dimension name. */
export function multiPartitions(dims: Record<string, PartitionsDefinition>): MultiPartitions {
  return new MultiPartitions(dims)
}

export function isMultiPartitions(def: unknown): def is MultiPartitions {
  return def instanceof MultiPartitions
}
