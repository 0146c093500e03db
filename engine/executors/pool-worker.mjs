// Worker-thread entry for the pool executor. Module hooks registered on the
// main thread do not reach worker threads, so TypeScript support is
// registered here before the step runner (and the user's definitions) load.
// The build copies this file beside the compiled step runner (pool-task.js):
// each copy loads the step runner of its own layout (loader/layout.mjs).
import { FROM_SOURCE } from '../loader/layout.mjs'
import { registerTypeScript } from '../loader/register.mjs'

registerTypeScript()
const { runPoolTask, runPoolBatch } = await (FROM_SOURCE ? import('./pool-task.ts') : import('./pool-task.js'))
export default runPoolTask
export { runPoolBatch }
