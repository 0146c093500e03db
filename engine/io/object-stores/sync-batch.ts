/**
 * Durable object writes of several steps flushed together.
 *
 * A durable put on its own costs two fsyncs in a row (the file, then its
 * directory after the rename), the largest part of a trivial step. When a
 * worker thread runs several independent steps as one task, their objects
 * are instead written as temporary files and made durable together when the
 * task ends: the files' fsyncs run concurrently on libuv's threadpool (the
 * file system can then commit them in fewer journal transactions), each file
 * is renamed into place, and each distinct directory is fsynced once.
 *
 * The guarantees of a single put are kept at the batch's scale: an object is
 * visible under its name only once complete (renamed after its fsync), and
 * every object of the batch is durable before `withSyncBatch` resolves —
 * before the caller reports its steps done and their records commit.
 */
import { closeSync, fsync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs'

interface PendingObject {
  tmp: string
  path: string
  bytes: number
  /** The temp file, still open from its write (undefined once too many are open): fsynced, then closed, at the flush. */
  fd: number | undefined
}

/** Temp files kept open per batch at most; later ones are closed after their write and opened again to be flushed. */
const MAX_OPEN = 256

/** Writes waiting for the flush of the batch open on this thread. */
export class SyncBatch {
  /** By final path: one temp per path is enough, content addressing makes a second one identical. */
  private readonly objects = new Map<string, PendingObject>()
  /** Superseded temps of a path written again with `replace`: removed at the flush. */
  private readonly extraTemps: string[] = []
  private readonly dirs = new Set<string>()
  private readonly flushed: Array<() => void> = []

  private open = 0

  /**
   * Registers `tmp` (written, not yet flushed) to be fsynced and renamed to
   * `path`, then `path`'s directory fsynced. `fd`: the temp file's open
   * descriptor, which the batch now owns (it closes it).
   */
  addObject(tmp: string, path: string, dir: string, bytes: number, fd?: number): void {
    if (fd !== undefined && this.open >= MAX_OPEN) {
      closeSync(fd)
      fd = undefined
    }
    if (fd !== undefined) this.open++
    const earlier = this.objects.get(path)
    if (earlier) {
      this.closeTemp(earlier)
      this.extraTemps.push(earlier.tmp)
    }
    this.objects.set(path, { tmp, path, bytes, fd })
    this.dirs.add(dir)
  }

  private closeTemp(o: PendingObject): void {
    if (o.fd === undefined) return
    const fd = o.fd
    o.fd = undefined
    this.open--
    closeSync(fd)
  }

  /** A directory whose entries changed (a parent of a new shard directory), fsynced after the renames. */
  addDirectory(dir: string): void {
    this.dirs.add(dir)
  }

  /** Runs `fn` once the batch is durable (never if its flush fails). */
  onFlushed(fn: () => void): void {
    this.flushed.push(fn)
  }

  /** The temp file holding `path`'s content until the flush, if this batch writes it. */
  pending(path: string): { tmp: string; bytes: number } | undefined {
    return this.objects.get(path)
  }

  async flush(): Promise<void> {
    const objects = [...this.objects.values()]
    const unrenamed = new Set(objects.map((o) => o.tmp))
    try {
      for (const tmp of this.extraTemps) rmSync(tmp, { force: true })
      try {
        await fsyncAll(objects.map((o) => o.fd ?? o.tmp), 'r+')
      } finally {
        for (const o of objects) this.closeTemp(o)
      }
      for (const o of objects) {
        renameSync(o.tmp, o.path)
        unrenamed.delete(o.tmp)
      }
      await fsyncAll([...this.dirs], 'r')
    } catch (err) {
      for (const tmp of unrenamed) rmSync(tmp, { force: true })
      throw err
    }
    for (const fn of this.flushed) fn()
  }
}

/**
 * Flushes files or directories: several concurrently on libuv's threadpool,
 * a single one right here (a round trip through the threadpool only costs
 * when there is nothing to overlap it with, as in a batch of one step).
 * Waits for every fsync to end, so none is still running on a file about to
 * be removed, then fails with the first error.
 */
async function fsyncAll(targets: ReadonlyArray<string | number>, flags: 'r' | 'r+'): Promise<void> {
  if (targets.length === 1) return fsyncTarget(targets[0]!, flags, batchFsync)
  const results = await Promise.allSettled(targets.map((target) => fsyncTarget(target, flags, batchFsyncAsync)))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** `target`: a path, opened and closed here, or a descriptor its owner closes. */
async function fsyncTarget(target: string | number, flags: 'r' | 'r+', flush: (fd: number) => void | Promise<void>): Promise<void> {
  if (typeof target === 'number') return flush(target)
  const fd = openSync(target, flags)
  try {
    await flush(fd)
  } finally {
    closeSync(fd)
  }
}

let batchFsync: (fd: number) => void = fsyncSync
const realFsyncAsync = (fd: number): Promise<void> => new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())))
let batchFsyncAsync = realFsyncAsync

/**
 * Test seam: replaces the flush's fsync, run here or on the threadpool (to
 * count or fail them). Returns a function restoring the real one.
 */
export function setBatchFsyncForTests(fn: (fd: number) => void): () => void {
  batchFsync = fn
  batchFsyncAsync = async (fd) => fn(fd)
  return () => {
    batchFsync = fsyncSync
    batchFsyncAsync = realFsyncAsync
  }
}

let current: SyncBatch | undefined

/** The batch durable puts on this thread join now, if any. */
export function currentSyncBatch(): SyncBatch | undefined {
  return current
}

/**
 * Runs `fn` with the durable (`sync`) puts of filesystem stores on this
 * thread deferred to one flush when `fn` settles; resolves (or rejects with
 * `fn`'s error) only once that flush is done. Inside the batch an object is
 * not yet under its name on disk, though this thread's own store reads see
 * it. If the flush fails, no temp file of the batch is left, and the flush's
 * error rejects (when `fn` itself failed, its error does): the caller must
 * then treat every write of the batch as not done. A call inside a batch
 * joins it.
 *
 * The batch is the thread's, not `fn`'s: every durable put made on this
 * thread while `fn` runs joins it, so use it only where nothing else writes
 * objects meanwhile (a worker thread running one task at a time). Database
 * stores ignore batches: their puts are transactions already.
 */
export async function withSyncBatch<T>(fn: () => Promise<T>): Promise<T> {
  if (current) return fn()
  const batch = new SyncBatch()
  current = batch
  let result: T
  try {
    result = await fn()
  } catch (err) {
    current = undefined
    // Puts that returned are flushed as they promised; fn's error is the one the caller needs.
    await batch.flush().catch(() => undefined)
    throw err
  }
  current = undefined
  await batch.flush()
  return result
}
