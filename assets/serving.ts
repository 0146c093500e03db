/**
 * Serving: how a registered model answers online prediction requests
 * (`strata serve`). Declared beside the assets, pure (no I/O here):
 *
 * @example
 * export default defineDefinitions({
 *   assets: [...],
 *   serving: {
 *     flight_delay: servedModel({
 *       features: { asset: onlineFeatures },            // optional: its latest value is handed to load/predict
 *       load: (artifact, ctx) => loadModel(artifact),   // artifact = the registered version's stored object
 *       parseInstance: (json) => parseFlight(json),     // throw invalidInstance('distance', 'must be a number')
 *       predict: (model, flights, ctx) => score(model, flights, ctx.features),
 *       warnings: (model, flights, ctx) => flights.map((f) => gaps(f, ctx.features)),  // optional: [{ kind, message, unavailable? }] per flight
 *       unload: (model) => model.free(),
 *     }),
 *   },
 * })
 *
 * The server (`strata serve`, engine/serving/) loads the `production` version
 * of every served model at start — and, with `--shadow STAGE` or
 * `--canary STAGE:PCT`, the version in that stage too — by calling
 * `load(artifact, ctx)` with the version's artifact (loaded from the home's
 * object store, as the model asset stored it) and, if `features` is given,
 * the latest materialized value of that asset. It polls the registry (and the
 * features asset) about every second and on SIGHUP: a promotion, a rollback
 * or a new feature materialization loads the new version and swaps it in
 * atomically; the old one is `unload`ed once its in-flight requests are done.
 *
 * A request `POST /v1/models/:name/predict {"instances": [...]}` calls
 * `parseInstance` on every instance (a throw is a 400 naming the instance
 * index and, with `invalidInstance`, the field), then `predict` once with the
 * whole batch; it must return one `{ probability, label }` per instance, in
 * order. Predictions must be pure functions of the instances and what `load`
 * returned (no clock, no randomness): that is what makes shadow comparisons
 * and replays meaningful.
 *
 * An online store rarely holds everything the batch features saw (only the
 * last days, only the airports seen lately). A model that can tell declares
 * `warnings(loaded, instances, ctx)`: one `ServingWarning[]` per instance,
 * called before `predict`. Each prediction is answered with `warnings` (the
 * messages; `[]` when none, and for models without the hook), every warning
 * is counted in /metrics by model and kind, and a warning marked
 * `unavailable` (the features lie outside what the store holds) makes
 * `strata serve --strict-features` refuse the request with 422
 * `features_unavailable` instead of scoring it on partial features.
 */
import { StrataError } from './errors.js'
import type { AssetDefinition } from './types.js'
import type { ModelVersion } from './registry.js'

/** One prediction. `probability` in [0, 1]; `label` a class name (or any JSON scalar). */
export interface Prediction {
  probability: number
  label: string | number | boolean
  /** Set by the server from the served model's `warnings` (`[]` when none); `predict` must not return it. */
  warnings?: string[]
  /** Anything else worth returning (e.g. the features used); must be JSON. */
  [extra: string]: unknown
}

/**
 * Why one prediction deserves less trust than the batch score of the same
 * instance: the features it needs are missing or partial in the online store.
 */
export interface ServingWarning {
  /** Stable name, counted in /metrics by model and kind: lowercase words joined by `_`, e.g. `history_incomplete`. */
  kind: string
  /** What the caller reads in the prediction's `warnings`, e.g. `history incomplete: 6 of 7 days`. */
  message: string
  /**
   * Set when the instance needs features outside what the store holds (e.g. a
   * date outside its window): the reason, naming the instance's value and the
   * store's range. `strata serve --strict-features` refuses the request with it
   * (422 `features_unavailable`); without the flag the instance is scored and warned.
   */
  unavailable?: string
}

/** What `load` receives besides the artifact. */
export interface ServingLoadContext<F = unknown> {
  /** The registry version being loaded. */
  readonly model: ModelVersion
  /** The latest value of `features.asset` (undefined when the served model declares no features asset). */
  readonly features: F | undefined
  /** Data version of that features materialization. */
  readonly featuresVersion?: string
}

