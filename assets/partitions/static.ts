/** Static partitions: a fixed, ordered list of keys. */
import { StrataError } from '../errors.js'
import { describeKeyProblem, partitionKeyProblem } from './key-rules.js'
import type { KeysOptions, StaticPartitionsDefinition } from './types.js'

function preview(keys: readonly string[], max = 8): string {
  const shown = keys.slice(0, max).join(', ')
  return keys.length > max ? `${shown}, … (${keys.length} keys)` : shown
}

export class StaticPartitions implements StaticPartitionsDefinition {
  readonly kind = 'static' as const
  readonly staticKeys: readonly string[]
  readonly id: string
  private readonly index: ReadonlyMap<string, number>

  constructor(keys: readonly string[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', "staticPartitions() needs a non-empty array of keys, e.g. staticPartitions(['us', 'eu']).")
    }
    const index = new Map<string, number>()
    const duplicates = new Set<string>()
    keys.forEach((key, i) => {
      if (typeof key !== 'string' || key === '') {
        throw new StrataError('STRATA_INVALID_PARTITIONS', `staticPartitions(): key at index ${i} is ${JSON.stringify(key)}; keys must be non-empty strings.`)
      }
      const problem = partitionKeyProblem(key)
      if (problem) {
        throw new StrataError('STRATA_INVALID_PARTITIONS', `staticPartitions(): ${describeKeyProblem(key, problem)}. Rename the key, e.g. ${JSON.stringify(safeName(key))}.`, {
          key,
          char: problem.char,
          index: i,
        })
      }
      if (index.has(key)) duplicates.add(key)
      else index.set(key, i - duplicates.size)
    })
    if (duplicates.size > 0) {
      throw new StrataError('STRATA_INVALID_PARTITIONS', `staticPartitions(): duplicate keys ${[...duplicates].map((k) => JSON.stringify(k)).join(', ')}. Each key must appear once.`)
    }
    this.staticKeys = Object.freeze([...keys])
    this.index = index
    this.id = `static(${JSON.stringify(this.staticKeys)})`
  }

  keys(_opts?: KeysOptions): string[] {
    return [...this.staticKeys]
  }

  has(key: string): boolean {
    return this.index.has(key)
  }

  /** Position of a key in declaration order, or undefined. */
  indexOf(key: string): number | undefined {
    return this.index.get(key)
  }

  validateKey(key: string): void {
    if (!this.index.has(key)) {
      throw new StrataError(
        'STRATA_INVALID_PARTITION_KEY',
        `Invalid partition key ${JSON.stringify(key)} for static partitions: expected one of ${preview(this.staticKeys)}.`,
        { key },
      )
    }
  }
}

/** A suggestion for a key with forbidden characters: each run of them becomes "-". */
function safeName(key: string): string {
  let out = ''
  let bad = false
  for (const ch of key) {
    if (partitionKeyProblem(ch)) bad = true
    else {
      if (bad && out) out += '-'
      bad = false
      out += ch
    }
  }
  return out || 'key'
}

/** Partitions with a fixed list of keys, in the order given. Keys must be unique non-empty strings without "|", ",", line breaks or control characters. */
export function staticPartitions(keys: readonly string[]): StaticPartitions {
  return new StaticPartitions(keys)
}

export function isStaticPartitions(def: unknown): def is StaticPartitions {
  return def instanceof StaticPartitions
}

export { preview as previewKeys }
