// Entry of a dev session's disposable isolate worker. Module hooks do not
// cross threads, so TypeScript support is registered here before the engine
// and the user's definitions are imported.
import { registerTypeScript } from '../loader/register.mjs'

registerTypeScript()
await import('./isolate-task.ts')
