#!/usr/bin/env node
// The strata command. Definitions files are TypeScript, so the TypeScript
// loader is registered before anything else is imported.
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
