// Which copy of Strata this is. From a git checkout, Strata runs from its
// TypeScript sources and nothing needs building; the published package holds
// only the compiled JavaScript under dist/ (the build copies this file there).
// The two must never meet in one process: definitions that import
// `strata-engine` next to an engine from the other copy would get a second
// set of classes and symbols, and `instanceof` and symbol checks would fail.
// So the sources resolve `strata-engine` to themselves through the export
// condition `strata-source` (added by the module hooks), and the compiled
// copy never adds it.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** True in the sources (this file is engine/loader/layout.mjs), false in the compiled copy (dist/engine/loader/layout.mjs). */
export const FROM_SOURCE = existsSync(new URL('../../assets/index.ts', import.meta.url))

/** The export condition that maps `strata-engine` to its TypeScript sources (see package.json "exports"). */
export const SOURCE_CONDITION = 'strata-source'

/** The folder holding Strata's package.json. */
export const PACKAGE_ROOT = fileURLToPath(new URL(FROM_SOURCE ? '../../' : '../../../', import.meta.url))
