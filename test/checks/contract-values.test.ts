// Data contract validation of values: Arrow tables (column-wise) and arrays
// of plain objects, for every field type, nullability, enums, ranges, row
// counts, null rates and schema changes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Type,
  Utf8,
  Vector,
  tableFromArrays,
  vectorFromArray,
} from 'apache-arrow'
import type { DataContract } from '../../assets/contracts.js'
import { validateContract } from '../../engine/checks/contract.js'

const FLIGHTS: DataContract = {
  source: 'flights',
  schema_version: 1,
  fields: [
    { name: 'date', type: 'timestamp', nullable: false },
    { name: 'origin', type: 'string', nullable: false },
    { name: 'delay', type: 'integer', nullable: false },
    { name: 'carrier', type: 'enum', values: ['AA', 'UA'] },
    { name: 'distance', type: 'number', min: 0, max: 6000 },
    { name: 'cancelled', type: 'boolean' },
  ],
  expectations: { daily_row_count_min: 3, null_rate_max: { origin: 0.0 } },
}

type AnyVector = Vector<any>
type Cols = Record<string, AnyVector | undefined>

const day = (d: number) => new Date(Date.UTC(2024, 0, d))

/** A conforming 4-row flights table; `over` replaces or removes (undefined) columns. */
function flightsTable(over: Partial<Cols> = {}): Table {
  const cols: Cols = {
    date: vectorFromArray([day(1), day(1), day(2), day(2)], new TimestampMillisecond()),
    origin: vectorFromArray(['SFO', 'JFK', 'SFO', 'ORD'], new Utf8()),
    delay: vectorFromArray([0, 12, -3, 45], new Int32()),
    carrier: vectorFromArray(['AA', 'UA', 'AA', null], new Dictionary(new Utf8(), new Int32())),
    distance: vectorFromArray([2586, 2475, null, 740], new Float64()),
    cancelled: vectorFromArray([false, true, false, false], new Bool()),
  }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete cols[k]
    else cols[k] = v
  }
  return new Table(Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined)) as Record<string, any>)
}

function flightsRows(): Array<Record<string, unknown>> {
  return [
    { date: day(1), origin: 'SFO', delay: 0, carrier: 'AA', distance: 2586, cancelled: false },
    { date: '2024-01-01T10:00:00Z', origin: 'JFK', delay: 12, carrier: 'UA', distance: 2475, cancelled: true },
    { date: Date.UTC(2024, 0, 2), origin: 'SFO', delay: -3, carrier: 'AA', distance: null, cancelled: false },
    { date: day(2), origin: 'ORD', delay: 45n, carrier: null, distance: 740, cancelled: false },
  ]
}

function expectViolations(value: unknown, contract: DataContract, expected: RegExp[]): string[] {
  const r = validateContract(contract, value)
  assert.equal(r.passed, false, 'expected violations')
  for (const re of expected) assert.ok(r.violations.some((v) => re.test(v)), `no violation matches ${re}:\n${r.violations.join('\n')}`)
  assert.equal(r.violations.length, expected.length, `expected exactly ${expected.length} violation(s):\n${r.violations.join('\n')}`)
  return r.violations
}

