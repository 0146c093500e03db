/**
 * `strata dev --json` writes one event per line (schemas/dev-event.schema.json).
 * The session's events leave out what does not apply; here every documented
 * field is written, null when it does not apply, as in every --json shape.
 */
import type { DevEvent, RunEvent, StepResult } from '../../engine/index.js'

type SerializedError = { name: string; message: string; stack?: string; code?: string }

const errorJson = (e: SerializedError | undefined) => (e ? { name: e.name, message: e.message, code: e.code ?? null, stack: e.stack ?? null } : null)

/** A step's result as a run event carries it. */
function resultJson(r: StepResult) {
  return {
    id: r.id,
    key: r.key,
    partitionKeys: r.partitionKeys,
    status: r.status,
    attempts: r.attempts,
    durationMs: r.durationMs,
    dataVersion: r.dataVersion ?? null,
    materializationId: r.materializationId ?? null,
    skipReason: r.skipReason ?? null,
    blockedBy: r.blockedBy ?? null,
    error: errorJson(r.error),
    checks: (r.checks ?? []).map((c) => ({ name: c.name, passed: c.passed, blocking: c.blocking, message: c.message ?? null })),
    models: (r.models ?? []).map((m) => ({ name: m.name, version: m.version, stage: m.stage, kind: m.kind })),
  }
}

function runEventJson(e: RunEvent): unknown {
  switch (e.type) {
    case 'step-retry':
      return { ...e, error: errorJson(e.error) }
    case 'step-end':
      return { ...e, result: resultJson(e.result) }
    case 'run-end':
      return { type: e.type, result: { runId: e.result.runId, status: e.result.status, durationMs: e.result.durationMs, timedOut: e.result.timedOut === true, steps: e.result.steps.map(resultJson) } }
    default:
      return e
  }
}

export function devEventJson(e: DevEvent): unknown {
  switch (e.type) {
    case 'reload-ok':
      return { ...e, assets: e.assets.map((a) => ({ ...a, description: a.description ?? null, partitions: a.partitions ?? null })) }
    case 'reload-error':
      return { ...e, code: e.code ?? null, location: e.location ?? null }
    case 'code-changed':
      return { ...e, changed: e.changed.map((c) => ({ ...c, changes: c.changes ?? null })) }
    case 'run-event':
      return { ...e, event: runEventJson(e.event) }
    case 'run-end':
      return { ...e, error: e.error ?? null }
    default:
      return e
  }
}
