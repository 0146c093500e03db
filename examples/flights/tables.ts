/**
 * Arrow ↔ columns: how raw and feature tables are read into the typed
 * arrays the feature module works on, and written back. Column access only.
 */
import { Float32, Int8, makeData, type Data, type DataType, type Table } from 'apache-arrow'
import { FEATURE_NAMES, type FeatureColumns, type FlightColumns } from './features.js'
import { dictionaryData, tableOf, timestampData } from './ingest.js'

/** Every chunk of a column, in order. */
function chunks(table: Table, name: string): Data<DataType>[] {
  const col = table.getChild(name)
  if (!col) throw new Error(`Table has no column "${name}" (it has ${table.schema.fields.map((f) => f.name).join(', ')}).`)
  return col.data as Data<DataType>[]
}

/** A numeric column as float64, whatever its Arrow integer or float type (bigint included). */
export function numberColumn(table: Table, name: string): Float64Array {
  const out = new Float64Array(table.numRows)
  let at = 0
  for (const d of chunks(table, name)) {
    const values = (d.values as ArrayLike<number | bigint>)
    if (values instanceof BigInt64Array) for (let i = 0; i < d.length; i++) out[at + i] = Number(values[i]!)
    else out.set((values as Float64Array).subarray(0, d.length), at)
    at += d.length
  }
  return out
}

const decoder = new TextDecoder()

/** A dictionary-encoded (or plain) string column as an array of strings (dictionary entries are shared, not copied). */
export function stringColumn(table: Table, name: string): string[] {
  const out = new Array<string>(table.numRows)
  let at = 0
  for (const d of chunks(table, name)) {
    if (d.dictionary) {
      const dict = d.dictionary.toArray() as unknown as string[]
      const idx = (d.values as Int32Array).subarray(0, d.length)
      for (let i = 0; i < d.length; i++) out[at + i] = dict[idx[i]!]!
    } else {
      // Plain Utf8/LargeUtf8 (hand-made tables): decode from the offset and byte buffers.
      const offsets = d.valueOffsets as unknown as ArrayLike<number | bigint>
      const bytes = d.values as Uint8Array
      for (let i = 0; i < d.length; i++) out[at + i] = decoder.decode(bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!)))
    }
    at += d.length
  }
  return out
}

/** Raw flight rows (from `raw/flights` or the landed table) as feature-module columns. */
export function flightColumns(table: Table): FlightColumns {
  return {
    n: table.numRows,
    dateMs: numberColumn(table, 'date'),
    distance: numberColumn(table, 'distance'),
    origin: stringColumn(table, 'origin'),
    destination: stringColumn(table, 'destination'),
    delay: numberColumn(table, 'delay'),
  }
}

export function float32Data(values: Float32Array): Data<DataType> {
  return makeData({ type: new Float32(), length: values.length, data: values }) as unknown as Data<DataType>
}

export function int8Data(values: Int8Array | Uint8Array): Data<DataType> {
  return makeData({ type: new Int8(), length: values.length, data: new Int8Array(values.buffer, values.byteOffset, values.length) }) as unknown as Data<DataType>
}

/** Strings → dictionary column with a sorted dictionary. */
export function encodeStrings(values: readonly string[], id: number): Data<DataType> {
  const dictionary = [...new Set(values)].sort()
  const code = new Map(dictionary.map((w, i) => [w, i]))
  const indices = new Int32Array(values.length)
  for (let i = 0; i < values.length; i++) indices[i] = code.get(values[i]!)!
  return dictionaryData(indices, dictionary, id)
}

/**
 * The features table of one day: identifying columns (date, origin,
 * destination, kept for slicing evaluations and for lineage), one Float32
 * column per feature in FEATURE_NAMES order, and the label.
 */
export function featuresTable(rows: FlightColumns, features: FeatureColumns, label: Uint8Array): Table {
  const columns: Record<string, Data<DataType>> = {
    date: timestampData(rows.dateMs),
    origin: encodeStrings(rows.origin, 0),
    destination: encodeStrings(rows.destination, 1),
  }
  for (const name of FEATURE_NAMES) columns[name] = float32Data(features[name]!)
  columns.label_delayed = int8Data(label)
  return tableOf(columns)
}

/** A Float32 feature column of a features table, copied out of Arrow. */
export function float32Column(table: Table, name: string): Float32Array {
  const out = new Float32Array(table.numRows)
  let at = 0
  for (const d of chunks(table, name)) {
    out.set((d.values as Float32Array).subarray(0, d.length), at)
    at += d.length
  }
  return out
}

export function int8Column(table: Table, name: string): Int8Array {
  const out = new Int8Array(table.numRows)
  let at = 0
  for (const d of chunks(table, name)) {
    out.set((d.values as Int8Array).subarray(0, d.length), at)
    at += d.length
  }
  return out
}
