// Ingestion of the flights example: parquet → landed Arrow table (sorted,
// dictionary-encoded, nulls kept) → day slices by binary search.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Int64, LargeUtf8, makeData, makeVector, Table, TimestampMicrosecond, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow'
import { Table as WasmTable, writeParquet } from 'parquet-wasm'
import { defaultSourcePath, dictionaryEncode, landParquet, lowerBound, rowsOutside, sliceDay } from '../../examples/flights/ingest.js'
import { numberColumn, stringColumn } from '../../examples/flights/tables.js'

const ms = (iso: string) => Date.parse(`${iso}Z`)

/** A parquet file shaped like flights-3m.parquet (µs timestamps, Int64 numbers, LargeUtf8 airports), rows in the given order. */
function parquetOf(rows: Array<[string, number | null, number, string, string]>): Uint8Array {
  const n = rows.length
  const micros = BigInt64Array.from(rows, (r) => BigInt(ms(r[0])) * 1000n)
  const delayValid = new Uint8Array((n + 7) >> 3)
  rows.forEach((r, i) => {
    if (r[1] !== null) delayValid[i >> 3]! |= 1 << (i & 7)
  })
  const table = new Table({
    date: makeVector(makeData({ type: new TimestampMicrosecond(), length: n, data: micros })),
    delay: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(rows, (r) => BigInt(r[1] ?? 0)), nullBitmap: delayValid, nullCount: rows.filter((r) => r[1] === null).length })),
    distance: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(rows, (r) => BigInt(r[2])) })),
    origin: vectorFromArray(rows.map((r) => r[3]), new LargeUtf8()),
    destination: vectorFromArray(rows.map((r) => r[4]), new LargeUtf8()),
  })
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')))
}

