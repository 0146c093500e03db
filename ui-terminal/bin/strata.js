#!/usr/bin/env node
// The strata command. From a git checkout it runs the TypeScript sources, so
// nothing needs building: TypeScript support is registered before anything
// else is imported. The published package has no sources, only the compiled
// copy under dist/, which registers TypeScript support itself when it loads
// a TypeScript definitions file (so `strata --help` never pays for it).
// One copy per process: see engine/loader/layout.mjs.
import { existsSync } from 'node:fs'

if (existsSync(new URL('../cli/main.ts', import.meta.url))) {
  const { registerTypeScript } = await import('../../engine/loader/register.mjs')
  registerTypeScript()
  await import('../cli/main.ts')
} else {
  await import('../../dist/ui-terminal/cli/main.js')
}
