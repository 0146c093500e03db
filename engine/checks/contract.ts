/**
 * Validating a value against a data contract: Arrow tables (column-wise:
 * `getChild`, chunk buffers, null bitmaps and `nullCount` — never row-wise
 * `.get(i)`) and arrays of plain objects. Every violation is collected; the
 * caller decides whether it fails a step.
 *
 * Arrow types are recognized by `typeId` (duck typing, so tables from another
 * copy of apache-arrow work too and this module does not load Arrow).
 */
import { normalizeContract, type ContractFieldType, type DataContract, type NormalizedContract } from '../../assets/contracts.js'

/** What validating a value found. */
export interface ContractReport {
  passed: boolean
  /** One line per violation, e.g. `field "delay": expected integer, got Float64`. */
  violations: string[]
  rowCount: number
  source?: string
  schemaVersion?: number
}

type Field = NormalizedContract['fields'][number]

// apache-arrow's `Type` enum (stable across versions): the generic type ids of DataType.typeId.
const ARROW = { Int: 2, Float: 3, Utf8: 5, Bool: 6, Date: 8, Timestamp: 10, LargeUtf8: 20, Dictionary: -1 } as const

interface ArrowType {
  typeId: number
  dictionary?: ArrowType
  toString(): string
}
interface ArrowData {
  offset: number
  length: number
  nullCount: number
  nullBitmap?: Uint8Array | null
  values: ArrayLike<number | bigint>
  dictionary?: ArrowVector
  type: ArrowType
}
interface ArrowVector {
  type: ArrowType
  length: number
  nullCount: number
  data: ArrowData[]
  toArray(): ArrayLike<unknown>
}
interface ArrowTable {
  numRows: number
  schema: { fields: Array<{ name: string; type: ArrowType }> }
  getChild(name: string): ArrowVector | null
}

export function isArrowTableLike(value: unknown): value is ArrowTable {
  if (typeof value !== 'object' || value === null) return false
  const t = value as { schema?: unknown; batches?: unknown; numRows?: unknown; getChild?: unknown }
  return typeof t.numRows === 'number' && Array.isArray(t.batches) && typeof t.schema === 'object' && t.schema !== null && typeof t.getChild === 'function'
}

const isNormalized = (c: DataContract | NormalizedContract): c is NormalizedContract =>
  typeof (c as NormalizedContract).additionalFields === 'boolean' && typeof (c as NormalizedContract).nullRateMax === 'object'

