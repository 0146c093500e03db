/**
 * How many ready steps one hand-off to the executor carries. For steps of a
 * millisecond or less, a hand-off (deciding and claiming, waking a thread,
 * recording) costs more than the step, so several go together; longer steps
 * go one at a time, so that no thread idles while another works through a
 * long batch.
 */

/** A batch is sized to take about this long on its thread. */
export const BATCH_BUDGET_MS = 25
/**
 * Ready work shorter than this is not split across threads. Equal to the
 * pool's GROW_AFTER_MS (executors/thread-growth.ts): a share smaller than
 * that would not start a thread, it would only wait for the busy one, one
 * hand-off later.
 */
export const MIN_SPLIT_MS = 10
/** At most this many steps per hand-off. */
export const MAX_BATCH = 64

/**
 * A run's recent step durations (compute, as the executor measured them): an
 * exponentially weighted mean, so a run whose steps get longer stops batching
 * them within a few steps.
 */
export class StepTimes {
  private value: number | undefined

  /** Undefined until a step has run. */
  get mean(): number | undefined {
    return this.value
  }

  observe(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return
    this.value = this.value === undefined ? durationMs : this.value + 0.2 * (durationMs - this.value)
  }
}

/**
 * As many steps as keep a batch within ~BATCH_BUDGET_MS of compute at the
 * run's recent step duration `meanMs`; no more than a fair share of the
 * `ready` steps among the `freeSlots` (the one being filled included),
 * unless that share would be under ~MIN_SPLIT_MS of compute: splitting so
 * little work across threads costs the main thread a hand-off, a claim and
 * a commit more than it saves (a deep graph of tiny steps then runs on one
 * thread). One while no duration is known.
 */
export function batchSize(meanMs: number | undefined, ready: number, freeSlots: number): number {
  if (meanMs === undefined) return 1
  const perStep = Math.max(meanMs, 0.01)
  const share = Math.max(Math.ceil(ready / Math.max(1, freeSlots)), Math.floor(MIN_SPLIT_MS / perStep))
  return Math.max(1, Math.min(MAX_BATCH, share, Math.floor(BATCH_BUDGET_MS / perStep)))
}
