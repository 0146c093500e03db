/**
 * Types for ml-xgboost@1.1.2 (it ships none). XGBoost 0.7 compiled to WASM
 * with emscripten. `require('ml-xgboost')` returns a Promise of the class,
 * resolved once the WASM module is initialized.
 *
 * Limits found by experiment: train() copies the whole input (rows × cols
 * floats, plus the labels) onto the 5 MiB emscripten stack, so more than
 * about 5 MiB of input aborts with "memory access out of bounds". The DMatrix
 * is built with missing = -1; a NaN in the input aborts the process.
 */
declare module 'ml-xgboost' {
  /** XGBoost parameters (https://xgboost.readthedocs.io/en/release_0.72/parameter.html) plus `iterations`. */
  export interface XGBoostOptions {
    booster?: string
    objective?: string
    max_depth?: number
    eta?: number
    min_child_weight?: number
    subsample?: number
    colsample_bytree?: number
    silent?: number
    iterations?: number
    [param: string]: string | number | undefined
  }

  /** What `toJSON()` returns and `load()` takes: the binary model as signed bytes. */
  export interface XGBoostModelJSON {
    name: 'ml-xgboost'
    model: ArrayLike<number>
    options: Record<string, string | number>
  }

  export interface XGBoostModel {
    train(trainingSet: number[][], labels: number[]): void
    predict(rows: number[][]): number[]
    toJSON(): XGBoostModelJSON
    /** Frees the WASM memory of the model: not garbage-collected. */
    free(): void
  }

  export interface XGBoostClass {
    new (options: XGBoostOptions): XGBoostModel
    load(model: XGBoostModelJSON): XGBoostModel
  }

  const ready: Promise<XGBoostClass>
  export default ready
}
