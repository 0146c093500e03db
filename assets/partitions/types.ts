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

/** Maps downstream partition keys to the upstream partition keys they may read, and back. */
export interface PartitionMapping {
  readonly kind: string
  upstreamFor(downstreamKeys: readonly string[], ctx: MappingContext): { keys: string[]; missing: string[] }
  downstreamFor(upstreamKeys: readonly string[], ctx: MappingContext): string[]
}
