/** A time window: `start` inclusive, `end` exclusive. */
export interface TimeWindow {
  start: Date
  end: Date
}

export interface KeysOptions {
  /** Evaluate "the last complete window" relative to this instant. @defaultValue `new Date()` */
  now?: Date
  /** Keys of dynamic partitions, by definition name, as stored by the engine. */
  dynamicKeys?: Record<string, readonly string[]>
}

/**
 * How an asset is split into partitions. Implementations: time windows,
 * static lists, dynamic (runtime-added) keys and multi-dimensional products.
 */
export interface PartitionsDefinition {
  readonly kind: 'time-window' | 'static' | 'dynamic' | 'multi'
  /** All keys, in partition order (chronological for time windows). */
  keys(opts?: KeysOptions): string[]
  /** Whether `key` is a valid, existing partition. */
  has(key: string, opts?: KeysOptions): boolean
  /** Throws STRATA_INVALID_PARTITION_KEY naming the expected format and valid range if `key` is not valid. */
  validateKey(key: string, opts?: KeysOptions): void
  /** A stable description used to compare definitions, e.g. `daily(2021-01-01..,UTC)`. */
  readonly id: string
}

export interface MappingContext {
  downstream: PartitionsDefinition | undefined
  upstream: PartitionsDefinition | undefined
  now?: Date
  dynamicKeys?: Record<string, readonly string[]>
}

/**
 * What a step receives through a mapping, as its input's type: `'one'`
 * upstream value, `'optional'` one value or `undefined` (none may exist, e.g.
 * the partition before the first), or `'many'`: a Map of upstream partition
 * key → value. The engine decides at run time (engine/partitions/mapping.ts,
 * isSingleValued); the mapping factories' return types carry the same answer
 * for the common case of an upstream on the same schedule.
 */
export type MappingArity = 'one' | 'optional' | 'many'

/**
 * Maps downstream partition keys to the upstream partition keys they may
 * read, and back. `A` types the input a compute receives through it; a
 * mapping written by hand is `PartitionMapping` (any of the three) unless
 * declared e.g. `PartitionMapping<'many'>`.
 */
export interface PartitionMapping<A extends MappingArity = MappingArity> {
  /** Type-level only, never set: what a step receives through this mapping. */
  readonly __arity?: A
  readonly kind: string
  /** How the mapping is written in code, for messages, e.g. `timeWindowMapping({ startOffset: -1 })`. */
  readonly description?: string
  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): { keys: string[]; missing: string[] }
  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[]
}

/** A partition key with its time window. */
export interface PartitionWindow extends TimeWindow {
  key: string
}

/** `'cron'`: the windows between the ticks of any other cron, e.g. `0 0,11 * * *` or `0 9 * * 1-5`. */
export type TimeGranularity = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'cron'

/**
 * Partitions that are consecutive time windows of a cron schedule. Keys are
 * formatted window starts. "Existing" partitions are those from `start` up to
 * the last complete window before `now` (see `endOffset`), cut by `end`.
 */
export interface TimeWindowPartitionsDefinition extends PartitionsDefinition {
  readonly kind: 'time-window'
  readonly granularity: TimeGranularity
  /** Canonical cron string, e.g. `0 0 * * *`. */
  readonly cron: string
  readonly timezone: string
  /** Key format (luxon tokens). */
  readonly fmt: string
  /** As given: partitions start at the first schedule tick at or after it. */
  readonly start: Date
  /** As given: partitions end at or before it. */
  readonly end?: Date
  readonly endOffset: number
  /** The window of any well-formed key, existing yet or not. Throws STRATA_INVALID_PARTITION_KEY otherwise. */
  window(key: string): TimeWindow
  /** The first existing key, if any partition exists at `now`. */
  firstKey(opts?: KeysOptions): string | undefined
  lastKey(opts?: KeysOptions): string | undefined
  /** The following existing key; undefined after the last. */
  nextKey(key: string, opts?: KeysOptions): string | undefined
  previousKey(key: string, opts?: KeysOptions): string | undefined
  /** Existing keys from `fromKey` to `toKey`, both included. */
  keysInRange(fromKey: string, toKey: string, opts?: KeysOptions): string[]
  /** The existing partition whose window contains `date`. */
  keyForTime(date: Date, opts?: KeysOptions): string | undefined
  /** Existing partitions whose windows overlap [start, end). */
  windowsOverlapping(start: Date, end: Date, opts?: KeysOptions): PartitionWindow[]
}

export interface StaticPartitionsDefinition extends PartitionsDefinition {
  readonly kind: 'static'
  readonly staticKeys: readonly string[]
}

/** Keys added at runtime; the engine stores them and passes them as `opts.dynamicKeys[name]`. */
export interface DynamicPartitionsDefinition extends PartitionsDefinition {
  readonly kind: 'dynamic'
  readonly name: string
}

export interface PartitionDimension {
  readonly name: string
  readonly partitions: PartitionsDefinition
}

/** The product of several definitions; keys join one key per dimension with `|`, ordered by dimension name. */
export interface MultiPartitionsDefinition extends PartitionsDefinition {
  readonly kind: 'multi'
  /** Sorted by name: the order of the parts of a key. */
  readonly dimensions: readonly PartitionDimension[]
  /**
   * `'2024-01-01|us'` → `{ date: '2024-01-01', region: 'us' }`. Throws
   * STRATA_INVALID_PARTITION_KEY, naming the dimension, on a wrong number of
   * parts or a part that is no key of its dimension.
   */
  parseKey(key: string, opts?: KeysOptions): Record<string, string>
  /** `{ region: 'us', date: '2024-01-01' }` → `'2024-01-01|us'` (parts in dimension-name order). */
  key(parts: Record<string, string>, opts?: KeysOptions): string
}
