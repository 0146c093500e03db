/**
 * The training dataset: a seeded uniform sample of the feature rows of the
 * configured training days, small enough for ml-xgboost. Deterministic: the
 * same feature partitions, config and seed give byte-identical tables (and so
 * the same data version).
 */
import type { Table } from 'apache-arrow'
import type { TrainingConfig } from './config.js'
import { FEATURE_NAMES } from './features.js'
import { assertTrainingInputFits, sampleIndices, trainingInputBytes } from './model.js'
import { float32Column, float32Data, int8Column, int8Data, numberColumn } from './tables.js'
import { tableOf, timestampData } from './ingest.js'
import { encodeStrings, stringColumn } from './tables.js'

export interface DatasetStats {
  rows: number
  sampledFrom: number
  partitions: number
  firstPartition: string
  lastPartition: string
  positiveRate: number
  trainingInputMiB: number
  seed: number
}

/**
 * Samples `config.sample.max_rows` rows from the days' feature tables (given
 * in partition order). Throws a clear error when the sample would not fit
 * ml-xgboost's WASM stack.
 */
export function buildTrainingDataset(days: ReadonlyMap<string, Table>, config: TrainingConfig): { table: Table; stats: DatasetStats } {
  const keys = [...days.keys()]
  if (keys.length === 0) throw new Error('No feature partitions in the training range: materialize features/flights first.')
  const sorted = [...keys].sort()
  if (sorted.some((k, i) => k !== keys[i])) throw new Error('Feature partitions must come in date order.')
  const tables = keys.map((k) => days.get(k)!)
  const total = tables.reduce((n, t) => n + t.numRows, 0)
  const pick = sampleIndices(total, config.sample.max_rows, config.random_seed)
  const rows = pick.length
  assertTrainingInputFits(rows, FEATURE_NAMES.length, config.sample.max_input_mib)

  const features = FEATURE_NAMES.map(() => new Float32Array(rows))
  const label = new Int8Array(rows)
  const date = new Float64Array(rows)
  const origin: string[] = new Array(rows)
  let offset = 0 // index of the table's first row in the concatenation
  let p = 0 // next sampled index to place
  for (const t of tables) {
    const end = offset + t.numRows
    const from = p
    while (p < rows && pick[p]! < end) p++
    if (p > from) {
      const cols = FEATURE_NAMES.map((name) => float32Column(t, name))
      const labels = int8Column(t, 'label_delayed')
      const dates = numberColumn(t, 'date')
      const origins = stringColumn(t, 'origin')
      for (let j = from; j < p; j++) {
        const r = pick[j]! - offset
        for (let c = 0; c < cols.length; c++) features[c]![j] = cols[c]![r]!
        label[j] = labels[r]!
        date[j] = dates[r]!
        origin[j] = origins[r]!
      }
    }
    offset = end
  }
  let positives = 0
  for (let i = 0; i < rows; i++) positives += label[i]!
  const columns: Parameters<typeof tableOf>[0] = { date: timestampData(date), origin: encodeStrings(origin, 0) }
  FEATURE_NAMES.forEach((name, c) => (columns[name] = float32Data(features[c]!)))
  columns.label_delayed = int8Data(label)
  return {
    table: tableOf(columns),
    stats: {
      rows,
      sampledFrom: total,
      partitions: keys.length,
      firstPartition: keys[0]!,
      lastPartition: keys[keys.length - 1]!,
      positiveRate: Number((positives / Math.max(1, rows)).toFixed(4)),
      trainingInputMiB: Number((trainingInputBytes(rows) / 1048576).toFixed(3)),
      seed: config.random_seed,
    },
  }
}
