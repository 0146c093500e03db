/**
 * The model: XGBoost (ml-xgboost, WASM) trained on a seeded sample of the
 * feature rows, stored as a self-describing artifact, and scored through the
 * same feature module the pipeline uses (`scoreFlights`: the serving path).
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { XGBoostClass, XGBoostModel, XGBoostModelJSON } from 'ml-xgboost'
import type { Hyperparameters } from './config.js'
import { computeFeatures, FEATURE_NAMES, FEATURE_SET_VERSION, type FlightColumns, type History } from './features.js'

export const MODEL_FORMAT = 'ml-xgboost@1.1.2'

/** ml-xgboost copies its input onto this 5 MiB WASM stack. */
export const WASM_STACK_BYTES = 5 * 1024 * 1024

/** What `training/model` stores: everything needed to score flights later. */
export interface ModelArtifact {
  format: typeof MODEL_FORMAT
  featureSet: string
  featureNames: string[]
  /** The XGBoost binary model, base64. */
  modelBase64: string
  /** sha256 of the binary model. */
  modelSha256: string
  options: Record<string, string | number>
}

const require = createRequire(import.meta.url)
type Sink = (line: string) => void
let sink: Sink = () => {}
let loaded: Promise<XGBoostClass> | undefined

/**
 * Loads ml-xgboost once per thread. Its emscripten runtime prints through
 * `Module.print/printErr`; those are routed to `sink` (the step's logger
 * while training) instead of the terminal. It also tries streaming
 * compilation with a file path, which fails noisily in Node: hide
 * `instantiateStreaming` while it initializes so it goes straight to the
 * ArrayBuffer path.
 */
export function loadXGBoost(): Promise<XGBoostClass> {
  if (loaded) return loaded
  const wasm = (globalThis as unknown as { WebAssembly: { instantiateStreaming?: unknown } }).WebAssembly
  const streaming = wasm.instantiateStreaming
  wasm.instantiateStreaming = undefined
  try {
    const runtime = require('ml-xgboost/dist/wasm/xgboost.js') as { print: Sink; printErr: Sink }
    runtime.print = (line) => sink(String(line))
    runtime.printErr = (line) => sink(String(line))
    loaded = require('ml-xgboost') as Promise<XGBoostClass>
  } finally {
    wasm.instantiateStreaming = streaming
  }
  return loaded
}

/** Bytes ml-xgboost puts on its stack for `rows` training rows. */
export const trainingInputBytes = (rows: number, features = FEATURE_NAMES.length): number => rows * (features + 1) * 4

/** Throws a clear error when a training input would overflow ml-xgboost's WASM stack. */
export function assertTrainingInputFits(rows: number, features: number, maxMiB: number): void {
  const bytes = trainingInputBytes(rows, features)
  const limit = Math.min(maxMiB * 1024 * 1024, WASM_STACK_BYTES)
  if (bytes > limit) {
    const maxRows = Math.floor(limit / ((features + 1) * 4))
    throw new Error(
      `Training input too large for ml-xgboost: ${rows} rows × (${features} features + label) × 4 bytes = ${(bytes / 1048576).toFixed(2)} MiB, over the ${(limit / 1048576).toFixed(2)} MiB limit (ml-xgboost copies its whole input onto a 5 MiB WASM stack and crashes beyond it). Lower sample.max_rows in the training config to at most ${maxRows}.`,
    )
  }
}

/** Rows of a row-major Float32Array as the arrays ml-xgboost takes. */
function rowsOf(x: Float32Array, rows: number, cols: number, from = 0, to = rows): number[][] {
  const out = new Array<number[]>(to - from)
  for (let r = from; r < to; r++) out[r - from] = Array.from(x.subarray(r * cols, (r + 1) * cols))
  return out
}

function xgboostOptions(hp: Hyperparameters, seed: number): Record<string, string | number> {
  return {
    booster: hp.booster,
    objective: hp.objective,
    tree_method: hp.tree_method,
    max_depth: hp.max_depth,
    eta: hp.eta,
    min_child_weight: hp.min_child_weight,
    subsample: hp.subsample,
    colsample_bytree: hp.colsample_bytree,
    lambda: hp.lambda,
    iterations: hp.iterations,
    seed,
    nthread: 1,
    silent: 1,
  }
}

function withSink<T>(log: Sink | undefined, fn: () => T): T {
  const previous = sink
  sink = log ?? (() => {})
  try {
    return fn()
  } finally {
    sink = previous
  }
}

export interface TrainResult {
  artifact: ModelArtifact
  wallTimeMs: number
}

