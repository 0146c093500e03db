import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isDefinitions } from '../../assets/definitions.js'
import { StrataError, isStrataError } from '../../assets/errors.js'
import type { Definitions } from '../../assets/types.js'
import { registerTypeScript } from '../loader/register.mjs'
import { withCodeVersions } from '../versioning/versions.js'

export const DEFAULT_DEFS_FILE = 'definitions.ts'

export function resolveDefsPath(file: string | undefined, cwd = process.cwd()): string {
  const path = resolve(cwd, file ?? DEFAULT_DEFS_FILE)
  if (!existsSync(path)) {
    throw new StrataError(
      'STRATA_DEFINITIONS_LOAD',
      file
        ? `Definitions file not found: ${path}. Check the path given to -f/--defs.`
        : `No ${DEFAULT_DEFS_FILE} in ${cwd}. Pass the definitions file with -f path/to/definitions.ts.`,
    )
  }
  return path
}

/**
 * Imports a definitions module and returns its default export, with each
 * asset's version assigned (engine/versioning/versions.ts). `version` busts
 * the module cache so an edited file is imported afresh (watch mode does this
 * in a disposable worker so old module graphs can be collected).
 */
export async function loadDefinitions(path: string, version?: string | number): Promise<Definitions> {
  const url = pathToFileURL(path).href + (version !== undefined ? `?v=${version}` : '')
  // The strata command registers TypeScript support before anything else; a
  // script run with plain node gets it here, before the first TypeScript it imports.
  if (/\.(ts|tsx|mts)$/.test(path)) registerTypeScript()
  let mod: { default?: unknown }
  try {
    mod = await import(url)
  } catch (err) {
    if (isStrataError(err)) throw err
    const e = err as Error
    throw new StrataError('STRATA_DEFINITIONS_LOAD', `Could not load definitions from ${path}: ${e.message}`, { stack: e.stack })
  }
  if (!isDefinitions(mod.default)) {
    throw new StrataError(
      'STRATA_DEFINITIONS_LOAD',
      `${path} has no default export of definitions. End the file with: export default defineDefinitions({ assets: [...] })`,
    )
  }
  // Versions follow the project's files as they are now: the code each compute uses, and each definition's structure.
  return withCodeVersions(mod.default, path)
}
