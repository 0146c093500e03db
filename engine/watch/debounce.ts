/** Quiet period, in milliseconds, after the last file change before a dev session reloads (`DevSessionOptions.debounceMs`). */
export const DEFAULT_DEBOUNCE_MS = 200

export interface Debouncer<T> {
  /** Adds an item and restarts the quiet period. */
  push(item: T): void
  /** Drops what is pending. */
  cancel(): void
  readonly pending: boolean
}

/**
 * Collects items (changed files) and calls `fire` with all of them once no new
 * item arrived for `ms` milliseconds: an editor's burst of writes is one reload.
 */
export function createDebouncer<T>(ms: number, fire: (items: T[]) => void): Debouncer<T> {
  let items = new Set<T>()
  let timer: NodeJS.Timeout | undefined
  return {
    push(item) {
      items.add(item)
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => {
        timer = undefined
        const batch = [...items]
        items = new Set()
        fire(batch)
      }, ms)
    },
    cancel() {
      if (timer) clearTimeout(timer)
      timer = undefined
      items = new Set()
    },
    get pending() {
      return timer !== undefined
    },
  }
}
