#!/usr/bin/env node
// The strata command. Definitions files are TypeScript, so TypeScript support
// is registered before anything else is imported.
import { registerTypeScript } from '../../engine/loader/register.mjs'

registerTypeScript()
await import('../cli/main.ts')
