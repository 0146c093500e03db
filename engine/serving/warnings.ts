/**
 * Feature warnings of served predictions (see ServingWarning in
 * assets/serving.ts): runs a served model's `warnings` hook, checks what it
 * returned, and refuses, under `--strict-features`, a request with an
 * instance whose features the store does not hold.
 *
 * The hook's output is checked as strictly as `predict`'s: a kind becomes a
 * Prometheus label value and a message goes back to the caller, so a
 * malformed warning is the model's bug (a 500 `prediction_failed` naming it),
 * never a silently dropped or garbled warning.
 */
import type { ServedModel, ServingPredictContext, ServingWarning } from '../../assets/serving.js'
import { HttpError } from './http.js'

/** Lowercase words joined by `_`: safe as a metric label and stable to alert on. */
const KIND = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/

/** Instances listed in a 422's details, at most. */
const MAX_LISTED = 20

const describe = (v: unknown): string => (Array.isArray(v) ? `an array of ${v.length}` : v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v) ?? typeof v)

function checkWarning(w: unknown, where: string): ServingWarning {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) throw new Error(`${where} is ${describe(w)}; expected { kind, message, unavailable? }`)
  const { kind, message, unavailable } = w as Record<string, unknown>
  if (typeof kind !== 'string' || !KIND.test(kind)) throw new Error(`${where}.kind must be lowercase words joined by "_", e.g. "history_incomplete" (got ${describe(kind)})`)
  if (typeof message !== 'string' || message === '') throw new Error(`${where}.message must be a non-empty string (got ${describe(message)})`)
  if (unavailable !== undefined && (typeof unavailable !== 'string' || unavailable === '')) throw new Error(`${where}.unavailable must be a non-empty string saying why, or absent (got ${describe(unavailable)})`)
  return { kind, message, ...(unavailable !== undefined ? { unavailable } : {}) }
}

/** One array per instance, in order; `[]` for each when the model declares no `warnings`. */
export async function instanceWarnings(spec: ServedModel, loaded: unknown, instances: unknown[], ctx: ServingPredictContext): Promise<ServingWarning[][]> {
  if (!spec.warnings) return instances.map(() => [])
  const out: unknown = await spec.warnings(loaded, instances, ctx)
  if (!Array.isArray(out) || out.length !== instances.length) {
    throw new Error(`warnings returned ${describe(out)} for ${instances.length} instances; expected one array of warnings per instance ([] when none)`)
  }
  return out.map((list: unknown, i) => {
    if (!Array.isArray(list)) throw new Error(`warnings returned ${describe(list)} for instance ${i}; expected an array of { kind, message } ([] when none)`)
    return list.map((w, j) => checkWarning(w, `warnings for instance ${i}, [${j}]`))
  })
}

/**
 * Throws the 422 `features_unavailable` of `--strict-features` when an
 * instance has a warning marked `unavailable`; its message names the first
 * such instance and the model's reason (which names the value and the store's
 * range), the details list up to 20.
 */
export function refuseUnavailable(warnings: ServingWarning[][]): void {
  const refused: Array<{ index: number; kind: string; reason: string }> = []
  let total = 0
  warnings.forEach((list, index) => {
    const w = list.find((x) => x.unavailable !== undefined)
    if (!w) return
    total++
    if (refused.length < MAX_LISTED) refused.push({ index, kind: w.kind, reason: w.unavailable! })
  })
  if (total === 0) return
  const first = refused[0]!
  const more = total > 1 ? ` (and ${total - 1} more instance${total > 2 ? 's' : ''})` : ''
  throw new HttpError(
    422,
    'features_unavailable',
    `instances[${first.index}]: ${first.reason}${more}. This server runs with --strict-features, which refuses instances whose features the store does not hold; send instances inside the store's window, or ask a server without the flag (it scores them and returns warnings).`,
    refused,
  )
}
