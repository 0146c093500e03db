// Where compiled TypeScript is cached, and whether that folder can be trusted.
// A cache entry is run as the code of whoever loads it, so the folder must be
// private to the current user: owned by them and not writable by group or
// others. A folder that is not is refused, and TypeScript is then compiled on
// every load without a cache: slower, never someone else's code.
//
// This runs once per registering thread (a realpath and a stat when the folder
// exists), not per file: the hooks only receive the verdict.
import { mkdirSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { PACKAGE_ROOT } from './layout.mjs'

/** Used when there is no usable home: inside the Strata package, where tools conventionally cache. */
export const PROJECT_CACHE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'strata')

/** Folders to try, in order: STRATA_TS_CACHE alone if set, else the XDG or home cache folder, then the project one. */
export function cacheCandidates(env = process.env) {
  if (env.STRATA_TS_CACHE) return [resolve(env.STRATA_TS_CACHE)]
  const xdg = env.XDG_CACHE_HOME
  // The XDG specification says a relative value is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return [join(xdg, 'strata'), PROJECT_CACHE]
  const home = userHome()
  return home ? [join(home, '.cache', 'strata'), PROJECT_CACHE] : [PROJECT_CACHE]
}

function userHome() {
  try {
    return homedir()
  } catch {
    return '' // no HOME and no passwd entry for this uid
  }
}

/**
 * The cache folder to use, created 0700 if missing: `{ dir }` with its real
 * path (so that a symlink swapped after the check cannot redirect reads), or
 * `{ dir: null, code, message }` when none can be used.
 */
export function openCacheDir(env = process.env) {
  const candidates = cacheCandidates(env)
  let failure
  for (const path of candidates) {
    let real, problem
    try {
      real = ensureDir(path)
      problem = untrusted(real)
    } catch (err) {
      failure ??= { path, reason: err.code ?? err.message }
      continue
    }
    // An unsafe folder is reported, not skipped for the next candidate: it
    // is the folder this user's configuration points at, and may have been
    // planted, so the user needs to hear about it.
    if (problem) {
      return {
        dir: null,
        code: 'STRATA_TS_CACHE_UNSAFE',
        message: `TypeScript cache folder ${path} ${problem.reason}; compiling without a cache. ${problem.fix}, or set STRATA_TS_CACHE to a private folder.`,
      }
    }
    return { dir: real }
  }
  return {
    dir: null,
    code: 'STRATA_TS_CACHE_UNAVAILABLE',
    message: `cannot create the TypeScript cache folder ${failure.path} (${failure.reason}); compiling without a cache. Set STRATA_TS_CACHE to a writable folder.`,
  }
}

function ensureDir(path) {
  try {
    return realpathSync.native(path)
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
  }
  mkdirSync(path, { recursive: true, mode: 0o700 })
  return realpathSync.native(path)
}

/** Why the folder must not be trusted and how to fix it, or undefined if it can be. */
export function untrusted(dir) {
  const st = statSync(dir)
  if (!st.isDirectory()) return { reason: 'is not a folder', fix: 'Remove it' }
  // Windows has no POSIX owner or mode bits to check; the per-user cache
  // folders there live in the user's own profile.
  if (process.platform === 'win32') return undefined
  const uid = process.geteuid()
  if (st.uid !== uid) return { reason: `is owned by uid ${st.uid}, not by the current user (uid ${uid})`, fix: 'Remove it' }
  if (st.mode & 0o022) return { reason: `is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`, fix: `Run chmod 700 ${dir}` }
  return undefined
}
