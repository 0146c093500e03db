/**
 * Ingestion: observe the source file, decode it once into a landed Arrow
 * table sorted by date, and slice that table into days.
 *
 * Everything here works on whole columns (typed arrays), never row by row
 * through `Vector.get`: 3 million rows must land in about a second.
 */
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import {
  DataType,
  DateUnit,
  Dictionary,
  Field,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  vectorFromArray,
  type Data,
} from 'apache-arrow'

/** The source file: 3,000,000 US domestic flights, 2001-01-01..2001-07-01 (vega-datasets). */
export function defaultSourcePath(): string {
  const main = createRequire(import.meta.url).resolve('vega-datasets')
  // vega-datasets exports only its index; the data folder sits beside build/.
  return join(dirname(main), '..', 'data', 'flights-3m.parquet')
}

/** What observing the source records: its content hash is its data version. */
export interface SourceObservation {
  path: string
  bytes: number
  sha256: string
  modifiedAt: string
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function observeSource(path: string): SourceObservation {
  const bytes = readFileSync(path)
  return { path, bytes: bytes.byteLength, sha256: sha256(bytes), modifiedAt: statSync(path).mtime.toISOString() }
}

/** Column names of the landed (and raw) tables. */
export const COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination'] as const

export interface LandingStats {
  rows: number
  /** Rows whose date is null: kept at the end of the table, in no daily partition. */
  rowsWithoutDate: number
  alreadySorted: boolean
  firstDate: string | null
  lastDate: string | null
  origins: number
  destinations: number
  decodeMs: number
}

type Bitmap = Uint8Array | null

/** One column of a single-chunk table: its typed values and its validity bitmap (null when nothing is null). */
function chunkOf(table: Table, name: string): Data<DataType> {
  const col = table.getChild(name)
  if (!col) throw new Error(`The source has no column "${name}"; it has ${table.schema.fields.map((f) => f.name).join(', ')}.`)
  if (col.data.length !== 1) throw new Error(`Expected one chunk for column "${name}", got ${col.data.length}.`)
  return col.data[0]!
}

const bitmapOf = (d: Data<DataType>): Bitmap => (d.nullCount > 0 && d.nullBitmap ? d.nullBitmap : null)

/** Milliseconds since the epoch from a Timestamp (any unit) or Date column. */
function timestampMs(d: Data<DataType>): Float64Array {
  const out = new Float64Array(d.length)
  const values = d.values as BigInt64Array | Int32Array
  if (DataType.isDate(d.type)) {
    // DateDay counts days; DateMillisecond counts milliseconds.
    const scale = d.type.unit === DateUnit.DAY ? 86_400_000 : 1
    for (let i = 0; i < d.length; i++) out[i] = Number(values[i]!) * scale
    return out
  }
  if (!DataType.isTimestamp(d.type)) throw new Error(`Column "date" must be a timestamp or date, got ${d.type}.`)
  const unit = d.type.unit
  if (unit === TimeUnit.SECOND) for (let i = 0; i < d.length; i++) out[i] = Number(values[i]!) * 1000
  else if (unit === TimeUnit.MILLISECOND) for (let i = 0; i < d.length; i++) out[i] = Number(values[i]!)
  else {
    const div = unit === TimeUnit.MICROSECOND ? 1000n : 1_000_000n
    for (let i = 0; i < d.length; i++) out[i] = Number((values as BigInt64Array)[i]! / div)
  }
  return out
}

/** Whole numbers as Int32 (the source stores Int64); throws if a value does not fit. */
function int32Of(d: Data<DataType>, name: string): Int32Array {
  const values = d.values as BigInt64Array | Int32Array | Float64Array
  if (values instanceof Int32Array) return values.slice(0, d.length)
  const out = new Int32Array(d.length)
  for (let i = 0; i < d.length; i++) {
    const v = Number(values[i])
    if (!(v >= -2147483648 && v <= 2147483647)) {
      const isNull = d.nullBitmap && d.nullCount > 0 && ((d.nullBitmap[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) === 0
      if (!isNull) throw new Error(`Column "${name}" row ${i}: ${v} does not fit in 32 bits.`)
    }
    out[i] = v | 0
  }
  return out
}

/**
 * Dictionary-encodes a Utf8/LargeUtf8 column from its offset and byte
 * buffers. Short strings (airport codes) are keyed by their packed bytes, so
 * no string is built per row. The dictionary is sorted, so the encoding does
 * not depend on row order.
 */
export function dictionaryEncode(d: Data<DataType>): { indices: Int32Array; dictionary: string[] } {
  const offsets = d.valueOffsets as unknown as BigInt64Array | Int32Array
  const bytes = d.values as Uint8Array
  const n = d.length
  const raw = new Int32Array(n)
  const byPacked = new Map<number, number>()
  const byString = new Map<string, number>()
  const words: string[] = []
  const decoder = new TextDecoder()
  const big = offsets instanceof BigInt64Array
  for (let i = 0; i < n; i++) {
    // Arrow slices its offset buffer with the data: offsets[i] belongs to row i.
    const start = big ? Number((offsets as BigInt64Array)[i]!) : (offsets as Int32Array)[i]!
    const end = big ? Number((offsets as BigInt64Array)[i + 1]!) : (offsets as Int32Array)[i + 1]!
    const len = end - start
    if (len <= 6) {
      // Up to 6 bytes plus the length fit exactly in a double's 53-bit mantissa.
      let key = len
      for (let j = start; j < end; j++) key = key * 256 + bytes[j]!
      let code = byPacked.get(key)
      if (code === undefined) {
        code = words.length
        words.push(decoder.decode(bytes.subarray(start, end)))
        byPacked.set(key, code)
      }
      raw[i] = code
    } else {
      const s = decoder.decode(bytes.subarray(start, end))
      let code = byString.get(s)
      if (code === undefined) {
        code = words.length
        words.push(s)
        byString.set(s, code)
      }
      raw[i] = code
    }
  }
  // Two byte strings can decode to the same text only if invalid UTF-8; merge them anyway.
  const dictionary = [...new Set(words)].sort()
  const rank = new Map(dictionary.map((w, i) => [w, i]))
  const remap = Int32Array.from(words, (w) => rank.get(w)!)
  const indices = new Int32Array(n)
  for (let i = 0; i < n; i++) indices[i] = remap[raw[i]!]!
  return { indices, dictionary }
}

/** A stable permutation that sorts by date, nulls last. */
function sortPermutation(dates: Float64Array, valid: Bitmap): Uint32Array {
  const idx = new Uint32Array(dates.length)
  for (let i = 0; i < idx.length; i++) idx[i] = i
  const key = (i: number) => (valid && ((valid[i >> 3]! >> (i & 7)) & 1) === 0 ? Infinity : dates[i]!)
  return idx.sort((a, b) => key(a) - key(b) || a - b)
}

function isSorted(dates: Float64Array, valid: Bitmap): boolean {
  let seenNull = false
  for (let i = 0; i < dates.length; i++) {
    const isNull = valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0
    if (isNull) seenNull = true
    else if (seenNull || (i > 0 && dates[i]! < dates[i - 1]!)) return false
  }
  return true
}

function permute<T extends Int32Array | Float64Array>(values: T, perm: Uint32Array): T {
  const out = new (values.constructor as new (n: number) => T)(values.length)
  for (let i = 0; i < perm.length; i++) out[i] = values[perm[i]!]!
  return out
}

function permuteBitmap(bitmap: Bitmap, offset: number, perm: Uint32Array): Bitmap {
  if (!bitmap) return null
  const out = new Uint8Array((perm.length + 7) >> 3)
  for (let i = 0; i < perm.length; i++) {
    const j = perm[i]! + offset
    if ((bitmap[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7)
  }
  return out
}

/** A copy of a bitmap starting at bit 0 (Arrow slices carry an offset). */
function rebaseBitmap(bitmap: Bitmap, offset: number, n: number): Bitmap {
  if (!bitmap) return null
  if (offset === 0) return bitmap
  return permuteBitmap(bitmap, offset, Uint32Array.from({ length: n }, (_, i) => i))
}

const countNulls = (bitmap: Bitmap, n: number): number => {
  if (!bitmap) return 0
  let valid = 0
  for (let i = 0; i < n; i++) valid += (bitmap[i >> 3]! >> (i & 7)) & 1
  return n - valid
}

/** Builds a one-batch table from column data, fields nullable only where nulls occur. */
export function tableOf(columns: Record<string, Data<DataType>>): Table {
  const names = Object.keys(columns)
  const datas = names.map((n) => columns[n]!)
  const length = datas[0]?.length ?? 0
  const schema = new Schema(names.map((n, i) => new Field(n, datas[i]!.type, datas[i]!.nullCount > 0)))
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children: datas, nullCount: 0 }))
  return new Table([batch])
}

/** Dictionary ids must be unique per table for Arrow IPC. */
export function dictionaryData(indices: Int32Array, dictionary: readonly string[], id: number, nullBitmap: Bitmap = null): Data<DataType> {
  const type = new Dictionary(new Utf8(), new Int32(), id)
  return makeData({
    type,
    length: indices.length,
    data: indices,
    nullBitmap: nullBitmap ?? undefined,
    nullCount: countNulls(nullBitmap, indices.length),
    dictionary: vectorFromArray([...dictionary], new Utf8()),
  }) as unknown as Data<DataType>
}

export function timestampData(ms: Float64Array, nullBitmap: Bitmap = null): Data<DataType> {
  const values = new BigInt64Array(ms.length)
  for (let i = 0; i < ms.length; i++) values[i] = BigInt(Math.round(ms[i]!))
  return makeData({ type: new TimestampMillisecond(), length: ms.length, data: values, nullBitmap: nullBitmap ?? undefined, nullCount: countNulls(nullBitmap, ms.length) }) as unknown as Data<DataType>
}

export function int32Data(values: Int32Array, nullBitmap: Bitmap = null): Data<DataType> {
  return makeData({ type: new Int32(), length: values.length, data: values, nullBitmap: nullBitmap ?? undefined, nullCount: countNulls(nullBitmap, values.length) }) as unknown as Data<DataType>
}

/**
 * Decodes the parquet bytes (ZSTD, via parquet-wasm) into the landed table:
 * `date` Timestamp<ms>, `delay` and `distance` Int32, `origin` and
 * `destination` dictionary-encoded strings, sorted by date (stable; rows
 * without a date last). Nulls are kept as nulls: the data contract judges them.
 */
export async function landParquet(bytes: Uint8Array): Promise<{ table: Table; stats: LandingStats }> {
  const started = performance.now()
  const { readParquet } = await import('parquet-wasm')
  // One record batch for the whole file, so each column is one contiguous chunk.
  const decoded = tableFromIPC(readParquet(bytes, { batchSize: 1 << 23 }).intoIPCStream())
  const n = decoded.numRows
  const date = chunkOf(decoded, 'date')
  const delay = chunkOf(decoded, 'delay')
  const distance = chunkOf(decoded, 'distance')
  const origin = chunkOf(decoded, 'origin')
  const destination = chunkOf(decoded, 'destination')

  let dates = timestampMs(date)
  let dateValid = rebaseBitmap(bitmapOf(date), date.offset, n)
  let delays = int32Of(delay, 'delay')
  let distances = int32Of(distance, 'distance')
  let o = dictionaryEncode(origin)
  let dst = dictionaryEncode(destination)
  let delayValid = rebaseBitmap(bitmapOf(delay), delay.offset, n)
  let distanceValid = rebaseBitmap(bitmapOf(distance), distance.offset, n)
  let originValid = rebaseBitmap(bitmapOf(origin), origin.offset, n)
  let destinationValid = rebaseBitmap(bitmapOf(destination), destination.offset, n)

  const alreadySorted = isSorted(dates, dateValid)
  if (!alreadySorted) {
    const perm = sortPermutation(dates, dateValid)
    dates = permute(dates, perm)
    delays = permute(delays, perm)
    distances = permute(distances, perm)
    o = { indices: permute(o.indices, perm), dictionary: o.dictionary }
    dst = { indices: permute(dst.indices, perm), dictionary: dst.dictionary }
    dateValid = permuteBitmap(dateValid, 0, perm)
    delayValid = permuteBitmap(delayValid, 0, perm)
    distanceValid = permuteBitmap(distanceValid, 0, perm)
    originValid = permuteBitmap(originValid, 0, perm)
    destinationValid = permuteBitmap(destinationValid, 0, perm)
  }
  const rowsWithoutDate = countNulls(dateValid, n)
  const dated = n - rowsWithoutDate
  const table = tableOf({
    date: timestampData(dates, dateValid),
    delay: int32Data(delays, delayValid),
    distance: int32Data(distances, distanceValid),
    origin: dictionaryData(o.indices, o.dictionary, 0, originValid),
    destination: dictionaryData(dst.indices, dst.dictionary, 1, destinationValid),
  })
  return {
    table,
    stats: {
      rows: n,
      rowsWithoutDate,
      alreadySorted,
      firstDate: dated > 0 ? new Date(dates[0]!).toISOString() : null,
      lastDate: dated > 0 ? new Date(dates[dated - 1]!).toISOString() : null,
      origins: o.dictionary.length,
      destinations: dst.dictionary.length,
      decodeMs: Math.round(performance.now() - started),
    },
  }
}

/** The first index in the sorted `dates` (ms, as BigInt64 or Float64) whose value is ≥ `ms`. */
export function lowerBound(dates: ArrayLike<bigint> | ArrayLike<number>, ms: number, rows = dates.length): number {
  let lo = 0
  let hi = rows
  const asBig = typeof dates[0] === 'bigint'
  const target: number | bigint = asBig ? BigInt(ms) : ms
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((dates[mid] as number | bigint) < target) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The dated rows of the landed table that no partition of [start, end) selects. */
export interface RowsOutside {
  /** before + after. */
  rows: number
  /** Dated before `start`. */
  before: number
  /** Dated at or after `end`. */
  after: number
  /** Earliest and latest of their dates (ISO), null when there are none. */
  first: string | null
  last: string | null
}

/**
 * The dated rows outside [start, end), the span of the partitions that
 * slice the table: found with the same binary search as `sliceDay`, so what
 * this counts is exactly what no day slice selects. Rows without a date are
 * not counted here (LandingStats.rowsWithoutDate has them).
 */
export function rowsOutside(landed: Table, start: Date, end: Date): RowsOutside {
  const col = landed.getChild('date')
  if (!col) throw new Error('The landed table has no "date" column.')
  const dates = col.toArray() as BigInt64Array
  const dated = landed.numRows - col.nullCount
  const lo = lowerBound(dates, start.getTime(), dated)
  const hi = lowerBound(dates, end.getTime(), dated)
  const before = lo
  const after = dated - hi
  const iso = (i: number) => new Date(Number(dates[i]!)).toISOString()
  const first = before > 0 ? iso(0) : after > 0 ? iso(hi) : null
  const last = after > 0 ? iso(dated - 1) : before > 0 ? iso(lo - 1) : null
  return { rows: before + after, before, after, first, last }
}

/**
 * The rows of the landed table in [start, end), by binary search on the
 * sorted date column: a zero-copy slice (shared dictionaries), so 181 days
 * slicing one landed table cost almost nothing. Rows without a date sit at
 * the end, after every dated row, and are never selected.
 */
export function sliceDay(landed: Table, start: Date, end: Date): Table {
  const col = landed.getChild('date')
  if (!col) throw new Error('The landed table has no "date" column.')
  const dates = col.toArray() as BigInt64Array
  const dated = landed.numRows - col.nullCount
  const lo = lowerBound(dates, start.getTime(), dated)
  const hi = lowerBound(dates, end.getTime(), dated)
  return landed.slice(lo, hi)
}
