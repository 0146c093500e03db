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
