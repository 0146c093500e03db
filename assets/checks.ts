/**
 * Asset checks: assertions about an asset's value, run by the engine right
 * after `compute` and before the value is stored and becomes the latest.
 *
 * - A failing **blocking** check (the default) fails the step with error code
 *   `STRATA_CHECK_FAILED`: the value is not stored, the last good
 *   materialization stays the latest, and everything downstream is skipped.
 *   Blocking failures are not retried (a retry would compute the same value);
 *   the step's `retry` policy still applies to errors thrown by `compute`.
 * - A failing **warning** check (`blocking: false`) is recorded and the step succeeds.
 * - A check whose `fn` throws counts as failed, with the error as its message.
 *
 * Every result (passed or not) is stored with the run id, the partition and the
 * materialization it judged, shown by `strata status`, `strata why` and
 * `strata list --json` (`checks: { passed, failed, warned }`), and logged as a
 * CHECK event in the run's event log.
 *
 * Pure: no I/O. Contract files are read by the engine, in the worker, when the check runs.
 *
 * @example
 * const trips = asset({
 *   key: 'trips',
 *   compute: () => loadTrips(),
 *   checks: [
 *     check({ name: 'not_empty', fn: (_ctx, rows) => rows.length > 0 }),
 *     check({ name: 'few_refunds', blocking: false, fn: (_ctx, rows) => {
 *       const rate = rows.filter((r) => r.refunded).length / rows.length
 *       return { passed: rate < 0.05, message: `refund rate ${rate}`, metadata: { rate } }
 *     } }),
 *     dataContract({ file: new URL('./trips.contract.yaml', import.meta.url) }),
 *   ],
 * })
 */
import { normalizeContract, type DataContract, type NormalizedContract } from './contracts.js'
import { StrataError } from './errors.js'
import type { AssetContext } from './types.js'

/** What a check function receives besides the value: the step's context plus the check's name. */
export interface CheckContext extends AssetContext {
  readonly checkName: string
}

/** A detailed check result. `metadata` must be JSON-serializable. */
export interface CheckOutcome {
  passed: boolean
  message?: string
  metadata?: Record<string, unknown>
}

/** `true`/`false`, or a detailed outcome. */
export type CheckFnResult = boolean | CheckOutcome

export type CheckFn<T> = (ctx: CheckContext, value: T) => CheckFnResult | Promise<CheckFnResult>

/** What `check()` accepts. */
export interface CheckSpec<T> {
  /** Unique among the asset's checks; letters, digits and `_ - . : /`. */
  name: string
  /** A failing blocking check fails the step; a non-blocking one only warns. @defaultValue true */
  blocking?: boolean
  description?: string
  /** Receives the value `compute` returned (unwrapped from `output()`). */
  fn: CheckFn<T>
}

/** Where a data contract check gets its contract from. */
export type ContractSource =
  | { kind: 'inline'; contract: NormalizedContract }
  /** `url` is a `file:` URL, read and validated in the engine when the check runs. */
  | { kind: 'file'; url: string }

/** A declared check. Create with `check()` or `dataContract()`. */
export interface AssetCheck<T = unknown> {
  readonly __strataCheck: true
  readonly name: string
  readonly blocking: boolean
  readonly description?: string
  /** Method syntax on purpose: a check of a wider value type fits an asset of a narrower one. */
  fn(ctx: CheckContext, value: T): CheckFnResult | Promise<CheckFnResult>
  /** Set for `dataContract()` checks: the engine validates the value against this contract. */
  readonly contract?: ContractSource
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_\-.:/]*$/

export function isAssetCheck(value: unknown): value is AssetCheck<unknown> {
  return typeof value === 'object' && value !== null && (value as AssetCheck).__strataCheck === true
}

function checkName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new StrataError('STRATA_INVALID_ASSET', `${where}: a check name must be a non-empty string of letters, digits and _ - . : / (got ${JSON.stringify(name)}).`)
  }
  return name
}

/**
 * Declares an asset check. Attach it with `asset({ ..., checks: [...] })`.
 *
 * @example
 * check({ name: 'positive_total', fn: (_ctx, v: { total: number }) => ({ passed: v.total > 0, message: `total ${v.total}` }) })
 */
export function check<T = any>(spec: CheckSpec<T>): AssetCheck<T> {
  if (typeof spec !== 'object' || spec === null) throw new StrataError('STRATA_INVALID_ASSET', 'check() takes an object: check({ name, fn }).')
  const name = checkName(spec.name, 'check()')
  if (typeof spec.fn !== 'function') throw new StrataError('STRATA_INVALID_ASSET', `Check "${name}" has no fn: add fn: (ctx, value) => boolean | { passed, message? }.`)
  if (spec.blocking !== undefined && typeof spec.blocking !== 'boolean') {
    throw new StrataError('STRATA_INVALID_ASSET', `Check "${name}": blocking must be true or false (got ${JSON.stringify(spec.blocking)}).`)
  }
  const fn = spec.fn
  return Object.freeze({
    __strataCheck: true as const,
    name,
    blocking: spec.blocking ?? true,
    description: spec.description,
    fn: (ctx: CheckContext, value: T) => fn(ctx, value),
  })
}