describe('flights ingestion', () => {
  it('dictionary-encodes string columns from their buffers, with a sorted dictionary', () => {
    for (const type of [new Utf8(), new LargeUtf8()]) {
      const v = vectorFromArray(['ORD', 'ATL', 'ORD', 'A-LONG-NAME', 'ATL', ''], type)
      const { indices, dictionary } = dictionaryEncode(v.data[0]!)
      assert.deepEqual(dictionary, ['', 'A-LONG-NAME', 'ATL', 'ORD'])
      assert.deepEqual([...indices].map((i) => dictionary[i]), ['ORD', 'ATL', 'ORD', 'A-LONG-NAME', 'ATL', ''])
    }
    // A slice reads its own rows.
    const sliced = vectorFromArray(['a', 'bb', 'ccc', 'dddd'], new Utf8()).slice(1, 3)
    const { indices, dictionary } = dictionaryEncode(sliced.data[0]!)
    assert.deepEqual([...indices].map((i) => dictionary[i]), ['bb', 'ccc'])
  })

  it('lands parquet as a date-sorted table (stable), Int32 numbers, dictionary airports, nulls kept', async () => {
    const bytes = parquetOf([
      ['2001-01-02T08:00', 5, 300, 'ORD', 'LGA'],
      ['2001-01-01T23:59', null, 200, 'ATL', 'ORD'],
      ['2001-01-01T06:00', -3, 100, 'LAX', 'SFO'],
      ['2001-01-02T08:00', 40, 400, 'DFW', 'ORD'],
      ['2001-01-01T06:00', 0, 150, 'ORD', 'BOS'],
    ])
    const { table, stats } = await landParquet(bytes)
    const landed = tableFromIPC(tableToIPC(table, 'file')) // as stored and read back
    assert.equal(stats.rows, 5)
    assert.equal(stats.alreadySorted, false)
    assert.equal(stats.firstDate, '2001-01-01T06:00:00.000Z')
    assert.deepEqual(landed.schema.fields.map((f) => `${f.name}:${f.type}`), ['date:Timestamp<MILLISECOND>', 'delay:Int32', 'distance:Int32', 'origin:Dictionary<Int32, Utf8>', 'destination:Dictionary<Int32, Utf8>'])
    // Sorted by date; equal dates keep their file order (LAX before ORD at 06:00, ORD→LGA before DFW at 08:00).
    assert.deepEqual(stringColumn(landed, 'origin'), ['LAX', 'ORD', 'ATL', 'ORD', 'DFW'])
    assert.deepEqual([...numberColumn(landed, 'distance')], [100, 150, 200, 300, 400])
    const delay = landed.getChild('delay')!
    assert.equal(delay.nullCount, 1)
    assert.equal(delay.isValid(2), false, 'the null delay moved with its row')
    assert.deepEqual([0, 1, 3, 4].map((i) => delay.get(i)), [-3, 0, 5, 40])
  })

  it('keeps an already sorted file in its order', async () => {
    const { table, stats } = await landParquet(parquetOf([['2001-01-01T01:00', 1, 1, 'B', 'A'], ['2001-01-01T02:00', 2, 2, 'A', 'B']]))
    assert.equal(stats.alreadySorted, true)
    assert.deepEqual(stringColumn(table, 'origin'), ['B', 'A'])
  })

  it('slices a day by binary search: [midnight, next midnight)', async () => {
    const { table } = await landParquet(
      parquetOf([
        ['2000-12-31T23:59', 0, 1, 'A', 'B'],
        ['2001-01-01T00:00', 0, 2, 'A', 'B'],
        ['2001-01-01T12:00', 0, 3, 'A', 'B'],
        ['2001-01-01T23:59', 0, 4, 'A', 'B'],
        ['2001-01-02T00:00', 0, 5, 'A', 'B'],
      ]),
    )
    const day = sliceDay(table, new Date(ms('2001-01-01T00:00')), new Date(ms('2001-01-02T00:00')))
    assert.deepEqual([...numberColumn(day, 'distance')], [2, 3, 4])
    const back = tableFromIPC(tableToIPC(day, 'file'))
    assert.deepEqual(stringColumn(back, 'origin'), ['A', 'A', 'A'], 'a stored slice keeps its dictionary')
    assert.equal(sliceDay(table, new Date(ms('2001-02-01T00:00')), new Date(ms('2001-02-02T00:00'))).numRows, 0)
  })

  it('counts the dated rows no day slice selects, with their dates: what the partitions drop is reported, not lost', async () => {
    const { table } = await landParquet(
      parquetOf([
        ['2001-01-03T00:00', 0, 6, 'A', 'B'],
        ['2000-12-31T23:59', 0, 1, 'A', 'B'],
        ['2001-01-01T00:00', 0, 2, 'A', 'B'],
        ['2001-01-02T23:59', 0, 3, 'A', 'B'],
        ['2001-01-03T00:00', 0, 7, 'A', 'B'],
        ['2001-01-02T08:00', 0, 4, 'A', 'B'],
      ]),
    )
    // Two daily partitions, 2001-01-01 and 2001-01-02: [01-01, 01-03).
    const start = new Date(ms('2001-01-01T00:00'))
    const end = new Date(ms('2001-01-03T00:00'))
    const sliced = [sliceDay(table, start, new Date(ms('2001-01-02T00:00'))), sliceDay(table, new Date(ms('2001-01-02T00:00')), end)]
    assert.deepEqual(sliced.map((d) => [...numberColumn(d, 'distance')]), [[2], [4, 3]])
    const outside = rowsOutside(table, start, end)
    assert.deepEqual(outside, { rows: 3, before: 1, after: 2, first: '2000-12-31T23:59:00.000Z', last: '2001-01-03T00:00:00.000Z' })
    assert.equal(outside.rows + sliced.reduce((n, d) => n + d.numRows, 0), table.numRows, 'every row is in a slice or counted outside')
    assert.deepEqual(rowsOutside(table, new Date(ms('2000-12-31T00:00')), new Date(ms('2001-01-04T00:00'))), { rows: 0, before: 0, after: 0, first: null, last: null })
    assert.deepEqual(rowsOutside(table, start, new Date(ms('2001-01-04T00:00'))), { rows: 1, before: 1, after: 0, first: '2000-12-31T23:59:00.000Z', last: '2000-12-31T23:59:00.000Z' })
  })

  it('finds the 6 flights of the real source dated 2001-07-01 00:00, past the last daily partition (2001-06-30)', async () => {
    const { table, stats } = await landParquet(readFileSync(defaultSourcePath()))
    assert.equal(stats.rowsWithoutDate, 0)
    assert.deepEqual(rowsOutside(table, new Date(ms('2001-01-01T00:00')), new Date(ms('2001-07-01T00:00'))), {
      rows: 6,
      before: 0,
      after: 6,
      first: '2001-07-01T00:00:00.000Z',
      last: '2001-07-01T00:00:00.000Z',
    })
  })

  it('lowerBound finds the first index at or after a time, on bigint or number arrays', () => {
    const nums = [10, 20, 20, 30]
    assert.deepEqual([0, 10, 15, 20, 25, 30, 31].map((t) => lowerBound(nums, t)), [0, 0, 1, 1, 3, 3, 4])
    assert.deepEqual([0, 20, 31].map((t) => lowerBound(BigInt64Array.from(nums, BigInt), t)), [0, 1, 4])
  })
})
