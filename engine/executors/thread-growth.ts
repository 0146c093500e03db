import { StepTimes } from '../execution/batching.js'
import { startedAt, type TaskProbe } from './task-probe.js'

/**
 * Another thread pays when the work waiting for it is at least this long
 * (estimated from the steps' recent compute times). At most half of
 * BATCH_BUDGET_MS (batching.ts): a batch sized to that budget then always
 * qualifies, so a run whose batches fill it gets every thread at once.
 */
export const GROW_AFTER_MS = 10
/** A task computing this long shows the work is longer than its steps' recent times said: another thread starts. */
export const LONG_TASK_MS = 100
/** Step times observed before they are trusted to estimate the held work. */
const TRUSTED_AFTER = 3
/** How often held tasks are looked at while the running ones compute. */
const POLL_MS = 2

interface Held {
  probe: TaskProbe
  steps: number
  signal: AbortSignal | undefined
  go: () => void
}

/**
 * When a pool may start another thread. A new thread costs ~250 ms of CPU
 * and tens of MiB to import the definitions, while a step of a millisecond
 * is over long before it could take the next one: a deep graph of tiny
 * steps, handed over a few at a time, is served best by one thread. So a
 * task that finds every thread busy (and the pool below its limit) is held
 * until a thread is free, unless it is worth a thread of its own: its steps
 * add up to GROW_AFTER_MS of recent compute time, or a running task has
 * computed LONG_TASK_MS (so a run of long steps starts its second one at
 * most that late). The first task always goes at once. Held tasks keep
 * their order; one whose run is stopped goes at once (the pool then rejects
 * it straight away).
 */
export class ThreadGrowth {
  private readonly running = new Set<TaskProbe>()
  private readonly held: Held[] = []
  private readonly times = new StepTimes()
  private last: number | undefined
  private observed = 0
  private timer: NodeJS.Timeout | undefined

  /** `threads`: the pool's threads alive now (those starting included). */
  constructor(
    private readonly threads: () => number,
    private readonly maxThreads: number,
  ) {}

  /** Resolves when a task of `steps` steps may be handed to the pool. Call `leave` with the same probe once it is over, whether it went or not. */
  enter(probe: TaskProbe, steps: number, signal?: AbortSignal): Promise<void> {
    if (this.held.length === 0 && this.mayGo(steps)) {
      this.running.add(probe)
      return Promise.resolve()
    }
    return new Promise((go) => {
      this.held.push({ probe, steps, signal, go })
      // Unreferenced: a held task always waits behind a running one, whose thread keeps the process alive.
      this.timer ??= setInterval(() => this.admit(), POLL_MS).unref()
    })
  }

  /** A step's compute time, as its thread measured it. */
  observe(durationMs: number): void {
    this.times.observe(durationMs)
    if (!Number.isFinite(durationMs) || durationMs < 0) return
    this.last = durationMs
    this.observed++
  }

  /**
   * The lower of the recent mean and the last step time, once a few steps
   * have run: a thread's first steps run cold (compiling, opening the store,
   * making directories) and would otherwise keep the mean high for dozens of
   * steps. A long step still shows through LONG_TASK_MS.
   */
  private get stepMs(): number | undefined {
    if (this.observed < TRUSTED_AFTER) return undefined
    return Math.min(this.times.mean!, this.last!)
  }

  leave(probe: TaskProbe): void {
    this.running.delete(probe)
    this.admit()
  }

  /** Lets every held task go (the pool is closing: it rejects them). */
  releaseAll(): void {
    while (this.held.length > 0) this.release(0)
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Tasks held now (for tests). */
  get waiting(): number {
    return this.held.length
  }

  private mayGo(steps: number): boolean {
    const threads = this.threads()
    // At the limit (in threads, or in tasks let go before their thread is up), piscina queues the task itself.
    if (this.running.size === 0 || this.running.size < threads || Math.max(threads, this.running.size) >= this.maxThreads) return true
    const mean = this.stepMs
    if (mean !== undefined && steps * mean >= GROW_AFTER_MS) return true
    const now = Date.now()
    for (const p of this.running) {
      const t = startedAt(p)
      if (t > 0 && now - t >= LONG_TASK_MS) return true
    }
    return false
  }

  private admit(): void {
    for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i]!.signal?.aborted) this.release(i, false)
    while (this.held.length > 0 && this.mayGo(this.held[0]!.steps)) this.release(0)
    if (this.held.length === 0 && this.timer !== undefined) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  /** `occupies`: false for a task of a stopped run, which the pool rejects without giving it a thread. */
  private release(index: number, occupies = true): void {
    const [h] = this.held.splice(index, 1)
    if (occupies) this.running.add(h!.probe)
    h!.go()
  }
}
