/**
 * Data contracts: the declared shape of a dataset (fields, types, nullability,
 * ranges, enum values) and expectations about it (row counts, null rates).
 *
 * This module is pure: it defines the contract document and validates the
 * document itself (`normalizeContract`). Validating a *value* (an Arrow table
 * or an array of plain objects) against a contract happens in the engine
 * (`engine/checks/contract.ts`), where the check runs, and so does reading
 * contract files (YAML or JSON).
 *
 * The document, in YAML (the same structure works inline in TypeScript):
 *
 * ```yaml
 * source: flights
 * schema_version: 1
 * additional_fields: true          # default; false makes unlisted fields a violation
 * fields:
 *   - { name: date, type: timestamp, nullable: false }
 *   - { name: origin, type: string, nullable: false }
 *   - { name: delay, type: integer, nullable: false }
 *   - { name: carrier, type: enum, values: [AA, UA] }
 *   - { name: distance, type: number, min: 0, max: 6000 }
 * expectations:
 *   daily_row_count_min: 10000     # rows per materialization (per partition for daily partitions)
 *   row_count_max: 5000000
 *   null_rate_max: { origin: 0.0 }
 * ```
 */
import { StrataError } from './errors.js'

/** Field types of a contract. */
export type ContractFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'enum'

export const CONTRACT_FIELD_TYPES: readonly ContractFieldType[] = ['string', 'integer', 'number', 'boolean', 'timestamp', 'enum']

/**
 * One declared field.
 *
 * Arrow column types accepted per declared type: `string` → Utf8, LargeUtf8,
 * Dictionary<Utf8>; `integer` → Int (any width, signed or not); `number` → Int
 * or Float; `boolean` → Bool; `timestamp` → Timestamp or Date; `enum` → Utf8,
 * LargeUtf8 or Dictionary<Utf8> (values checked). For arrays of plain objects:
 * `string` → string; `integer` → integral number or bigint; `number` → finite
 * number or bigint; `boolean` → boolean; `timestamp` → Date, epoch-ms number or
 * parseable date string; `enum` → one of `values`.
 */
export interface ContractField {
  name: string
  type: ContractFieldType
  /** Whether nulls (and, for objects, missing keys / undefined) are allowed. @defaultValue true */
  nullable?: boolean
  /** Allowed values; required for (and only allowed with) `type: enum`. */
  values?: ReadonlyArray<string | number | boolean>
  /** Inclusive bounds, for `integer` and `number` fields. */
  min?: number
  max?: number
  description?: string
}

/** Expectations about a whole materialization. */
export interface ContractExpectations {
  /** Minimum rows per materialization (for a daily-partitioned asset: per day). */
  daily_row_count_min?: number
  /** Same meaning as `daily_row_count_min`, for assets that are not daily. */
  row_count_min?: number
  /** Maximum rows per materialization. */
  row_count_max?: number
  /** Maximum fraction of nulls (0..1) per field name; the field must be declared. */
  null_rate_max?: Record<string, number>
}

/** A data contract document. */
export interface DataContract {
  /** Name of the dataset; the check is named `contract:<source>` for inline contracts. */
  source?: string
  schema_version?: number
  description?: string
  owner?: string
  fields: readonly ContractField[]
  expectations?: ContractExpectations
  /** When false, a field present in the data but not declared is a violation. @defaultValue true */
  additional_fields?: boolean
}

/** A validated contract, as the engine uses it (defaults applied). */
export interface NormalizedContract {
  source?: string
  schemaVersion?: number
  fields: ReadonlyArray<Required<Pick<ContractField, 'name' | 'type' | 'nullable'>> & Pick<ContractField, 'values' | 'min' | 'max'>>
  rowCountMin?: number
  rowCountMax?: number
  nullRateMax: Readonly<Record<string, number>>
  additionalFields: boolean
}

