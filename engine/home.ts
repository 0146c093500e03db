import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { StrataError } from '../assets/errors.js'

/** `--home`, else `STRATA_HOME`, else `.strata/` beside the definitions file. */
// `env` is not typed NodeJS.ProcessEnv: this signature is published, and users need not have @types/node.
export function resolveHome(defsPath: string, home?: string, env: Record<string, string | undefined> = process.env): string {
  if (home) return resolve(home)
  if (env.STRATA_HOME) return resolve(env.STRATA_HOME)
  return resolve(dirname(defsPath), '.strata')
}

/** Whether the process that owns a run is still there (runs on other hosts are assumed alive). */
export function isRunOwnerAlive(pid: number, host: string): boolean {
  if (host !== hostname()) return true
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function homeError(home: string, why: string): StrataError {
  return new StrataError('STRATA_STORAGE', `Could not create the Strata home directory ${home}: ${why}. Choose a writable directory with --home DIR or STRATA_HOME.`, { home })
}

/**
 * Creates the home directory (and missing parents) one level at a time and
 * checks it is a writable directory. A recursive mkdirSync never returns on
 * file systems such as /proc, which answer ENOENT for a directory whose parent
 * exists; creating each level once turns that into an immediate error.
 */
export function ensureHomeDirectory(home: string): void {
  const missing: string[] = []
  let dir = resolve(home)
  for (;;) {
    let isDir: boolean
    try {
      isDir = statSync(dir).isDirectory()
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') throw homeError(home, `${dir} cannot be inspected (${code})`)
      missing.push(dir)
      const parent = dirname(dir)
      if (parent === dir) throw homeError(home, 'no existing parent directory')
      dir = parent
      continue
    }
    if (!isDir) throw homeError(home, `${dir} exists and is not a directory`)
    break
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // Another process may create the same level at the same moment.
      if (code === 'EEXIST' && statSync(level).isDirectory()) continue
      const why = code === 'ENOENT' ? `${dirname(level)} does not accept new directories` : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `${dirname(level)} is not writable` : String(code)
      throw homeError(home, `${why} (${code})`)
    }
  }
  try {
    accessSync(home, constants.W_OK | constants.X_OK)
  } catch (err) {
    throw homeError(home, `it is not writable (${(err as NodeJS.ErrnoException).code})`)
  }
}
