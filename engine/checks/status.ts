/**
 * Check results for status displays: latest results and counts, limited to
 * the checks the asset currently declares (results of removed checks are kept
 * in storage but not shown).
 */
import type { CheckResultRecord } from '../storage/types.js'
import type { Workspace } from '../workspace.js'

/** Over every partition: how many latest results passed, failed (blocking) or failed as warnings. */
export interface CheckCountsSummary {
  passed: number
  failed: number
  warned: number
}

const declared = (ws: Pick<Workspace, 'defs'>, key: string) => new Set((ws.defs.byKey.get(key)?.checks ?? []).map((c) => c.name))

/** Counts per asset key (every asset of `keys`, or of the definitions, gets an entry). */
export async function readCheckCounts(ws: Pick<Workspace, 'defs' | 'storage'>, keys?: readonly string[]): Promise<Map<string, CheckCountsSummary>> {
  const wanted = keys ?? [...ws.defs.byKey.keys()]
  const out = new Map<string, CheckCountsSummary>(wanted.map((k) => [k, { passed: 0, failed: 0, warned: 0 }]))
  const withChecks = wanted.filter((k) => (ws.defs.byKey.get(k)?.checks.length ?? 0) > 0)
  if (withChecks.length === 0) return out
  const names = new Map(withChecks.map((k) => [k, declared(ws, k)]))
  for (const row of await ws.storage.countLatestCheckResults(withChecks)) {
    if (!names.get(row.assetKey)?.has(row.checkName)) continue
    const c = out.get(row.assetKey)!
    c.passed += row.passed
    c.failed += row.failed
    c.warned += row.warned
  }
  return out
}

/** Latest result per declared check (of one partition, or of all partitions), by partition then check name. */
export async function readLatestChecks(ws: Pick<Workspace, 'defs' | 'storage'>, key: string, partitionKey?: string): Promise<CheckResultRecord[]> {
  const names = declared(ws, key)
  if (names.size === 0) return []
  return (await ws.storage.getLatestCheckResults(key, partitionKey)).filter((r) => names.has(r.checkName))
}

/** `check "x" failed (blocking)…` — one line for a failing result. */
export function describeCheckResult(r: CheckResultRecord): string {
  const where = r.partitionKey ? `[${r.partitionKey}] ` : ''
  const what = r.passed ? 'passed' : r.blocking ? 'failed (blocking)' : 'failed (warning)'
  return `${where}check ${r.checkName} ${what}${r.message ? `: ${r.message}` : ''}`
}

/** JSON shape of a check result in CLI output. */
export function checkResultJson(r: CheckResultRecord) {
  return {
    name: r.checkName,
    partitionKey: r.partitionKey || null,
    passed: r.passed,
    blocking: r.blocking,
    severity: r.passed ? 'pass' : r.blocking ? 'error' : 'warn',
    message: r.message ?? null,
    metadata: r.metadata,
    runId: r.runId,
    materializationId: r.materializationId ?? null,
    at: new Date(r.ts).toISOString(),
  }
}
