/**
 * Runs `tick` every `everyMs`, counted from the end of the previous tick, so
 * a slow storage read never piles up. `now()` runs a tick at once; calls made
 * while one is in flight share it.
 */
export class PollLoop {
  private timer?: NodeJS.Timeout
  private inFlight?: Promise<void>
  private stopped = false

  /** `tick` should not reject: report its errors itself. */
  constructor(
    private readonly tick: () => Promise<void>,
    private readonly everyMs: number,
  ) {}

  start(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => void this.now().finally(() => this.start()), this.everyMs)
    this.timer.unref()
  }

  now(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    return (this.inFlight ??= this.tick().finally(() => (this.inFlight = undefined)))
  }

  /** Resolves once no tick is running. */
  idle(): Promise<void> {
    return this.inFlight ?? Promise.resolve()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.inFlight
  }
}
