import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { currentSyncBatch } from './sync-batch.js'

/** `<object>.tmp-PID-RANDOM`: an object being written by process PID (see writeObjectFile). */
export const TEMP_FILE = /\.tmp-(\d+)-[0-9a-f]+$/

/** Random per thread, then counted: unique names without drawing random bytes for every object. */
const tempSalt = randomBytes(4).toString('hex')
let tempCount = 0

export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${tempSalt}${(tempCount++).toString(16)}`
}

/** Flushes a file or directory to disk. */
export function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * The filesystem store's only write: `bytes` under a temporary name, renamed
 * into place, so a reader (or a crash) never sees a partial object. Rename
 * replaces atomically, so a concurrent writer of the same content is harmless.
 *
 * With `sync`, the file's bytes are flushed before the rename and the
 * directory after it, so once this returns the object survives a power loss
 * under its name: without the first flush, a file system may persist the
 * rename before the data (an empty or truncated object under a recorded
 * name); without the second, the rename itself may be lost. Inside a sync
 * batch (see withSyncBatch) a `sync` write stops after the temporary file:
 * the batch's flush does the rest, for all its objects together.
 */
// Synchronous file I/O on purpose: steps run on worker threads, where
// blocking is free and a sync call is several times cheaper than the
// open/stat/write/close round trips of fs/promises.
export function writeObjectFile(path: string, bytes: Uint8Array, opts: { sync?: boolean } = {}): void {
  const tmp = tempPathFor(path)
  const batch = opts.sync ? currentSyncBatch() : undefined
  try {
    if (batch) {
      // Left open for the batch's fsync: opening the file again costs as much as its write on a busy journal.
      const fd = openSync(tmp, 'w')
      try {
        writeAll(fd, bytes)
      } catch (err) {
        closeSync(fd)
        throw err
      }
      batch.addObject(tmp, path, dirname(path), bytes.byteLength, fd)
      return
    }
    writeFileSync(tmp, bytes)
    if (opts.sync) fsyncPath(tmp, 'r+')
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
  if (opts.sync) fsyncPath(dirname(path), 'r')
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done)
}
