// Worker-thread entry for the pool executor. Module hooks registered on the
// main thread do not reach worker threads, so TypeScript support is
// registered here before the step runner (and the user's definitions) load.
import { registerTypeScript } from '../loader/register.mjs'

registerTypeScript()
const { runPoolTask } = await import('./pool-task.ts')
export default runPoolTask