const TOP_KEYS = new Set(['source', 'schema_version', 'description', 'owner', 'fields', 'expectations', 'additional_fields'])
const FIELD_KEYS = new Set(['name', 'type', 'nullable', 'values', 'min', 'max', 'description'])
const EXPECTATION_KEYS = new Set(['daily_row_count_min', 'row_count_min', 'row_count_max', 'null_rate_max'])

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v))

/**
 * Validates a contract document and applies defaults. Lists every problem at
 * once: throws StrataError `STRATA_INVALID_CONTRACT` whose message starts with
 * `Invalid data contract <where>:` followed by one line per problem.
 *
 * @param where names the contract in messages, e.g. a file path.
 */
export function normalizeContract(doc: unknown, where = '(inline)'): NormalizedContract {
  const problems: string[] = []
  if (!isPlainObject(doc)) {
    throw new StrataError('STRATA_INVALID_CONTRACT', `Invalid data contract ${where}: expected a mapping with "fields" (and optionally "source", "schema_version", "expectations"), got ${Array.isArray(doc) ? 'a list' : show(doc)}.`)
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) problems.push(`unknown key "${key}" (allowed: ${[...TOP_KEYS].join(', ')})`)
  }
  if (doc.source !== undefined && (typeof doc.source !== 'string' || doc.source === '')) problems.push(`"source" must be a non-empty string, got ${show(doc.source)}`)
  if (doc.schema_version !== undefined && !(Number.isInteger(doc.schema_version) && (doc.schema_version as number) >= 0)) {
    problems.push(`"schema_version" must be a whole number, got ${show(doc.schema_version)}`)
  }
  if (doc.additional_fields !== undefined && typeof doc.additional_fields !== 'boolean') problems.push(`"additional_fields" must be true or false, got ${show(doc.additional_fields)}`)

  const fields: Array<NormalizedContract['fields'][number]> = []
  const names = new Set<string>()
  if (!Array.isArray(doc.fields)) {
    problems.push(`"fields" must be a list of { name, type }, got ${show(doc.fields)}`)
  } else {
    doc.fields.forEach((raw: unknown, i: number) => {
      const at = `fields[${i}]`
      if (!isPlainObject(raw)) {
        problems.push(`${at} must be a mapping { name, type, … }, got ${show(raw)}`)
        return
      }
      const label = typeof raw.name === 'string' && raw.name !== '' ? `${at} (${raw.name})` : at
      for (const key of Object.keys(raw)) if (!FIELD_KEYS.has(key)) problems.push(`${label}: unknown key "${key}" (allowed: ${[...FIELD_KEYS].join(', ')})`)
      let ok = true
      if (raw.name === undefined) {
        problems.push(`${at}: missing "name"`)
        ok = false
      } else if (typeof raw.name !== 'string' || raw.name === '') {
        problems.push(`${at}: "name" must be a non-empty string, got ${show(raw.name)}`)
        ok = false
      } else if (names.has(raw.name)) {
        problems.push(`${label}: field "${raw.name}" is declared twice`)
        ok = false
      }
      const type = raw.type
      if (type === undefined) {
        problems.push(`${label}: missing "type" (one of ${CONTRACT_FIELD_TYPES.join(', ')})`)
        ok = false
      } else if (typeof type !== 'string' || !CONTRACT_FIELD_TYPES.includes(type as ContractFieldType)) {
        problems.push(`${label}: unknown type ${show(type)} (use one of ${CONTRACT_FIELD_TYPES.join(', ')})`)
        ok = false
      }
      if (raw.nullable !== undefined && typeof raw.nullable !== 'boolean') {
        problems.push(`${label}: "nullable" must be true or false, got ${show(raw.nullable)}`)
        ok = false
      }
      if (type === 'enum') {
        if (!Array.isArray(raw.values) || raw.values.length === 0) {
          problems.push(`${label}: an enum needs "values", a non-empty list of allowed values`)
          ok = false
        } else if (!raw.values.every((v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
          problems.push(`${label}: enum "values" must be strings, numbers or booleans`)
          ok = false
        }
      } else if (raw.values !== undefined) {
        problems.push(`${label}: "values" is only allowed with type enum`)
        ok = false
      }
      for (const bound of ['min', 'max'] as const) {
        if (raw[bound] === undefined) continue
        if (type !== 'integer' && type !== 'number') {
          problems.push(`${label}: "${bound}" is only allowed with type integer or number`)
          ok = false
        } else if (typeof raw[bound] !== 'number' || !Number.isFinite(raw[bound])) {
          problems.push(`${label}: "${bound}" must be a finite number, got ${show(raw[bound])}`)
          ok = false
        }
      }
      if (ok && typeof raw.min === 'number' && typeof raw.max === 'number' && raw.min > raw.max) {
        problems.push(`${label}: min ${raw.min} is greater than max ${raw.max}`)
        ok = false
      }
      if (typeof raw.name === 'string') names.add(raw.name)
      if (!ok) return
      fields.push({
        name: raw.name as string,
        type: type as ContractFieldType,
        nullable: raw.nullable !== false,
        ...(raw.values !== undefined ? { values: [...(raw.values as Array<string | number | boolean>)] } : {}),
        ...(raw.min !== undefined ? { min: raw.min as number } : {}),
        ...(raw.max !== undefined ? { max: raw.max as number } : {}),
      })
    })
  }

  let rowCountMin: number | undefined
  let rowCountMax: number | undefined
  const nullRateMax: Record<string, number> = {}
  const exp = doc.expectations
  if (exp !== undefined && exp !== null) {
    if (!isPlainObject(exp)) {
      problems.push(`"expectations" must be a mapping, got ${show(exp)}`)
    } else {
      for (const key of Object.keys(exp)) if (!EXPECTATION_KEYS.has(key)) problems.push(`expectations: unknown key "${key}" (allowed: ${[...EXPECTATION_KEYS].join(', ')})`)
      const count = (key: string): number | undefined => {
        const v = exp[key]
        if (v === undefined) return undefined
        if (!(Number.isInteger(v) && (v as number) >= 0)) {
          problems.push(`expectations.${key} must be a whole number ≥ 0, got ${show(v)}`)
          return undefined
        }
        return v as number
      }
      const daily = count('daily_row_count_min')
      const min = count('row_count_min')
      if (daily !== undefined && min !== undefined) problems.push('expectations: give daily_row_count_min or row_count_min, not both')
      rowCountMin = daily ?? min
      rowCountMax = count('row_count_max')
      if (rowCountMin !== undefined && rowCountMax !== undefined && rowCountMin > rowCountMax) {
        problems.push(`expectations: the minimum row count ${rowCountMin} is greater than row_count_max ${rowCountMax}`)
      }
      const rates = exp.null_rate_max
      if (rates !== undefined) {
        if (!isPlainObject(rates)) problems.push(`expectations.null_rate_max must map field names to rates in [0, 1], got ${show(rates)}`)
        else {
          for (const [field, rate] of Object.entries(rates)) {
            if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) problems.push(`expectations.null_rate_max.${field} must be a number in [0, 1], got ${show(rate)}`)
            else if (!names.has(field)) problems.push(`expectations.null_rate_max: "${field}" is not a declared field`)
            else nullRateMax[field] = rate
          }
        }
      }
    }
  }

  if (problems.length > 0) {
    throw new StrataError('STRATA_INVALID_CONTRACT', `Invalid data contract ${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems })
  }
  return {
    ...(doc.source !== undefined ? { source: doc.source as string } : {}),
    ...(doc.schema_version !== undefined ? { schemaVersion: doc.schema_version as number } : {}),
    fields,
    ...(rowCountMin !== undefined ? { rowCountMin } : {}),
    ...(rowCountMax !== undefined ? { rowCountMax } : {}),
    nullRateMax,
    additionalFields: doc.additional_fields !== false,
  }
}
