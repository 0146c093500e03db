/**
 * Public types of the declaration API. Everything a definitions file touches
 * is described here; the engine consumes the normalized forms at the bottom.
 */
import type { MappingArity, PartitionMapping, PartitionsDefinition, TimeWindow } from './partitions/types.js'
import type { AssetCheck } from './checks.js'
import type { ModelRegistryContext } from './registry.js'
import type { ServedModel } from './serving.js'
import type { ServingContext } from './serving-logs.js'
import type { AutomationCondition } from './automation/conditions.js'
import type { FreshnessPolicy } from './automation/freshness.js'
import type { AutomationSpec } from './automation/validate.js'
import type { ScheduleDefinition } from './automation/schedule.js'
import type { SensorDefinition } from './automation/sensor.js'
import type { AutomationSettings } from './automation/types.js'

/** `'raw/orders'` or `['raw', 'orders']`. Canonical form is the slash-joined string. */
export type AssetKeyInput = string | readonly string[]

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Log lines written here are stored with the run and shown by `strata logs`. */
export interface AssetLogger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** What a compute function receives besides its inputs. */
export interface AssetContext {
  /** Id of the run this step belongs to. */
  readonly runId: string
  /** Canonical asset key, e.g. `'raw/orders'`. */
  readonly assetKey: string
  /** 1 for the first try, 2 for the first retry, and so on. */
  readonly attempt: number
  /** The code version this step runs with. */
  readonly codeVersion: string
  /** What `strata serve` logged (`ctx.serving.logs()`), for assets that compare served predictions with outcomes. */
  readonly serving: ServingContext
  /** Stored with the run; streamed to the CLI and UI. */
  readonly log: AssetLogger
  /** Resources from `defineDefinitions({ resources })`, created once per worker. */
  readonly resources: Record<string, unknown>
  /** The partition being materialized, for partitioned assets. */
  readonly partitionKey?: string
  /** The partition's time window, for time-window partitioned assets. */
  readonly partitionWindow?: TimeWindow
  /** The range of partitions when one step covers several (`backfillPolicy`). */
  readonly partitionKeyRange?: { start: string; end: string; keys: string[] }
  /**
   * The model registry. `register()`/`promote()` are queued and applied by
   * the orchestrator after this step's materialization is recorded (nothing
   * is applied if the step fails); reads are immediate. See `ModelRegistryContext`.
   */
  readonly registry: ModelRegistryContext
}

/**
 * Retry policy, with Dagster's semantics: after a failure the step is tried
 * again up to `maxRetries` times; the wait before retry n (1-based) is
 * `delayMs` (no backoff), `delayMs * n` (linear) or `delayMs * (2^n - 1)` (exponential),
 * then jittered.
 */
export interface RetryPolicy {
  /** @defaultValue 1 */
  maxRetries?: number
  /** @defaultValue 0 */
  delayMs?: number
  /** @defaultValue none (constant delay) */
  backoff?: 'linear' | 'exponential'
  /** `'full'`: uniform in [0, delay]; `'plus_minus'`: delay ± delayMs. `true` means `'full'`. @defaultValue none */
  jitter?: 'full' | 'plus_minus' | boolean
}

/** Options of `output(value, options)`. */
export interface OutputOptions {
  /** Free-form metadata recorded with the materialization. */
  metadata?: Record<string, unknown>
  /** Overrides the content hash as data version (e.g. a source's modification stamp). */
  dataVersion?: string
}

declare const OUTPUT_VALUE: unique symbol
/** A compute result with metadata or an explicit data version. Create with `output()`. */
export interface Output<T> {
  readonly __strataOutput: true
  readonly value: T
  readonly metadata: Record<string, unknown>
  readonly dataVersion?: string
  readonly [OUTPUT_VALUE]?: T
}

/** Placeholder for an asset's own earlier partitions in `ins`. */
export interface SelfReference {
  readonly __strataSelf: true
}

/** An input given with options. */
export interface AssetInputSpec<T = unknown> {
  asset: AssetDefinition<T> | SelfReference | AssetKeyInput
  /**
   * How this asset's partitions map to the upstream's; its type decides the
   * input's (see InputValue). @defaultValue Dagster's defaults (time overlap / identity / all)
   */
  mapping?: PartitionMapping<any>
  /** Permit a mapping that reads upstream partitions ending after the downstream window ends. @defaultValue false */
  allowFuture?: boolean
  /**
   * `'strict'`: every upstream window read must end at or before the
   * downstream window STARTS, so a partition never sees data of its own
   * window (e.g. features of a day from the days before it). Checked when the
   * definitions load (STRATA_FUTURE_LEAK); both sides must be time-partitioned.
   * Without it, reading the downstream's own window is allowed.
   */
  pointInTime?: 'strict'
  /** Run even when some mapped upstream partitions do not exist. @defaultValue false */
  allowMissing?: boolean
}

