// Entry of a daemon's definitions worker. Module hooks do not cross threads,
// so TypeScript support is registered here before the engine and the user's
// definitions are imported. The build copies this file beside the compiled
// isolate-task.js: each copy loads the task of its own layout.
import { FROM_SOURCE } from '../loader/layout.mjs'
import { registerTypeScript } from '../loader/register.mjs'

registerTypeScript()
await (FROM_SOURCE ? import('./isolate-task.ts') : import('./isolate-task.js'))
