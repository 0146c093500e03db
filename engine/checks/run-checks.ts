/**
 * Runs an asset's checks on a computed value, in the worker, before the value
 * is stored. Never throws for a failing check: failures become results. A
 * malformed contract is returned as `fatal` (it fails the step whatever the
 * check's `blocking`).
 */
import type { AssetCheck, CheckContext, CheckOutcome } from '../../assets/checks.js'
import { isStrataError, StrataError } from '../../assets/errors.js'
import type { AssetContext, AssetDefinition } from '../../assets/types.js'
import { describeReport, validateContract } from './contract.js'
import { loadContractFile } from './contract-file.js'

/** One check's result as it travels back from the worker. */
export interface CheckResultData {
  name: string
  passed: boolean
  blocking: boolean
  message?: string
  metadata: Record<string, unknown>
  durationMs: number
}

export interface ChecksRun {
  results: CheckResultData[]
  /** A definition problem found while checking (malformed contract file): fails the step. */
  fatal?: StrataError
}

function jsonSafe(metadata: unknown): { metadata: Record<string, unknown>; problem?: string } {
  if (metadata === undefined) return { metadata: {} }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return { metadata: {}, problem: 'metadata must be an object' }
  try {
    return { metadata: JSON.parse(JSON.stringify(metadata)) as Record<string, unknown> }
  } catch (err) {
    return { metadata: {}, problem: `metadata is not JSON-serializable (${(err as Error).message})` }
  }
}

async function runOne(check: AssetCheck<unknown>, ctx: CheckContext, value: unknown): Promise<Omit<CheckResultData, 'durationMs' | 'name' | 'blocking'> & { fatal?: StrataError }> {
  if (check.contract) {
    let contract
    try {
      contract = check.contract.kind === 'inline' ? check.contract.contract : loadContractFile(check.contract.url)
    } catch (err) {
      const e = isStrataError(err) ? err : new StrataError('STRATA_INVALID_CONTRACT', (err as Error).message)
      return { passed: false, message: e.message, metadata: {}, fatal: e }
    }
    const report = validateContract(contract, value)
    const what = `${report.source ? `contract ${report.source}` : 'contract'}${report.schemaVersion !== undefined ? ` v${report.schemaVersion}` : ''}`
    return {
      passed: report.passed,
      message: report.passed ? `${report.rowCount} rows conform to ${what}` : `${what}: ${describeReport(report)}`,
      metadata: { rowCount: report.rowCount, violations: report.violations, ...(report.source ? { source: report.source } : {}), ...(report.schemaVersion !== undefined ? { schemaVersion: report.schemaVersion } : {}) },
    }
  }
  let raw: unknown
  try {
    raw = await check.fn(ctx, value)
  } catch (err) {
    const e = err as Error
    return { passed: false, message: `the check threw: ${e?.message ?? String(err)}`, metadata: { error: { name: e?.name ?? 'Error', message: e?.message ?? String(err) } } }
  }
  if (typeof raw === 'boolean') return { passed: raw, metadata: {} }
  if (typeof raw === 'object' && raw !== null && typeof (raw as CheckOutcome).passed === 'boolean') {
    const out = raw as CheckOutcome
    const { metadata, problem } = jsonSafe(out.metadata)
    const message = out.message === undefined || out.message === null ? undefined : String(out.message)
    if (problem) return { passed: false, message: `${message ? `${message}; ` : ''}${problem}`, metadata }
    return { passed: out.passed, ...(message !== undefined ? { message } : {}), metadata }
  }
  return { passed: false, message: `the check returned ${raw === null ? 'null' : typeof raw}; return true/false or { passed, message?, metadata? }`, metadata: {} }
}

/** Runs every check of `asset` on `value`, in declaration order. */
export async function runChecks(asset: AssetDefinition<any>, ctx: AssetContext, value: unknown): Promise<ChecksRun> {
  const results: CheckResultData[] = []
  let fatal: StrataError | undefined
  for (const check of asset.checks) {
    const started = performance.now()
    const checkCtx: CheckContext = Object.freeze({ ...ctx, checkName: check.name })
    const r = await runOne(check, checkCtx, value)
    fatal ??= r.fatal
    results.push({
      name: check.name,
      passed: r.passed,
      blocking: check.blocking,
      ...(r.message !== undefined ? { message: r.message } : {}),
      metadata: r.metadata,
      durationMs: performance.now() - started,
    })
  }
  return fatal ? { results, fatal } : { results }
}

/** The error of a step whose blocking checks failed: names each check with its message. */
export function checkFailedError(assetKey: string, results: readonly CheckResultData[]): StrataError | undefined {
  const failed = results.filter((r) => r.blocking && !r.passed)
  if (failed.length === 0) return undefined
  const lines = failed.map((r) => `check "${r.name}" failed${r.message ? `: ${r.message}` : ''}`)
  return new StrataError(
    'STRATA_CHECK_FAILED',
    `${failed.length === 1 ? 'A blocking check' : `${failed.length} blocking checks`} failed on ${assetKey}, so its output was not stored and the last good materialization stays latest: ${lines.join(' | ')}`,
    { checks: failed.map((r) => r.name) },
  )
}
