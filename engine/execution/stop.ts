import { setMaxListeners } from 'node:events'
import type { StepOutcome } from './step-types.js'
import type { StrataErrorCode } from '../../assets/errors.js'

/** How long running steps of a canceled run may still finish before they are stopped. */
export const DEFAULT_GRACE_MS = 10_000

/**
 * Cancellation of one run, in two stages. `canceled`: no step starts any
 * more. `stopping`: running steps are stopped — by the executor when it can
 * (the pool terminates their threads), else by no longer waiting for them.
 * A cancel turns into a stop after the grace period when the executor can
 * stop steps; with one that cannot (in-process), only an explicit stop does.
 * A run past its time limit (`timeoutMs`) is canceled the same way.
 */
export class RunStopper {
  private readonly cancelCtl = new AbortController()
  private readonly stopCtl = new AbortController()
  private graceTimer: NodeJS.Timeout | undefined
  private limitTimer: NodeJS.Timeout | undefined
  /** Why running steps were stopped, for their CANCELED message. */
  stopReason: 'grace' | 'stop' | undefined
  /** The run went past `timeoutMs`: canceled as by a signal, the limit being the reason. */
  timedOut = false
  private readonly detach: () => void

  constructor(
    opts: { signal?: AbortSignal; stop?: AbortSignal; graceMs?: number; canStopSteps: boolean; timeoutMs?: number; onTimeout?: () => void },
    private readonly onChange: () => void,
  ) {
    // Every step in flight listens for a stop, and batches put many in flight at once.
    setMaxListeners(0, this.stopCtl.signal)
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS
    const onCancel = () => {
      if (this.cancelCtl.signal.aborted) return
      this.cancelCtl.abort()
      if (opts.canStopSteps) this.graceTimer = setTimeout(() => this.stopNow('grace'), graceMs)
      this.onChange()
    }
    const onStop = () => this.stopNow('stop')
    opts.signal?.addEventListener('abort', onCancel)
    opts.stop?.addEventListener('abort', onStop)
    if (opts.timeoutMs !== undefined) {
      this.limitTimer = setTimeout(() => {
        if (this.cancelCtl.signal.aborted) return
        this.timedOut = true
        opts.onTimeout?.()
        onCancel()
        // No second Ctrl-C comes for an unattended run: steps that cannot be stopped are given up on after the grace period.
        if (!opts.canStopSteps) this.graceTimer = setTimeout(() => this.stopNow('grace'), graceMs)
      }, opts.timeoutMs)
    }
    this.detach = () => {
      opts.signal?.removeEventListener('abort', onCancel)
      opts.stop?.removeEventListener('abort', onStop)
      clearTimeout(this.graceTimer)
      clearTimeout(this.limitTimer)
    }
    // Already aborted: act once the caller has finished setting up.
    if (opts.stop?.aborted) queueMicrotask(onStop)
    else if (opts.signal?.aborted) queueMicrotask(onCancel)
  }

  get canceled(): boolean {
    return this.cancelCtl.signal.aborted
  }

  /** Fires when the run is canceled (no new steps). */
  get cancelSignal(): AbortSignal {
    return this.cancelCtl.signal
  }

  /** Fires when running steps must stop. */
  get stopSignal(): AbortSignal {
    return this.stopCtl.signal
  }

  private stopNow(reason: 'grace' | 'stop'): void {
    if (this.stopCtl.signal.aborted) return
    clearTimeout(this.graceTimer)
    this.stopReason = reason
    this.cancelCtl.abort()
    this.stopCtl.abort()
    this.onChange()
  }

  /**
   * The step's outcome, or a STRATA_CANCELED failure as soon as running steps
   * must stop — whether or not the executor managed to stop the step.
   */
  race(outcome: Promise<StepOutcome>, started: number, message: () => string): Promise<StepOutcome> {
    const signal = this.stopCtl.signal
    const stopped = (): StepOutcome => ({ ok: false, durationMs: Date.now() - started, error: { name: 'Canceled', code: 'STRATA_CANCELED' satisfies StrataErrorCode, message: message() } })
    if (signal.aborted) return Promise.resolve(stopped())
    return new Promise<StepOutcome>((resolve) => {
      const onStop = () => resolve(stopped())
      signal.addEventListener('abort', onStop, { once: true })
      outcome.then(
        (o) => {
          signal.removeEventListener('abort', onStop)
          resolve(o)
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onStop)
          resolve({ ok: false, durationMs: Date.now() - started, error: { name: 'Error', message: String(err) } })
        },
      )
    })
  }

  dispose(): void {
    this.detach()
  }
}