export type AssetInput = AssetDefinition<any> | AssetInputSpec<any>

/** An upstream value as a step receives it through a mapping of arity A. */
export type ValueByArity<A, T> = A extends 'one' ? T : A extends 'optional' ? T | undefined : Map<string, T>

/** The arity of an input's mapping; one value when it gives none (see engine/partitions/mapping.ts for the defaults). */
type ArityOf<I> = I extends { mapping: PartitionMapping<infer A extends MappingArity> } ? A : 'one'
/** An input that may find no upstream partition: its own earlier partitions (`self`), or `allowMissing: true`. */
type MayBeNone<I, A> = A extends 'one' ? (I extends { asset: SelfReference } | { allowMissing: true } ? 'optional' : A) : A

/**
 * The type of an input as `compute` receives it, following the run-time
 * rule (README "Inputs"): the value itself when the mapping pairs each
 * partition with one upstream partition (identity, lastMapping, a time
 * window of equal offsets, an unpartitioned upstream, or no mapping);
 * `T | undefined` where that partition may not exist (`self`, allowMissing,
 * non-zero equal offsets); a `Map<string, T>` of partition key → value where
 * several arrive (allMapping, staticMapping, multi/dimension mappings,
 * different offsets). `Self` is the asset's own value type, for `self` inputs.
 */
export type InputValue<I, Self = unknown> = I extends AssetDefinition<infer T>
  ? T
  : I extends { asset: SelfReference }
    ? ValueByArity<MayBeNone<I, ArityOf<I>>, Self>
    : I extends { asset: AssetDefinition<infer T> }
      ? ValueByArity<MayBeNone<I, ArityOf<I>>, T>
      : unknown

export type InputValues<Ins, Self = unknown> = { [K in keyof Ins]: InputValue<Ins[K], Self> }

export type Unwrap<R> = R extends Output<infer T> ? T : R

export type ComputeFn<Ins, R, Self = unknown> = (ctx: AssetContext, inputs: InputValues<Ins, Self>) => R | Promise<R>

/**
 * What `asset()` returns. `Self`, the type of `self` inputs, cannot be
 * inferred from `compute` (it is compute's own result), so it comes from the
 * declared type: `const total: AssetDefinition<number> = asset({ ... })`
 * types a `self` input as `number` (or `number | undefined`, …). The
 * intersection is what lets TypeScript read `Self` off that declaration; it
 * is left out when compute's result is not a `Self`, so the declaration
 * then fails to type-check.
 */
export type AssetResult<R, Self> = unknown extends Self
  ? AssetDefinition<Unwrap<Awaited<R>>>
  : [Unwrap<Awaited<R>>] extends [Self]
    ? AssetDefinition<Unwrap<Awaited<R>>> & { readonly __valueType?: Self }
    : AssetDefinition<Unwrap<Awaited<R>>>