describe('contract validation on Arrow tables', () => {
  it('a conforming table passes, with the row count and contract identity reported', () => {
    const r = validateContract(FLIGHTS, flightsTable())
    assert.deepEqual(r.violations, [])
    assert.equal(r.passed, true)
    assert.equal(r.rowCount, 4)
    assert.equal(r.source, 'flights')
    assert.equal(r.schemaVersion, 1)
  })

  it('recognizes the Arrow type ids it relies on (duck typing must match apache-arrow)', () => {
    assert.equal(Type.Int, 2)
    assert.equal(Type.Float, 3)
    assert.equal(Type.Utf8, 5)
    assert.equal(Type.Bool, 6)
    assert.equal(Type.Date, 8)
    assert.equal(Type.Timestamp, 10)
    assert.equal(Type.LargeUtf8, 20)
    assert.equal(Type.Dictionary, -1)
  })

  it('accepts every compatible Arrow type per declared type', () => {
    const contract: DataContract = {
      fields: [
        { name: 's', type: 'string' },
        { name: 'sd', type: 'string' },
        { name: 'i64', type: 'integer' },
        { name: 'n_int', type: 'number' },
        { name: 'n_float', type: 'number' },
        { name: 'd', type: 'timestamp' },
        { name: 'b', type: 'boolean' },
      ],
    }
    const t = new Table({
      s: vectorFromArray(['a'], new Utf8()),
      sd: vectorFromArray(['a'], new Dictionary(new Utf8(), new Int32())),
      i64: vectorFromArray([5n], new Int64()),
      n_int: vectorFromArray([5], new Int32()),
      n_float: vectorFromArray([5.5], new Float64()),
      d: vectorFromArray([day(1)], new DateDay()),
      b: vectorFromArray([true], new Bool()),
    })
    assert.deepEqual(validateContract(contract, t).violations, [])
  })

  it('schema change: a missing column and a wrong type are both reported, loudly', () => {
    const t = flightsTable({ origin: undefined, delay: vectorFromArray([0.5, 1, 2, 3], new Float64()) })
    expectViolations(t, FLIGHTS, [/missing field "origin"/, /field "delay": expected integer, got Arrow type Float64/])
  })

  it('type mismatches for every declared type', () => {
    const t = flightsTable({
      date: vectorFromArray(['2024-01-01', 'x', 'y', 'z'], new Utf8()),
      origin: vectorFromArray([1, 2, 3, 4], new Int32()),
      carrier: vectorFromArray([1, 2, 3, 4], new Int32()),
      distance: vectorFromArray(['1', '2', '3', '4'], new Utf8()),
      cancelled: vectorFromArray([0, 1, 0, 1], new Int32()),
    })
    expectViolations(t, FLIGHTS, [
      /field "date": expected timestamp, got Arrow type Utf8/,
      /field "origin": expected string, got Arrow type Int32/,
      /field "carrier": expected enum, got Arrow type Int32/,
      /field "distance": expected number, got Arrow type Utf8/,
      /field "cancelled": expected boolean, got Arrow type Int32/,
    ])
  })

  it('nulls in non-nullable fields and null rates above the maximum', () => {
    const t = flightsTable({ origin: vectorFromArray(['SFO', null, null, 'ORD'], new Utf8()), delay: vectorFromArray([1, null, 2, 3], new Int32()) })
    expectViolations(t, FLIGHTS, [/field "origin": 2 nulls in a non-nullable field/, /field "origin": null rate 0.5 exceeds 0/, /field "delay": 1 null in a non-nullable field/])
    const rates: DataContract = { fields: [{ name: 'x', type: 'number' }], expectations: { null_rate_max: { x: 0.25 } } }
    assert.equal(validateContract(rates, tableFromArrays({ x: [1, 2, 3, 4] })).passed, true)
    const oneNull = new Table({ x: vectorFromArray([1, null, 3, 4], new Float64()) })
    assert.equal(validateContract(rates, oneNull).passed, true, '1 of 4 = 0.25 is within 0.25')
    const twoNulls = new Table({ x: vectorFromArray([1, null, null, 4], new Float64()) })
    expectViolations(twoNulls, rates, [/null rate 0.5 exceeds 0.25 \(2 of 4 rows\)/])
  })

  it('enum values outside the list, for dictionary and plain string columns; nulls are not enum violations', () => {
    const dict = flightsTable({ carrier: vectorFromArray(['AA', 'DL', 'DL', 'WN'], new Dictionary(new Utf8(), new Int32())) })
    const [v] = expectViolations(dict, FLIGHTS, [/field "carrier": 3 values not in \["AA", "UA"\]/])
    assert.match(v!, /"DL" ×2/)
    assert.match(v!, /"WN" ×1/)
    const plain = flightsTable({ carrier: vectorFromArray(['AA', null, 'XX', 'UA'], new Utf8()) })
    expectViolations(plain, FLIGHTS, [/field "carrier": 1 value not in .*"XX" ×1/])
    // A dictionary entry that is not referenced by any row is not a violation.
    const unused = new Table({ c: vectorFromArray(['AA', 'XX'], new Dictionary(new Utf8(), new Int32())) }).slice(0, 1)
    assert.equal(validateContract({ fields: [{ name: 'c', type: 'enum', values: ['AA'] }] }, unused).passed, true)
  })

  it('min/max on Int, Int64 and Float columns, skipping nulls, across chunks and slices', () => {
    const contract: DataContract = { fields: [{ name: 'x', type: 'number', min: 0, max: 10 }] }
    assert.equal(validateContract(contract, new Table({ x: vectorFromArray([0, 10, null, 5], new Float64()) })).passed, true, 'bounds are inclusive; nulls skipped')
    expectViolations(new Table({ x: vectorFromArray([-1, 5, 11, 12], new Int32()) }), contract, [/3 values outside \[0, 10\] \(values from -1 to 12\)/])
    expectViolations(new Table({ x: vectorFromArray([1n, 20n], new Int64()) }), contract, [/1 value outside \[0, 10\] \(value 20\)/])
    expectViolations(new Table({ x: vectorFromArray([1, Number.NaN], new Float64()) }), contract, [/1 value outside \[0, 10\] \(1 NaN\)/])
    // Two record batches; the second sliced so its validity bitmap is read at an offset.
    const a = new Table({ x: vectorFromArray([1, 2, 99], new Float64()) })
    const b = new Table({ x: vectorFromArray([null, 50, null, 3], new Float64()) }).slice(1)
    assert.equal(b.getChild('x')!.data[0]!.offset, 1)
    assert.equal(b.getChild('x')!.nullCount, 1)
    const both = a.concat(b)
    assert.equal(both.batches.length, 2)
    expectViolations(both, contract, [/2 values outside \[0, 10\] \(values from 50 to 99\)/])
    const intOnly: DataContract = { fields: [{ name: 'x', type: 'integer', max: 2 }] }
    expectViolations(flightsTable().select(['delay']).assign(new Table({ x: vectorFromArray([1, 2, 3, null], new Int32()) })), intOnly, [/1 value outside \[-∞, 2\] \(value 3\)/])
  })

  it('row count minimum (daily_row_count_min or row_count_min) and maximum', () => {
    expectViolations(flightsTable().slice(0, 2), FLIGHTS, [/row count 2 is below the minimum 3/])
    const max: DataContract = { fields: [], expectations: { row_count_min: 1, row_count_max: 3 } }
    expectViolations(flightsTable(), max, [/row count 4 is above the maximum 3/])
    expectViolations(flightsTable().slice(0, 0), max, [/row count 0 is below the minimum 1/])
  })

  it('extra columns are fine by default and a violation with additional_fields: false', () => {
    const t = flightsTable({ tail_number: vectorFromArray(['N1', 'N2', 'N3', 'N4'], new Utf8()) })
    assert.equal(validateContract(FLIGHTS, t).passed, true)
    expectViolations(t, { ...FLIGHTS, additional_fields: false }, [/undeclared field "tail_number" \(additional_fields: false\)/])
  })

  it('a value that is neither a table nor an array is one violation', () => {
    expectViolations({ rows: [] }, { fields: [] }, [/expected an Arrow table or an array of objects, got Object/])
    expectViolations('text', { fields: [] }, [/got string/])
  })
})

