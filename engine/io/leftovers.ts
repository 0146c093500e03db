/**
 * Files a killed process leaves in a home: `objects/xx/<object>.tmp-PID-…`
 * (a value being written when the process died) and `strata.db.tmp-PID-…` (a
 * new database being built). Nothing refers to them and nothing would ever
 * remove them, so they are found here and removed once their writer is gone.
 */
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isRunOwnerAlive } from '../home.js'
import type { Storage } from '../storage/types.js'
import { OBJECT_FILE, TEMP_FILE } from './object-store.js'

export interface HomeFile {
  path: string
  size: number
  mtimeMs: number
}

export interface StoredObjectFile extends HomeFile {
  /** `objects/xx/<hash>.<ext>`, as materializations record it. */
  location: string
}

export interface TempFile extends HomeFile {
  pid: number
  /** A database under construction: judged by its process only, since no run exists yet. */
  database: boolean
}

const SHARD = /^[0-9a-f]{2}$/
const DATABASE_TEMP = /^strata\.db\.tmp-(\d+)-[0-9a-f]+(-wal|-shm|-journal)?$/

/**
 * Margin for coarse file-system timestamps and clock adjustments: a file
 * written just after a run started may carry a slightly earlier mtime. Only
 * delays removing files of live processes; those of dead ones go at once.
 */
const MTIME_SLACK_MS = 60_000

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

function stat(path: string): HomeFile | undefined {
  const s = statSync(path, { throwIfNoEntry: false })
  return s?.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined
}

/** Objects and temporary files of a home. Objects are only stat'ed when asked (gc needs them; the sweep does not). */
export function scanHome(home: string, opts: { objects?: boolean } = {}): { objects: StoredObjectFile[]; temps: TempFile[] } {
  const objects: StoredObjectFile[] = []
  const temps: TempFile[] = []
  for (const name of list(home)) {
    const m = DATABASE_TEMP.exec(name)
    const file = m ? stat(join(home, name)) : undefined
    if (m && file) temps.push({ ...file, pid: Number(m[1]), database: true })
  }
  for (const shard of list(join(home, 'objects'))) {
    if (!SHARD.test(shard)) continue
    for (const name of list(join(home, 'objects', shard))) {
      const temp = TEMP_FILE.exec(name)
      if (temp) {
        const file = stat(join(home, 'objects', shard, name))
        if (file) temps.push({ ...file, pid: Number(temp[1]), database: false })
      } else if (opts.objects && OBJECT_FILE.test(name)) {
        const file = stat(join(home, 'objects', shard, name))
        if (file) objects.push({ ...file, location: `objects/${shard}/${name}` })
      }
    }
  }
  return { objects, temps }
}

/**
 * No running step can own a file older than this: the start of the oldest
 * RUNNING run (runs of dead processes were failed when the home was opened),
 * or now when nothing runs.
 */
export async function liveSince(storage: Storage, now: number): Promise<number> {
  const running = await storage.listRuns({ status: 'RUNNING', limit: 100_000 })
  return running.reduce((min, r) => Math.min(min, r.startedAt), now) - MTIME_SLACK_MS
}

/** A temp whose writing process is gone (homes live on a local file system, so PIDs are this host's), or older than every live run. */
export function isStaleTemp(t: TempFile, cutoff: number): boolean {
  if (!isRunOwnerAlive(t.pid, hostname())) return true
  return !t.database && t.mtimeMs < cutoff
}

export interface Removed {
  files: number
  bytes: number
}

export function removeFiles(files: readonly HomeFile[]): Removed {
  let bytes = 0
  let count = 0
  for (const f of files) {
    try {
      rmSync(f.path)
      bytes += f.size
      count++
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  return { files: count, bytes }
}

/** Stale temporary files of a home, by the rules above. */
export async function staleTemps(home: string, storage: Storage, now: number): Promise<TempFile[]> {
  const { temps } = scanHome(home)
  if (temps.length === 0) return []
  const cutoff = await liveSince(storage, now)
  return temps.filter((t) => isStaleTemp(t, cutoff))
}

const MARKER = '.leftovers-checked'
/** Without a crash noticed, a home is scanned at most this often (a worker thread that died mid-write leaves a temp too). */
export const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000

/**
 * Called when a home is opened. Scans only when a crash was just noticed
 * (orphaned runs were failed) or the last scan is older than
 * SWEEP_INTERVAL_MS, so opening a home normally costs one stat.
 */
export async function sweepLeftovers(home: string, storage: Storage, opts: { afterCrash: boolean; now?: number }): Promise<Removed> {
  const now = opts.now ?? Date.now()
  const marker = join(home, MARKER)
  const last = statSync(marker, { throwIfNoEntry: false })?.mtimeMs
  if (!opts.afterCrash && last !== undefined && now - last < SWEEP_INTERVAL_MS) return { files: 0, bytes: 0 }
  const removed = removeFiles(await staleTemps(home, storage, now))
  try {
    if (last === undefined) writeFileSync(marker, '')
    else utimesSync(marker, new Date(now), new Date(now))
  } catch {
    // A read-only home still works; it is scanned again next time.
  }
  return removed
}
