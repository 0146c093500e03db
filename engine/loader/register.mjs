import { register } from 'node:module'

const registered = Symbol.for('strata.typescript-hooks')

/** Lets this thread import TypeScript. Worker threads must call it too: hooks do not cross threads. */
export function registerTypeScript() {
  if (globalThis[registered]) return
  globalThis[registered] = true
  register(new URL('./hooks.mjs', import.meta.url))
}
