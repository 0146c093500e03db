import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'

/** `--home`, else `STRATA_HOME`, else `.strata/` beside the definitions file. */
export function resolveHome(defsPath: string, home?: string, env: NodeJS.ProcessEnv = process.env): string {
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
