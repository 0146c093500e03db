/**
 * Pieces shared by the commands' --json output. The rule every shape follows
 * (schemas/*.schema.json): every documented field is present, and a value
 * that does not apply is `null` — never `""`, never a missing key.
 */
import type { DirectReason, LastFailure, StaleReason } from '../../engine/index.js'

/** An instant as ISO 8601, or null. */
export const isoOrNull = (ms: number | null | undefined): string | null => (ms === undefined || ms === null ? null : new Date(ms).toISOString())

/** Storage writes `''` for "no partition"; JSON says null. */
export const partitionKeyJson = (partitionKey: string | null | undefined): string | null => (partitionKey ? partitionKey : null)

export const failureJson = (f: LastFailure | undefined) => (f ? { message: f.message, runId: f.runId, at: new Date(f.at).toISOString() } : null)

function directJson(r: DirectReason): unknown {
  return r.kind === 'CODE_VERSION_CHANGED' ? { ...r, changes: r.changes ?? null } : r
}

/** A staleness reason as data (`reasonDetails`): optional parts become null. */
export function reasonJson(r: StaleReason): unknown {
  switch (r.kind) {
    case 'UPSTREAM_STALE':
    case 'UPSTREAM_MISSING':
      return { ...r, rootCauses: r.rootCauses.map((c) => ({ key: c.key, reason: directJson(c.reason) })) }
    case 'MORE_UPSTREAM':
    case 'PARTITIONS_MISSING':
    case 'PARTITIONS_STALE':
      return r
    default:
      return directJson(r)
  }
}
