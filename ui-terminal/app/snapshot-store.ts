import type { StatusMessage, UiSnapshot } from './model.js'

/**
 * What every UI model shares: listeners for `useSyncExternalStore`, the
 * current snapshot, the status-line message, and throttled emission —
 * snapshots go out at most every 25 ms, so a chatty run does not re-render per
 * log line. Subclasses say how a snapshot is built.
 */
export abstract class SnapshotStore {
  private readonly listeners = new Set<() => void>()
  private emitTimer?: NodeJS.Timeout
  protected snapshot: UiSnapshot
  protected message?: StatusMessage
  protected generation = 0
  protected closed = false

  constructor(title: string) {
    this.snapshot = { title, generation: 0, loading: true, rows: [], runs: [], backfills: [] }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): UiSnapshot => this.snapshot

  protected abstract buildSnapshot(): UiSnapshot

  protected setMessage(level: StatusMessage['level'], text: string): void {
    this.message = { level, text, at: Date.now() }
    this.scheduleEmit()
  }

  protected scheduleEmit(): void {
    if (this.emitTimer || this.closed) return
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined
      this.emitNow()
    }, 25)
  }

  protected emitNow(): void {
    this.snapshot = this.buildSnapshot()
    for (const l of this.listeners) l()
  }

  protected stopEmitting(): void {
    clearTimeout(this.emitTimer)
    this.emitTimer = undefined
  }
}