describe('contract validation on arrays of plain objects', () => {
  it('a conforming array passes (Date, ISO string and epoch timestamps; bigint integers)', () => {
    const r = validateContract(FLIGHTS, flightsRows())
    assert.deepEqual(r.violations, [])
    assert.equal(r.rowCount, 4)
  })

  it('schema change: a field absent from every row is missing; wrong types name the first offending row', () => {
    const rows = flightsRows().map(({ origin: _o, ...rest }) => ({ ...rest }))
    rows[2]!.delay = 1.5
    expectViolations(rows, FLIGHTS, [/missing field "origin"/, /field "delay": expected integer, got number in 1 row \(first at index 2: 1.5\)/])
  })

  it('type mismatches for every declared type', () => {
    const rows = flightsRows()
    rows[0] = { date: 'not a date', origin: 42, delay: '7', carrier: { code: 'AA' }, distance: 'far', cancelled: 'no' }
    expectViolations(rows, FLIGHTS, [
      /field "date": expected timestamp, got string in 1 row \(first at index 0: "not a date"\)/,
      /field "origin": expected string, got number/,
      /field "delay": expected integer, got string/,
      /field "carrier": expected enum, got object/,
      /field "distance": expected number, got string/,
      /field "cancelled": expected boolean, got string/,
    ])
  })

  it('null, undefined and a missing key all count as null', () => {
    const rows = flightsRows()
    rows[0]!.origin = null
    rows[1]!.origin = undefined
    delete rows[2]!.delay
    expectViolations(rows, FLIGHTS, [/field "origin": 2 nulls in a non-nullable field/, /field "origin": null rate 0.5 exceeds 0/, /field "delay": 1 null in a non-nullable field/])
  })

  it('enum and range violations', () => {
    const rows = flightsRows()
    rows[0]!.carrier = 'DL'
    rows[1]!.distance = -5
    rows[3]!.distance = 7000
    expectViolations(rows, FLIGHTS, [/field "carrier": 1 value not in .*"DL" ×1/, /field "distance": 2 values outside \[0, 6000\] \(values from -5 to 7000\)/])
  })

  it('row counts, extra fields with additional_fields: false, and rows that are not objects', () => {
    expectViolations(flightsRows().slice(0, 1), FLIGHTS, [/row count 1 is below the minimum 3/])
    const extra = flightsRows()
    extra[3]!.gate = 'B7'
    assert.equal(validateContract(FLIGHTS, extra).passed, true)
    expectViolations(extra, { ...FLIGHTS, additional_fields: false }, [/undeclared field "gate"/])
    const mixed: unknown[] = [...flightsRows(), 'oops', null]
    expectViolations(mixed, FLIGHTS, [/2 rows are not an object \(first at index 4: string\)/])
  })

  it('an empty array has no missing fields but fails a minimum row count', () => {
    expectViolations([], FLIGHTS, [/row count 0 is below the minimum 3/])
    assert.equal(validateContract({ fields: [{ name: 'a', type: 'string', nullable: false }] }, []).passed, true)
  })
})
