/**
 * Watch mode as `strata-engine/engine` offers it. The session (its watcher,
 * isolates and worker pool) loads on the first `startDevSession` call, so
 * that importing the engine, as every command and script does, never pays
 * for it.
 */
import type { DevSession, DevSessionOptions } from './watch/types.js'

export { DEFAULT_DEBOUNCE_MS } from './watch/debounce.js'

/**
 * Starts a dev session (what `strata dev` runs): watches the definitions file
 * and the local modules it imports, reloads them in a disposable worker after
 * each save, and reports through `onEvent` what changed and what is stale
 * (with `auto`, re-materializes it). Resolves as soon as the files are
 * watched, the initial load under way (reported like any reload; `idle()`
 * waits for it). Stop it with `close()`.
 */
export async function startDevSession(opts: DevSessionOptions = {}): Promise<DevSession> {
  const session = await import('./watch/session.js')
  return session.startDevSession(opts)
}
