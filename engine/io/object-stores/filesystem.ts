import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, type Stats } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { OBJECT_FILE } from './location.js'
import { missingObjectError } from './missing.js'
import type { DeleteGuard, Leftover, ObjectInfo, ObjectStore, PutOptions, Removed } from './types.js'
import { currentSyncBatch } from './sync-batch.js'
import { fsyncPath, TEMP_FILE, tempPathFor, writeObjectFile } from './write-file.js'

const SHARD = /^[0-9a-f]{2}$/
const CHUNK_BYTES = 1024 * 1024

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

/**
 * Whether an identical object is already stored. Reusing it refreshes its
 * mtime: gc only deletes unreferenced objects older than its grace period,
 * so an old object a step is about to record again must look new. If gc
 * moved it aside meanwhile, utimes fails and the object is written anew.
 */
function reuseStored(path: string, size: number): boolean {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.size !== size) return false
    const now = new Date()
    utimesSync(path, now, now)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return false
    // Someone else's file in a shared directory: reuse it untouched rather than fail the step.
    if (code === 'EPERM' || code === 'EACCES') return true
    throw err
  }
}

/** This thread's own reads see the objects its open sync batch has yet to rename into place. */
function pendingStat(path: string): Stats | undefined {
  const pending = currentSyncBatch()?.pending(path)
  return pending ? statSync(pending.tmp, { throwIfNoEntry: false }) : undefined
}

/**
 * Objects as files under a root directory: location `objects/xx/<hash>.<ext>`
 * is the file `<root>/objects/xx/<hash>.<ext>`. The root is the home by
 * default (as homes always stored them), or any directory — a shared volume
 * makes the objects reachable from every host.
 */
export class FileObjectStore implements ObjectStore {
  readonly spec: string
  readonly description: string
  /** Directories known to exist durably: puts into them skip mkdir. */
  private readonly madeDirs = new Set<string>()
  /** Directories created here whose parents' fsync has not succeeded yet, with the topmost one created. */
  private readonly unflushedDirs = new Map<string, string>()

  /** `shared`: other hosts may write here, so a temporary file is judged by its age, not by whether its process runs on this host. */
  constructor(
    root: string,
    readonly shared = false,
  ) {
    this.spec = resolve(root)
    this.description = this.spec
  }

  pathOf(location: string): string {
    return join(this.spec, location)
  }

  async put(location: string, bytes: Uint8Array, opts: PutOptions = {}): Promise<{ written: boolean }> {
    const path = this.pathOf(location)
    const sync = opts.sync ?? true
    const batch = sync ? currentSyncBatch() : undefined
    // Already written by this batch (same name, so same content): once is enough.
    if (!opts.replace && batch?.pending(path)?.bytes === bytes.byteLength) return { written: true }
    if (!opts.replace && reuseStored(path, bytes.byteLength)) return { written: false }
    const dir = join(path, '..')
    if (!this.madeDirs.has(dir)) {
      // A directory this store created but whose parents were never flushed (a batch pending or failed) is still new.
      const created = mkdirSync(dir, { recursive: true }) ?? this.unflushedDirs.get(dir)
      // New directories are entries in their parents: flushed too, or the object's directory could vanish.
      if (created !== undefined && sync) {
        this.unflushedDirs.set(dir, created)
        for (let d = dirname(dir); ; d = dirname(d)) {
          if (batch) batch.addDirectory(d)
          else fsyncPath(d, 'r')
          if (d === dirname(created) || d === dirname(d)) break
        }
      }
      const made = () => {
        this.unflushedDirs.delete(dir)
        this.madeDirs.add(dir)
      }
      if (batch) batch.onFlushed(made)
      else made()
    }
    writeObjectFile(path, bytes, { sync })
    return { written: true }
  }

  async get(location: string): Promise<Uint8Array> {
    const path = this.pathOf(location)
    try {
      return readFileSync(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      const pending = currentSyncBatch()?.pending(path)
      if (pending) return readFileSync(pending.tmp)
      throw missingObjectError(location, this.description)
    }
  }

  async *stream(location: string): AsyncIterable<Uint8Array> {
    const path = this.pathOf(location)
    // Chosen before reading: a stream cannot start over from the pending copy once it has yielded.
    const pending = currentSyncBatch()?.pending(path)
    const file = pending && !existsSync(path) ? pending.tmp : path
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) yield chunk as Uint8Array
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missingObjectError(location, this.description)
      throw err
    }
  }

  async stat(location: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(location)
    const s = statSync(path, { throwIfNoEntry: false }) ?? pendingStat(path)
    return s?.isFile() ? { location, bytes: s.size, modifiedMs: s.mtimeMs } : undefined
  }

  async *list(): AsyncIterable<ObjectInfo> {
    for (const { location, name } of this.files()) {
      if (!OBJECT_FILE.test(name)) continue
      const info = await this.stat(location)
      if (info) yield info
    }
  }

  /** Gc's protocol on files: each candidate is renamed aside (a concurrent put then writes a new copy), checked, and put back or removed. */
  async delete(locations: readonly string[], guard: DeleteGuard): Promise<Removed> {
    const aside: Array<{ location: string; path: string; moved: string }> = []
    for (const location of locations) {
      const path = this.pathOf(location)
      const moved = tempPathFor(path)
      try {
        renameSync(path, moved)
        aside.push({ location, path, moved })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    if (aside.length === 0) return { count: 0, bytes: 0 }
    const referenced = await guard.referenced()
    let count = 0
    let bytes = 0
    for (const a of aside) {
      const s = statSync(a.moved)
      if (referenced.has(a.location) || s.mtimeMs >= guard.olderThanMs) {
        // Identical content under the same name, so replacing a copy written meanwhile is harmless.
        renameSync(a.moved, a.path)
        continue
      }
      rmSync(a.moved)
      count++
      bytes += s.size
    }
    return { count, bytes }
  }

  async leftovers(): Promise<Leftover[]> {
    const found: Leftover[] = []
    for (const { location, name } of this.files()) {
      const temp = TEMP_FILE.exec(name)
      if (!temp) continue
      const s = statSync(this.pathOf(location), { throwIfNoEntry: false })
      if (s?.isFile()) found.push({ id: location, bytes: s.size, modifiedMs: s.mtimeMs, pid: Number(temp[1]), shared: this.shared })
    }
    return found
  }

  async removeLeftovers(items: readonly Leftover[]): Promise<Removed> {
    let count = 0
    let bytes = 0
    for (const item of items) {
      try {
        rmSync(this.pathOf(item.id))
        count++
        bytes += item.bytes
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    return { count, bytes }
  }

  async close(): Promise<void> {}

  private *files(): Iterable<{ location: string; name: string }> {
    for (const shard of list(join(this.spec, 'objects'))) {
      if (!SHARD.test(shard)) continue
      for (const name of list(join(this.spec, 'objects', shard))) yield { location: `objects/${shard}/${name}`, name }
    }
  }
}
