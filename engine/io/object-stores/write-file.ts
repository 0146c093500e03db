import { randomBytes } from 'node:crypto'
import { renameSync, rmSync, writeFileSync } from 'node:fs'

/** `<object>.tmp-PID-RANDOM`: an object being written by process PID (see writeObjectFile). */
export const TEMP_FILE = /\.tmp-(\d+)-[0-9a-f]+$/

export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
}

/**
 * The filesystem store's only write: `bytes` under a temporary name, renamed
 * into place, so a reader (or a crash) never sees a partial object. Rename
 * replaces atomically, so a concurrent writer of the same content is harmless.
 */
// Synchronous file I/O on purpose: steps run on worker threads, where
// blocking is free and a sync call is several times cheaper than the
// open/stat/write/close round trips of fs/promises.
export function writeObjectFile(path: string, bytes: Uint8Array): void {
  const tmp = tempPathFor(path)
  try {
    writeFileSync(tmp, bytes)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}