const EXAMPLES = 5
const fmt = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}` : v instanceof Date ? v.toISOString() : JSON.stringify(v) ?? String(v))
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * Validates an Arrow table or an array of plain objects against a contract
 * (a document, validated first — STRATA_INVALID_CONTRACT if malformed — or an
 * already normalized one). Anything else is a single violation.
 */
export function validateContract(contract: DataContract | NormalizedContract, value: unknown): ContractReport {
  const c = isNormalized(contract) ? contract : normalizeContract(contract)
  const violations: string[] = []
  let rowCount = 0
  if (isArrowTableLike(value)) {
    rowCount = value.numRows
    validateTable(c, value, violations)
  } else if (Array.isArray(value)) {
    rowCount = value.length
    validateObjects(c, value, violations)
  } else {
    violations.push(`expected an Arrow table or an array of objects, got ${value === null ? 'null' : typeof value === 'object' ? (value as object).constructor?.name ?? 'an object' : typeof value}`)
  }
  if (c.rowCountMin !== undefined && rowCount < c.rowCountMin) violations.push(`row count ${rowCount} is below the minimum ${c.rowCountMin}`)
  if (c.rowCountMax !== undefined && rowCount > c.rowCountMax) violations.push(`row count ${rowCount} is above the maximum ${c.rowCountMax}`)
  return {
    passed: violations.length === 0,
    violations,
    rowCount,
    ...(c.source !== undefined ? { source: c.source } : {}),
    ...(c.schemaVersion !== undefined ? { schemaVersion: c.schemaVersion } : {}),
  }
}

/** One-line summary of a failed report, listing every violation. */
export function describeReport(report: ContractReport): string {
  if (report.passed) return `${plural(report.rowCount, 'row')} conform`
  return `${plural(report.violations.length, 'violation')}: ${report.violations.join('; ')}`
}

// ---------------------------------------------------------------- Arrow tables

const isString = (t: ArrowType) => t.typeId === ARROW.Utf8 || t.typeId === ARROW.LargeUtf8

function arrowTypeMatches(declared: ContractFieldType, t: ArrowType): boolean {
  switch (declared) {
    case 'string':
    case 'enum':
      return isString(t) || (t.typeId === ARROW.Dictionary && t.dictionary !== undefined && isString(t.dictionary))
    case 'integer':
      return t.typeId === ARROW.Int
    case 'number':
      return t.typeId === ARROW.Int || t.typeId === ARROW.Float
    case 'boolean':
      return t.typeId === ARROW.Bool
    case 'timestamp':
      return t.typeId === ARROW.Timestamp || t.typeId === ARROW.Date
  }
}

const validAt = (d: ArrowData, i: number): boolean => {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true
  const pos = d.offset + i
  return (d.nullBitmap[pos >> 3]! & (1 << (pos & 7))) !== 0
}

function validateTable(c: NormalizedContract, table: ArrowTable, violations: string[]): void {
  const rows = table.numRows
  for (const field of c.fields) {
    const col = table.getChild(field.name)
    if (!col) {
      violations.push(`missing field "${field.name}" (${field.type})`)
      continue
    }
    if (!arrowTypeMatches(field.type, col.type)) {
      violations.push(`field "${field.name}": expected ${field.type}, got Arrow type ${String(col.type)}`)
      continue
    }
    const nulls = col.nullCount
    checkNulls(c, field, nulls, rows, violations)
    if (field.type === 'enum') checkArrowEnum(field, col, violations)
    if ((field.min !== undefined || field.max !== undefined) && (field.type === 'integer' || field.type === 'number')) checkArrowRange(field, col, violations)
  }
  if (!c.additionalFields) {
    const declared = new Set(c.fields.map((f) => f.name))
    const extra = table.schema.fields.map((f) => f.name).filter((n) => !declared.has(n))
    if (extra.length) violations.push(`undeclared ${extra.length === 1 ? 'field' : 'fields'} ${extra.map((n) => `"${n}"`).join(', ')} (additional_fields: false)`)
  }
}

function checkNulls(c: NormalizedContract, field: Field, nulls: number, rows: number, violations: string[]): void {
  if (!field.nullable && nulls > 0) violations.push(`field "${field.name}": ${plural(nulls, 'null')} in a non-nullable field`)
  const maxRate = c.nullRateMax[field.name]
  if (maxRate !== undefined && rows > 0 && nulls / rows > maxRate) {
    violations.push(`field "${field.name}": null rate ${round(nulls / rows)} exceeds ${maxRate} (${nulls} of ${rows} rows)`)
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000

function checkArrowEnum(field: Field, col: ArrowVector, violations: string[]): void {
  const allowed = new Set<unknown>(field.values)
  const bad = new Map<unknown, number>()
  let badCount = 0
  if (col.type.typeId === ARROW.Dictionary) {
    for (const d of col.data) {
      const dict = d.dictionary ? Array.from(d.dictionary.toArray()) : []
      const badIndex = dict.map((v) => v !== null && !allowed.has(v))
      if (!badIndex.some(Boolean)) continue
      const idx = d.values
      for (let i = 0; i < d.length; i++) {
        const k = Number(idx[i])
        if (badIndex[k] && validAt(d, i)) {
          badCount++
          bad.set(dict[k], (bad.get(dict[k]) ?? 0) + 1)
        }
      }
    }
  } else {
    const values = col.toArray()
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (v !== null && v !== undefined && !allowed.has(v)) {
        badCount++
        bad.set(v, (bad.get(v) ?? 0) + 1)
      }
    }
  }
  if (badCount > 0) violations.push(enumMessage(field, badCount, bad))
}

function enumMessage(field: Field, badCount: number, bad: Map<unknown, number>): string {
  const shown = [...bad.entries()].slice(0, EXAMPLES).map(([v, n]) => `${fmt(v)} ×${n}`)
  return `field "${field.name}": ${plural(badCount, 'value')} not in [${field.values!.map(fmt).join(', ')}] (${shown.join(', ')}${bad.size > EXAMPLES ? ', …' : ''})`
}

/** Counts values outside a field's [min, max] (NaN included) and the span of those seen. */
class RangeTally {
  out = 0
  nan = 0
  lo = Infinity
  hi = -Infinity
  private readonly min: number
  private readonly max: number
  constructor(private readonly field: Field) {
    this.min = field.min ?? -Infinity
    this.max = field.max ?? Infinity
  }
  add(v: number): void {
    if (v >= this.min && v <= this.max) return
    this.out++
    if (Number.isNaN(v)) this.nan++
    else {
      if (v < this.lo) this.lo = v
      if (v > this.hi) this.hi = v
    }
  }
  report(violations: string[]): void {
    if (this.out === 0) return
    const f = this.field
    const seen: string[] = []
    if (this.out > this.nan) seen.push(this.lo === this.hi ? `value ${this.lo}` : `values from ${this.lo} to ${this.hi}`)
    if (this.nan) seen.push(`${this.nan} NaN`)
    violations.push(`field "${f.name}": ${plural(this.out, 'value')} outside [${f.min ?? '-∞'}, ${f.max ?? '∞'}] (${seen.join(', ')})`)
  }
}

function checkArrowRange(field: Field, col: ArrowVector, violations: string[]): void {
  const tally = new RangeTally(field)
  for (const d of col.data) {
    const values = d.values
    const checkValidity = d.nullCount > 0
    for (let i = 0; i < d.length; i++) {
      if (checkValidity && !validAt(d, i)) continue
      tally.add(Number(values[i]))
    }
  }
  tally.report(violations)
}

// ---------------------------------------------------------------- plain objects

function objectTypeMatches(declared: ContractFieldType, v: unknown): boolean {
  switch (declared) {
    case 'string':
      return typeof v === 'string'
    case 'integer':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'
    case 'number':
      return typeof v === 'number' || typeof v === 'bigint'
    case 'boolean':
      return typeof v === 'boolean'
    case 'timestamp':
      return (v instanceof Date && !Number.isNaN(v.getTime())) || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
    case 'enum':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
  }
}

const typeName = (v: unknown): string => (v === null ? 'null' : v instanceof Date ? 'Date' : Array.isArray(v) ? 'array' : typeof v)

function validateObjects(c: NormalizedContract, rows: readonly unknown[], violations: string[]): void {
  let notObjects = 0
  let firstNotObject = -1
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      notObjects++
      if (firstNotObject < 0) firstNotObject = i
    }
  }
  if (notObjects > 0) violations.push(`${plural(notObjects, 'row')} ${notObjects === 1 ? 'is' : 'are'} not an object (first at index ${firstNotObject}: ${typeName(rows[firstNotObject])})`)
  const objects = (notObjects > 0 ? rows.filter((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) : rows) as Array<Record<string, unknown>>
  const n = objects.length
  for (const field of c.fields) {
    const name = field.name
    let present = 0
    let nulls = 0
    let wrongType = 0
    let firstWrong: { index: number; value: unknown } | undefined
    const bad = new Map<unknown, number>()
    let badCount = 0
    const allowed = field.type === 'enum' ? new Set<unknown>(field.values) : undefined
    const ranged = field.min !== undefined || field.max !== undefined
    const tally = new RangeTally(field)
    for (let i = 0; i < n; i++) {
      const row = objects[i]!
      const v = row[name]
      if (v === undefined) {
        if (name in row) present++
        nulls++
        continue
      }
      present++
      if (v === null) {
        nulls++
        continue
      }
      if (!objectTypeMatches(field.type, v)) {
        wrongType++
        firstWrong ??= { index: i, value: v }
        continue
      }
      if (allowed && !allowed.has(v)) {
        badCount++
        bad.set(v, (bad.get(v) ?? 0) + 1)
      }
      if (ranged) tally.add(Number(v))
    }
    if (n > 0 && present === 0) {
      violations.push(`missing field "${name}" (${field.type})`)
      continue
    }
    if (wrongType > 0) {
      violations.push(`field "${name}": expected ${field.type}, got ${typeName(firstWrong!.value)} in ${plural(wrongType, 'row')} (first at index ${firstWrong!.index}: ${fmt(firstWrong!.value)})`)
    }
    checkNulls(c, field, nulls, n, violations)
    if (badCount > 0) violations.push(enumMessage(field, badCount, bad))
    tally.report(violations)
  }
  if (!c.additionalFields && n > 0) {
    const declared = new Set(c.fields.map((f) => f.name))
    const extra = new Set<string>()
    for (const row of objects) for (const k in row) if (!declared.has(k)) extra.add(k)
    if (extra.size) violations.push(`undeclared ${extra.size === 1 ? 'field' : 'fields'} ${[...extra].map((k) => `"${k}"`).join(', ')} (additional_fields: false)`)
  }
}
