// For `node --import ./engine/loader/auto.mjs`: TypeScript support for this process.
import { registerTypeScript } from './register.mjs'

registerTypeScript()