/** Options shared by both forms of `dataContract()`. */
export interface DataContractOptions {
  /** @defaultValue `contract:<source>` for an inline contract with a source, else `contract` */
  name?: string
  /** @defaultValue true: a violation fails the step */
  blocking?: boolean
  description?: string
}

/** A contract kept in a YAML (or JSON) file. */
export interface DataContractFile extends DataContractOptions {
  /** `new URL('./x.contract.yaml', import.meta.url)`, a `file:` URL string, or an absolute path. */
  file: URL | string
}

/**
 * A check that validates the value — an Arrow table or an array of plain
 * objects — against a data contract (see `assets/contracts.ts` for the
 * document). Every violation is listed in the check's message and in its
 * metadata (`violations: string[]`, `rowCount`): missing fields, type
 * mismatches (declared type vs Arrow type), nulls in non-nullable fields, enum
 * values outside `values`, numbers outside `min`/`max`, row counts, null
 * rates, and (with `additional_fields: false`) undeclared fields.
 *
 * - Inline: `dataContract({ source: 'flights', fields: [...] })` — validated
 *   now; a malformed contract throws `STRATA_INVALID_CONTRACT` when the
 *   definitions load. Named `contract:<source>` (or `contract` without a source).
 * - File: `dataContract({ file: new URL('./flights.contract.yaml', import.meta.url) })`
 *   — read and validated by the engine when the check runs (cached per file
 *   version). A malformed or missing file fails the step with
 *   `STRATA_INVALID_CONTRACT`, even for a non-blocking contract. Named
 *   `contract` unless `name` is given (the file is not read at definition time);
 *   give `name` when an asset has several contracts.
 */
export function dataContract(spec: DataContract | DataContractFile, options: DataContractOptions = {}): AssetCheck<unknown> {
  if (typeof spec !== 'object' || spec === null) {
    throw new StrataError('STRATA_INVALID_CONTRACT', 'dataContract() takes a contract { source, fields, expectations } or { file: new URL(...) }.')
  }
  let source: ContractSource
  let opts: DataContractOptions
  let defaultName = 'contract'
  if ('file' in spec) {
    const { file, ...rest } = spec
    opts = { ...rest, ...options }
    source = { kind: 'file', url: fileUrl(file) }
  } else {
    const contract = normalizeContract(spec, options.name ? `"${options.name}"` : spec.source ? `"${spec.source}"` : '(inline)')
    opts = options
    source = { kind: 'inline', contract }
    if (contract.source) defaultName = `contract:${contract.source}`
  }
  const name = checkName(opts.name ?? defaultName, 'dataContract()')
  if (opts.blocking !== undefined && typeof opts.blocking !== 'boolean') {
    throw new StrataError('STRATA_INVALID_ASSET', `dataContract "${name}": blocking must be true or false (got ${JSON.stringify(opts.blocking)}).`)
  }
  return Object.freeze({
    __strataCheck: true as const,
    name,
    blocking: opts.blocking ?? true,
    description: opts.description,
    contract: source,
    fn: () => {
      throw new StrataError('STRATA_INVALID_CONTRACT', `Data contract check "${name}" is run by the Strata engine; use validateContract() from 'strata-engine/engine' to validate a value yourself.`)
    },
  })
}

function fileUrl(file: URL | string): string {
  if (file instanceof URL || (typeof file === 'object' && file !== null && typeof (file as URL).href === 'string')) {
    const url = file as URL
    if (url.protocol !== 'file:') throw new StrataError('STRATA_INVALID_CONTRACT', `dataContract(): file must be a file: URL, got ${url.href}.`)
    return url.href
  }
  if (typeof file !== 'string' || file === '') throw new StrataError('STRATA_INVALID_CONTRACT', 'dataContract(): file must be a URL or an absolute path.')
  if (file.startsWith('file:')) return file
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) {
    // Same as pathToFileURL, without importing node:url into this pure module.
    return 'file://' + (file.startsWith('/') ? '' : '/') + encodeURI(file.replace(/\\/g, '/')).replace(/[?#]/g, encodeURIComponent)
  }
  throw new StrataError(
    'STRATA_INVALID_CONTRACT',
    `dataContract(): "${file}" is a relative path, which would depend on the current directory. Use new URL('${file.startsWith('.') ? file : './' + file}', import.meta.url).`,
  )
}

/** Validates an asset's `checks` (created with `check()`/`dataContract()`, or plain `{ name, fn }` specs); names must be unique. */
export function normalizeChecks(ownKey: string, checks: unknown): readonly AssetCheck<unknown>[] {
  if (checks === undefined) return []
  if (!Array.isArray(checks)) throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": checks must be an array of check(...) / dataContract(...).`)
  const seen = new Set<string>()
  return checks.map((c: unknown, i) => {
    if (c === undefined || c === null) throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": checks[${i}] is ${c}.`)
    const normalized = isAssetCheck(c) ? c : check(c as CheckSpec<unknown>)
    if (seen.has(normalized.name)) {
      throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}" has two checks named "${normalized.name}"; check names must be unique per asset (pass name: to dataContract() for several contracts).`, {
        key: ownKey,
        check: normalized.name,
      })
    }
    seen.add(normalized.name)
    return normalized
  })
}