/** What `asset()` accepts. `Self` types `self` inputs (see AssetResult). */
export interface AssetSpec<Ins extends Record<string, AssetInput>, R, Self = unknown> {
  /** Unique key, `'x/y'` or `['x', 'y']`. */
  key: AssetKeyInput
  /** Upstream assets whose values are loaded and passed to `compute`. */
  ins?: Ins
  /** Upstream assets that must be materialized first; their values are not loaded. */
  deps?: ReadonlyArray<AssetDefinition<any> | AssetKeyInput>
  /** @defaultValue 'default' */
  group?: string
  description?: string
  tags?: Record<string, string>
  metadata?: Record<string, unknown>
  /**
   * Pins the asset's whole version. Without it the engine derives one from
   * `compute`'s source, the project code it uses (helpers in local modules,
   * transitively; installed package versions), the definition's structure
   * (ins, deps, mappings, partitions, backfill policy, checks) and `versionInputs`.
   */
  codeVersion?: string
  /**
   * Named JSON values the compute depends on that are not in its code, e.g.
   * the config sections it reads: part of the automatic version, so changing
   * one makes the asset stale (`version input "hyperparameters" changed`).
   * Not allowed with `codeVersion`, which pins the whole version.
   */
  versionInputs?: Record<string, unknown>
  retry?: RetryPolicy
  /**
   * How long one attempt may run, in milliseconds, counted from when its
   * compute is about to start (definitions loaded). Past it the step is
   * stopped (the pool terminates its worker thread), fails with
   * `STRATA_TIMEOUT` and is retried per `retry`. Not part of the version.
   */
  timeoutMs?: number
  /** Name of a concurrency pool; limits come from `defineDefinitions({ pools })`. */
  pool?: string
  /**
   * An observation of something outside Strata (a file, a table, an API):
   * re-run on every `materialize --stale` and backfill with `--stale`, its
   * output's data version telling whether the source changed. Keep it cheap
   * (e.g. return `output(info, { dataVersion: fileHash })`); an unchanged data
   * version leaves everything downstream fresh (early cut-off).
   * @defaultValue false
   */
  observe?: boolean
  /**
   * Registry models whose production version this asset reads (e.g. through
   * `ctx.registry.production(name)`): the version in production when it is
   * materialized is recorded with it, and a promotion or rollback makes it
   * stale (`production model NAME changed: v2 → v3`), so `materialize --stale`
   * rebuilds it. Names as in the registry.
   */
  models?: readonly string[]
  /** Splits the asset into partitions. */
  partitions?: PartitionsDefinition
  /**
   * When the automation daemon (`strata daemon`) requests this asset, e.g.
   * `eager()`, `onCron('0 4 * * *')`, `onMissing()`, combined with `and`,
   * `or`, `not`. Not part of the version.
   */
  automation?: AutomationCondition
  /**
   * A non-blocking check that warns when the latest materialization (latest
   * partition) is more than `maxLagMinutes` old, or, with `cron`, misses what
   * arrived up to `maxLagMinutes` before the last tick. Not part of the version.
   */
  freshness?: FreshnessPolicy
  /** One step per partition (default) or one step over up to N partitions. */
  backfillPolicy?: { maxPartitionsPerStep: number }
  /**
   * Checks run on the value right after `compute`, before it is stored
   * (`check()`, `dataContract()`). A failing blocking check fails the step
   * (`STRATA_CHECK_FAILED`) and keeps the last good materialization; a
   * failing non-blocking check is only recorded. Names must be unique.
   */
  checks?: ReadonlyArray<AssetCheck<NoInfer<Unwrap<Awaited<R>>>>>
  compute: ComputeFn<Ins, R, Self>
}

/** A normalized input as the engine sees it. */
export interface NormalizedInput {
  /** Canonical upstream key (the asset's own key for `self`). */
  assetKey: string
  isSelf: boolean
  mapping?: PartitionMapping
  allowFuture: boolean
  /** Present only when declared (`'strict'`). */
  pointInTime?: 'strict'
  allowMissing: boolean
}

/** A declared asset. Create with `asset()`. */
export interface AssetDefinition<T = unknown> {
  readonly __strataAsset: true
  readonly key: string
  readonly keyPath: readonly string[]
  readonly ins: Readonly<Record<string, NormalizedInput>>
  /** Canonical keys of order-only dependencies. */
  readonly deps: readonly string[]
  /** All upstream keys (ins then deps, without `self`), deduplicated. */
  readonly upstreamKeys: readonly string[]
  readonly group: string
  readonly description?: string
  readonly tags: Readonly<Record<string, string>>
  readonly metadata: Readonly<Record<string, unknown>>
  /**
   * The pin, else a hash of `compute`'s source. Definitions loaded by the
   * engine carry the full automatic version here (code used, structure,
   * version inputs), which is what materializations record.
   */
  readonly codeVersion: string
  /** `'auto'` when derived from the compute source. */
  readonly codeVersionSource: 'auto' | 'explicit'
  /** `versionInputs` as canonical JSON, by name (empty when none). */
  readonly versionInputs: Readonly<Record<string, string>>
  readonly retry?: Required<Pick<RetryPolicy, 'maxRetries' | 'delayMs'>> & Pick<RetryPolicy, 'backoff' | 'jitter'>
  /** Per-attempt time limit in milliseconds (see AssetSpec.timeoutMs). */
  readonly timeoutMs?: number
  readonly pool?: string
  /** Registry models whose production version it reads, sorted (empty when none; see AssetSpec.models). */
  readonly models: readonly string[]
  readonly observe: boolean
  readonly partitions?: PartitionsDefinition
  readonly backfillPolicy?: { maxPartitionsPerStep: number }
  /** The automation condition, when declared. */
  readonly automation?: AutomationCondition
  /** The freshness policy, when declared. */
  readonly freshness?: FreshnessPolicy
  /** Checks run after compute, in order (empty when none). */
  readonly checks: readonly AssetCheck<any>[]
  readonly compute: (ctx: AssetContext, inputs: Record<string, unknown>) => unknown
  /** Phantom field carrying the value type for typed `ins`. */
  readonly __valueType?: T
}