/** What `predict` receives besides the loaded model and the instances. */
export interface ServingPredictContext<F = unknown> {
  readonly model: ModelVersion
  /** The features value the model was loaded with (see ServingLoadContext). */
  readonly features: F | undefined
}

/** A served model. Create with `servedModel()`. */
export interface ServedModelSpec<L = unknown, I = unknown, F = unknown> {
  /** The online feature store: an asset whose latest materialization is passed as `ctx.features`. */
  features?: { asset: AssetDefinition<F> }
  /** Turns a registered version's artifact into something that predicts. May be async. */
  load(artifact: unknown, ctx: ServingLoadContext<F>): L | Promise<L>
  /**
   * Validates one request instance (parsed JSON) and returns it typed. Throw
   * `invalidInstance(field, message)` (or any Error) when it is not valid; the
   * server answers 400 naming the instance index and field.
   */
  parseInstance(json: unknown): I
  /** One prediction per instance, in order. Pure: same instances and model → same answer. Do not set `warnings` here: declare `warnings`. */
  predict(loaded: L, instances: I[], ctx: ServingPredictContext<F>): Prediction[] | Promise<Prediction[]>
  /**
   * What the features cannot give each instance (see ServingWarning): one
   * array per instance, in order, `[]` when nothing is missing. Called before
   * `predict` with the same loaded model and features. Pure, like `predict`.
   */
  warnings?(loaded: L, instances: I[], ctx: ServingPredictContext<F>): ServingWarning[][] | Promise<ServingWarning[][]>
  /** Frees a loaded model no longer served (WASM memory, handles). */
  unload?(loaded: L): void | Promise<void>
  description?: string
}

/** A validated served model, as `defineDefinitions({ serving })` keeps it. */
export interface ServedModel<L = unknown, I = unknown, F = unknown> extends Readonly<ServedModelSpec<L, I, F>> {
  readonly __strataServedModel: true
  /** Canonical key of the features asset, if any. */
  readonly featuresKey?: string
}

/** Thrown by `parseInstance` for an invalid field. */
export class InvalidInstanceError extends Error {
  readonly field: string
  constructor(field: string, message: string) {
    super(message)
    this.name = 'InvalidInstanceError'
    this.field = field
  }
}

/** Throws an `InvalidInstanceError` for `field`. */
export function invalidInstance(field: string, message: string): never {
  throw new InvalidInstanceError(field, message)
}

/** Declares a served model (validated here; `defineDefinitions` checks the features asset is declared). */
export function servedModel<L, I, F = unknown>(spec: ServedModelSpec<L, I, F>): ServedModel<L, I, F> {
  if (typeof spec !== 'object' || spec === null) throw new StrataError('STRATA_INVALID_DEFINITIONS', 'servedModel() takes { load, parseInstance, predict, features?, warnings?, unload? }.')
  for (const fn of ['load', 'parseInstance', 'predict'] as const) {
    if (typeof spec[fn] !== 'function') throw new StrataError('STRATA_INVALID_DEFINITIONS', `servedModel(): ${fn} must be a function.`)
  }
  for (const fn of ['unload', 'warnings'] as const) {
    if (spec[fn] !== undefined && typeof spec[fn] !== 'function') throw new StrataError('STRATA_INVALID_DEFINITIONS', `servedModel(): ${fn} must be a function.`)
  }
  const featuresKey = spec.features ? (spec.features.asset as AssetDefinition<F> | undefined)?.key : undefined
  if (spec.features && typeof featuresKey !== 'string') throw new StrataError('STRATA_INVALID_DEFINITIONS', 'servedModel(): features.asset must be an asset.')
  return Object.freeze({ ...spec, __strataServedModel: true as const, ...(featuresKey ? { featuresKey } : {}) })
}

export function isServedModel(value: unknown): value is ServedModel {
  return typeof value === 'object' && value !== null && (value as ServedModel).__strataServedModel === true
}
