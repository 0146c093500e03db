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
 */
import { StrataError } from './errors.js'
import type { AssetDefinition } from './types.js'
import type { ModelVersion } from './registry.js'

/** One prediction. `probability` in [0, 1]; `label` a class name (or any JSON scalar). */
export interface Prediction {
  probability: number
  label: string | number | boolean
  /** Anything else worth returning (e.g. the features used); must be JSON. */
  [extra: string]: unknown
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
  /** One prediction per instance, in order. Pure: same instances and model → same answer. */
  predict(loaded: L, instances: I[], ctx: ServingPredictContext<F>): Prediction[] | Promise<Prediction[]>
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
  if (typeof spec !== 'object' || spec === null) throw new StrataError('STRATA_INVALID_DEFINITIONS', 'servedModel() takes { load, parseInstance, predict, features?, unload? }.')
  for (const fn of ['load', 'parseInstance', 'predict'] as const) {
    if (typeof spec[fn] !== 'function') throw new StrataError('STRATA_INVALID_DEFINITIONS', `servedModel(): ${fn} must be a function.`)
  }
  if (spec.unload !== undefined && typeof spec.unload !== 'function') throw new StrataError('STRATA_INVALID_DEFINITIONS', 'servedModel(): unload must be a function.')
  const featuresKey = spec.features ? (spec.features.asset as AssetDefinition<F> | undefined)?.key : undefined
  if (spec.features && typeof featuresKey !== 'string') throw new StrataError('STRATA_INVALID_DEFINITIONS', 'servedModel(): features.asset must be an asset.')
  return Object.freeze({ ...spec, __strataServedModel: true as const, ...(featuresKey ? { featuresKey } : {}) })
}

export function isServedModel(value: unknown): value is ServedModel {
  return typeof value === 'object' && value !== null && (value as ServedModel).__strataServedModel === true
}