/** Settings of the queue executor (`strata materialize --executor queue`, `strata worker`). */
export interface ExecutorSpec {
  /** The queue's Redis URL, `redis://HOST:6379[/DB][?prefix=NAME]`. */
  queue?: string
  /**
   * How long a step may wait while no live worker serves its queue before it
   * fails with STRATA_NO_WORKERS. @defaultValue 30,000
   */
  workerTimeoutMs?: number
}

/** What `defineDefinitions()` accepts. */
export interface DefinitionsSpec {
  assets: ReadonlyArray<AssetDefinition<any>>
  /** Maximum concurrent steps per pool name. Pools not listed are unlimited. */
  pools?: Record<string, number>
  /** Where `--executor queue` runs steps (the `--queue` flag and $STRATA_QUEUE_URL take precedence). */
  executor?: ExecutorSpec
  /**
   * Where runs, events, materializations and state live: `'sqlite'` (the
   * database `strata.db` in the home) or a PostgreSQL URL,
   * `postgres://user@host:5432/database?schema=NAME` (`schema` defaults to
   * `strata`), which several processes and hosts can share. The `--storage`
   * flag and $STRATA_STORAGE_URL take precedence. Stored values (objects)
   * stay in the home unless `--objects` says otherwise.
   * @defaultValue 'sqlite'
   */
  storage?: string
  /**
   * Where stored values (objects) live: a directory (relative paths from
   * this file's directory; a shared volume makes them reachable from every
   * host) or `postgres://user@host:5432/database?schema=NAME` (values in the
   * database, in chunks: no shared volume needed). The `--objects` flag and
   * $STRATA_OBJECTS take precedence.
   * @defaultValue the home
   */
  objects?: string
  /** Values or zero-argument factories, created once per worker and exposed as `ctx.resources`. */
  resources?: Record<string, unknown>
  /** Models served online by `strata serve`, by registry model name (see `servedModel()` in assets/serving.ts). */
  serving?: Record<string, ServedModel<any, any, any>>
  /** Cron schedules the daemon ticks (`schedule()`). */
  schedules?: ReadonlyArray<ScheduleDefinition>
  /** Sensors the daemon evaluates (`sensor()`, `fileSensor()`, `assetSensor()`). */
  sensors?: ReadonlyArray<SensorDefinition>
  /** Daemon limits: runs at once (default 1) and a per-run time limit. */
  automation?: AutomationSpec
  /**
   * How stored values survive a power loss (see Durability).
   * @defaultValue 'fsync'
   */
  durability?: Durability
}

/**
 * How a stored value survives a power loss or a crash of the machine.
 *
 * - `'fsync'`: each new object is flushed to disk (the file, then its
 *   directory after the rename) before its materialization is recorded, so a
 *   recorded value is never lost. Costs a few milliseconds per step on most
 *   disks (`npm run bench -- durability`).
 * - `'verify'`: objects are not flushed. After a power loss a recorded value
 *   may be empty or truncated; that is caught when it is read (its content no
 *   longer hashes to its name): the step needing it fails with
 *   STRATA_CORRUPT_OBJECT, the asset shows STALE and `materialize --stale`
 *   rebuilds it.
 *
 * Either way every object's content hash is checked when it is first read in
 * a process, so a damaged value is never handed to a compute.
 */
export type Durability = 'fsync' | 'verify'

/** Validated definitions. The default export of a definitions file. */
export interface Definitions {
  readonly __strataDefinitions: true
  readonly assets: readonly AssetDefinition<any>[]
  readonly byKey: ReadonlyMap<string, AssetDefinition<any>>
  readonly pools: Readonly<Record<string, number>>
  /** The queue executor's settings, when given. */
  readonly executor?: ExecutorSpec
  /** The storage URL, when given (see DefinitionsSpec.storage). */
  readonly storage?: string
  /** The object store, when given (see DefinitionsSpec.objects). */
  readonly objects?: string
  readonly resources: Readonly<Record<string, unknown>>
  /** Served models by registry model name (`defineDefinitions` always sets it, empty when none). */
  readonly serving?: Readonly<Record<string, ServedModel<any, any, any>>>
  /** Schedules (`defineDefinitions` always sets it, empty when none). */
  readonly schedules?: readonly ScheduleDefinition[]
  /** Sensors (`defineDefinitions` always sets it, empty when none). */
  readonly sensors?: readonly SensorDefinition[]
  /** Daemon settings (`defineDefinitions` always sets it: maxConcurrentRuns 1 unless given). */
  readonly automation?: AutomationSettings
  /** How stored values survive a power loss (`defineDefinitions` always sets it: 'fsync' unless given). */
  readonly durability?: Durability
}
