import type { AttemptStateRow, NewEvent, Storage } from '../storage/types.js'

interface StateRow extends AttemptStateRow {
  runId: string
}

/**
 * Buffers events and writes them in batches: a chatty step logging thousands
 * of lines costs a few transactions, not thousands. Flushed at least every
 * `intervalMs` so other processes (the UI) see progress promptly.
 */
export class EventWriter {
  private buffer: NewEvent[] = []
  private states: StateRow[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly storage: Storage,
    private readonly intervalMs = 100,
    private readonly maxBuffered = 500,
  ) {}

  /** Buffers an event, and optionally partition states to write in the same transaction. */
  write(event: NewEvent, states?: Array<Omit<StateRow, 'runId'>>): void {
    this.buffer.push(event)
    if (states) for (const s of states) this.states.push({ ...s, runId: event.runId })
    if (this.buffer.length >= this.maxBuffered) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  /**
   * Takes the buffered events for the caller to store in its own write (e.g.
   * as a materialization's preceding events: one commit per step instead of
   * two), once earlier flushes are done. The caller must store them at once,
   * before writing anything else. Buffered partition states cannot travel
   * that way: with any, everything is flushed here and nothing is returned.
   */
  async take(): Promise<NewEvent[]> {
    for (let pending = this.flushing; ; pending = this.flushing) {
      await pending
      if (pending === this.flushing) break
    }
    if (this.states.length > 0) {
      await this.flush()
      return []
    }
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const batch = this.buffer
    this.buffer = []
    return batch
  }

  /** Puts back events `take` returned that could not be stored, ahead of anything buffered since. */
  giveBack(batch: NewEvent[]): void {
    if (batch.length === 0) return
    this.buffer = [...batch, ...this.buffer]
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  /** Writes everything buffered so far; events keep their order across flushes. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const batch = this.buffer
    const states = this.states
    this.buffer = []
    this.states = []
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return
      // States of one flush belong to one run: runs have their own writers.
      const rows = states.map(({ runId: _, ...row }) => row)
      await this.storage.appendEvents(batch, rows.length ? { runId: states[0]!.runId, now: Date.now(), rows } : undefined)
    })
    return this.flushing
  }
}