/**
 * Trains on `x` (row-major, rows × FEATURE_NAMES) and labels `y`. Deterministic
 * for a given input, hyperparameters and seed (single-threaded; `seed` drives
 * row and column subsampling).
 */
export async function trainModel(x: Float32Array, y: Uint8Array | Int8Array, hp: Hyperparameters, seed: number, opts: { maxInputMiB: number; log?: Sink }): Promise<TrainResult> {
  const cols = FEATURE_NAMES.length
  const rows = y.length
  if (x.length !== rows * cols) throw new Error(`Training matrix has ${x.length} values; expected ${rows} rows × ${cols} features.`)
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!)) throw new Error(`Training matrix has NaN at row ${Math.floor(i / cols)}, feature ${FEATURE_NAMES[i % cols]}: ml-xgboost aborts on NaN (missing values must be -1).`)
  assertTrainingInputFits(rows, cols, opts.maxInputMiB)
  const XGBoost = await loadXGBoost()
  const options = xgboostOptions(hp, seed)
  const started = performance.now()
  const booster = new XGBoost(options)
  try {
    withSink(opts.log, () => booster.train(rowsOf(x, rows, cols), Array.from(y)))
    const json = booster.toJSON()
    const bytes = Uint8Array.from(json.model as ArrayLike<number>, (b) => b & 0xff)
    return {
      wallTimeMs: performance.now() - started,
      artifact: {
        format: MODEL_FORMAT,
        featureSet: FEATURE_SET_VERSION,
        featureNames: [...FEATURE_NAMES],
        modelBase64: Buffer.from(bytes).toString('base64'),
        modelSha256: createHash('sha256').update(bytes).digest('hex'),
        options,
      },
    }
  } finally {
    booster.free()
  }
}

/** A loaded model; call `free()` when done (WASM memory is not garbage-collected). */
export interface LoadedModel {
  predict(x: Float32Array, rows: number): Float64Array
  free(): void
}

export async function loadModel(artifact: ModelArtifact): Promise<LoadedModel> {
  if (artifact.format !== MODEL_FORMAT) throw new Error(`Model format ${artifact.format} is not ${MODEL_FORMAT}.`)
  if (artifact.featureSet !== FEATURE_SET_VERSION) {
    throw new Error(`The model was trained on feature set ${artifact.featureSet}, but this code computes ${FEATURE_SET_VERSION}: scoring it would be training/serving skew. Retrain it.`)
  }
  const XGBoost = await loadXGBoost()
  const bytes = Buffer.from(artifact.modelBase64, 'base64')
  const json: XGBoostModelJSON = { name: 'ml-xgboost', model: bytes, options: artifact.options }
  const booster: XGBoostModel = XGBoost.load(json)
  const cols = artifact.featureNames.length
  return {
    predict(x, rows) {
      if (x.length !== rows * cols) throw new Error(`Scoring matrix has ${x.length} values; expected ${rows} rows × ${cols} features.`)
      const out = new Float64Array(rows)
      const CHUNK = 20_000
      for (let from = 0; from < rows; from += CHUNK) {
        const to = Math.min(rows, from + CHUNK)
        const p = withSink(undefined, () => booster.predict(rowsOf(x, rows, cols, from, to)))
        out.set(p, from)
      }
      return out
    },
    free: () => booster.free(),
  }
}

/** Feature columns (FEATURE_NAMES order) → one row-major matrix. */
export function toMatrix(columns: ReadonlyArray<Float32Array>, rows: number): Float32Array {
  const cols = columns.length
  const x = new Float32Array(rows * cols)
  for (let c = 0; c < cols; c++) {
    const col = columns[c]!
    for (let r = 0; r < rows; r++) x[r * cols + c] = col[r]!
  }
  return x
}

/**
 * The serving path: delay probabilities for flights given the history of the
 * days before theirs — the very functions that built the training features.
 */
export function scoreFlights(model: LoadedModel, flights: FlightColumns, history: History): Float64Array {
  const features = computeFeatures(flights, history)
  return model.predict(
    toMatrix(
      FEATURE_NAMES.map((n) => features[n]!),
      flights.n,
    ),
    flights.n,
  )
}

/** mulberry32: a small, fast, seedable PRNG (deterministic across platforms). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `k` of `n` indices, uniformly without replacement, in increasing order
 * (Knuth's selection sampling: one pass, one random number per row). The same
 * seed gives the same sample.
 */
export function sampleIndices(n: number, k: number, seed: number): Uint32Array {
  const take = Math.min(n, k)
  const out = new Uint32Array(take)
  const rand = mulberry32(seed)
  let chosen = 0
  for (let i = 0; i < n && chosen < take; i++) {
    if (rand() * (n - i) < take - chosen) out[chosen++] = i
  }
  return out
}
