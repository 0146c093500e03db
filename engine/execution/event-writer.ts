import type { NewEvent, Storage } from '../storage/types.js'

/**
 * Buffers events and writes them in batches: a chatty step logging thousands
 * of lines costs a few transactions, not thousands. Flushed at least every
 * `intervalMs` so other processes (the UI) see progress promptly.
 */
export class EventWriter {
  private buffer: NewEvent[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly storage: Storage,
    private readonly intervalMs = 100,
    private readonly maxBuffered = 500,
  ) {}

  write(event: NewEvent): void {
    this.buffer.push(event)
    if (this.buffer.length >= this.maxBuffered) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  /** Writes everything buffered so far; events keep their order across flushes. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const batch = this.buffer
    this.buffer = []
    this.flushing = this.flushing.then(async () => {
      if (batch.length > 0) await this.storage.appendEvents(batch)
    })
    return this.flushing
  }
}
