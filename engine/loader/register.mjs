import { register } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { openCacheDir } from './cache-dir.mjs'
import { FROM_SOURCE, SOURCE_CONDITION } from './layout.mjs'

const registered = Symbol.for('strata.typescript-hooks')

/** Lets this thread import TypeScript. Worker threads must call it too: hooks do not cross threads. */
export function registerTypeScript() {
  if (globalThis[registered]) return
  globalThis[registered] = true
  const cache = openCacheDir()
  // Worker threads repeat the check (it is one stat) but only the main
  // thread reports a refused folder: one line per process, not per worker.
  if (!cache.dir && isMainThread) process.stderr.write(`strata: ${cache.message} [${cache.code}]\n`)
  register(new URL('./hooks.mjs', import.meta.url), {
    data: {
      cacheDir: cache.dir,
      debug: process.env.STRATA_TS_CACHE_DEBUG === '1',
      // From the sources, `strata-engine` must resolve to the sources too (layout.mjs).
      conditions: FROM_SOURCE ? [SOURCE_CONDITION] : [],
    },
  })
}
