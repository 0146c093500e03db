import type { StrataErrorCode } from '../../assets/errors.js'
import type { StepOutcome, StepTask } from '../execution/step-types.js'

/** `1.5 s`, `250 ms`, `2 min`: a limit as a person set it. */
export function formatLimit(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`
  return `${Math.round(ms / 6000) / 10} min`
}

/**
 * The failure of a step that ran past its asset's `timeoutMs`. It names the
 * limit and how to raise it: the step is retried per its retry policy like
 * any failure, so the message is what a person reads once retries run out.
 */
export function timeoutOutcome(task: StepTask, durationMs: number, stopped: string): StepOutcome {
  const limit = task.timeoutMs!
  return {
    ok: false,
    durationMs,
    error: {
      name: 'Timeout',
      code: 'STRATA_TIMEOUT' satisfies StrataErrorCode,
      message: `Timed out: "${task.assetKey}" ran past its limit of ${formatLimit(limit)} per attempt (timeoutMs: ${limit}), so ${stopped}. If it needs longer, raise timeoutMs in its asset() definition.`,
    },
  }
}
