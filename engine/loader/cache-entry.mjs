// One compiled file in the TypeScript cache. An entry is named after the hash
// of its source (with the path), and its first line repeats that hash next to
// the hash of the compiled output that follows:
//
//   // strata-ts/2 <source sha256> <output sha256>
//
// Both are checked on every read, so a truncated, corrupted, hand-edited or
// misplaced entry is compiled again and replaced, never run. The hashes are
// not secret: they catch damage, while keeping other users out is the job of
// the private folder (cache-dir.mjs).
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

// Bump when the compiler options or the entry layout change: older entries
// then simply stop matching.
const FORMAT = 'strata-ts/2'

const sha256 = (text) => createHash('sha256').update(text).digest('hex')

/** The key of a source file's entry: same path and same source, same compiled output. */
export function entryKey(path, source) {
  return sha256(`${FORMAT}\0${path}\0${source}`)
}

export function entryFile(dir, key) {
  return join(dir, `${key}.js`)
}

export function encodeEntry(key, code) {
  return `// ${FORMAT} ${key} ${sha256(code)}\n${code}`
}

/** `{ status: 'hit', code }`, `{ status: 'miss' }` (no entry) or `{ status: 'invalid' }` (an entry that fails a check). */
export function readEntry(dir, key) {
  let text
  try {
    text = readFileSync(entryFile(dir, key), 'utf8')
  } catch {
    return { status: 'miss' }
  }
  const newline = text.indexOf('\n')
  if (newline < 0) return { status: 'invalid' }
  const [slashes, format, sourceHash, outputHash, ...rest] = text.slice(0, newline).split(' ')
  if (slashes !== '//' || format !== FORMAT || rest.length > 0 || sourceHash !== key) return { status: 'invalid' }
  const code = text.slice(newline + 1)
  if (sha256(code) !== outputHash) return { status: 'invalid' }
  return { status: 'hit', code }
}

/**
 * Writes the entry atomically (a private temporary file renamed over the
 * final name), so a concurrent reader sees the old entry or the new one,
 * never half of one. Returns false if it could not: the cache is an
 * optimization, and a full disk must not fail the import.
 */
export function writeEntry(dir, key, code) {
  const tmp = join(dir, `.${key}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}.tmp`)
  try {
    writeFileSync(tmp, encodeEntry(key, code), { mode: 0o600, flag: 'wx' })
    renameSync(tmp, entryFile(dir, key))
    return true
  } catch {
    try {
      unlinkSync(tmp)
    } catch {}
    return false
  }
}
