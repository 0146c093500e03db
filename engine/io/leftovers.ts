/**
 * What a killed process leaves behind: `strata.db.tmp-PID-…` in the home (a
 * new database being built) and the object store's partial writes (a
 * filesystem store's `objects/xx/<object>.tmp-PID-…`; a database store has
 * none, its writes are transactions). Nothing refers to them and nothing
 * would ever remove them, so they are found here and removed once their
 * writer is gone.
 */
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isRunOwnerAlive } from '../home.js'
import type { Storage } from '../storage/types.js'
import { FileObjectStore } from './object-stores/filesystem.js'
import type { Leftover, ObjectStore } from './object-stores/types.js'

export interface HomeFile {
  path: string
  size: number
  mtimeMs: number
}

/** A database under construction: judged by its process only, since no run exists yet. */
export interface DatabaseTemp extends HomeFile {
  pid: number
}

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

export function databaseTemps(home: string): DatabaseTemp[] {
  const temps: DatabaseTemp[] = []
  for (const name of list(home)) {
    const m = DATABASE_TEMP.exec(name)
    if (!m) continue
    const path = join(home, name)
    const s = statSync(path, { throwIfNoEntry: false })
    if (s?.isFile()) temps.push({ path, size: s.size, mtimeMs: s.mtimeMs, pid: Number(m[1]) })
  }
  return temps
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

/**
 * A partial object is stale when it is older than every live run, or when its
 * writer is gone — known only for this host's own store (PIDs are this
 * host's); in a shared store another host's writer may still be at work.
 */
export function isStaleLeftover(l: Leftover, cutoff: number): boolean {
  if (l.modifiedMs < cutoff) return true
  return !l.shared && !isRunOwnerAlive(l.pid, hostname())
}

export interface Removed {
  files: number
  bytes: number
}

export interface StaleLeftovers {
  databases: DatabaseTemp[]
  objects: Leftover[]
  store: ObjectStore
}

/** Stale temporary files of a home and its object store (the home's own files when none is given). */
export async function staleTemps(home: string, storage: Storage, now: number, objects: ObjectStore = new FileObjectStore(home)): Promise<StaleLeftovers> {
  const databases = databaseTemps(home).filter((t) => !isRunOwnerAlive(t.pid, hostname()))
  const partial = await objects.leftovers()
  if (partial.length === 0) return { databases, objects: [], store: objects }
  const cutoff = await liveSince(storage, now)
  return { databases, objects: partial.filter((l) => isStaleLeftover(l, cutoff)), store: objects }
}

export async function removeStale(stale: StaleLeftovers): Promise<Removed> {
  let files = 0
  let bytes = 0
  for (const f of stale.databases) {
    try {
      rmSync(f.path)
      files++
      bytes += f.size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  const objects = await stale.store.removeLeftovers(stale.objects)
  return { files: files + objects.count, bytes: bytes + objects.bytes }
}

const MARKER = '.leftovers-checked'
/** Without a crash noticed, a home is scanned at most this often (a worker thread that died mid-write leaves a temp too). */
export const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000

/**
 * Called when a home is opened. Scans only when a crash was just noticed
 * (orphaned runs were failed) or the last scan is older than
 * SWEEP_INTERVAL_MS, so opening a home normally costs one stat.
 */
export async function sweepLeftovers(home: string, storage: Storage, opts: { afterCrash: boolean; now?: number; objects?: ObjectStore }): Promise<Removed> {
  const now = opts.now ?? Date.now()
  const marker = join(home, MARKER)
  const last = statSync(marker, { throwIfNoEntry: false })?.mtimeMs
  if (!opts.afterCrash && last !== undefined && now - last < SWEEP_INTERVAL_MS) return { files: 0, bytes: 0 }
  const removed = await removeStale(await staleTemps(home, storage, now, opts.objects))
  try {
    if (last === undefined) writeFileSync(marker, '')
    else utimesSync(marker, new Date(now), new Date(now))
  } catch {
    // A read-only home still works; it is scanned again next time.
  }
  return removed
}
