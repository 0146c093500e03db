/**
 * Scans of the project's modules (see js-scan.ts), cached by content: in
 * memory for this process, and on disk in the TypeScript cache folder (the
 * private per-user folder the loader uses), so a process whose files did not
 * change since any earlier process never loads a parser. Each lookup still
 * reads the file, so an edit is always seen.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { hashCode, jsTokens, normalizeTokens } from '../../assets/code-version.js'
import { openCacheDir } from '../loader/cache-dir.mjs'
import { entryKey, readEntry } from '../loader/cache-entry.mjs'
import { compileOptions } from '../loader/compile-options.mjs'
import { scanModule, type ModuleScan } from './js-scan.js'

/** Bump when ModuleScan or the scanner's results change: older entries stop matching. */
const FORMAT = 'strata-code-scan/7'

export interface ModuleEntry {
  /** Absent when the file is data (JSON) or could not be parsed: then only `hash` counts. */
  scan?: ModuleScan
  /** The whole file, normalized (JSON by value, code without comments and formatting). */
  hash: string
}

const TYPESCRIPT = /\.(ts|tsx|mts)$/
const JAVASCRIPT = /\.(js|mjs|cjs|jsx)$/

const memory = new Map<string, { key: string; entry: ModuleEntry }>()
let folders: { loader: string | null; scans: string | null } | undefined

function cacheFolders(): { loader: string | null; scans: string | null } {
  if (!folders) {
    const opened = openCacheDir()
    let scans = opened.dir === null ? null : join(opened.dir, 'code-scan')
    try {
      if (scans) mkdirSync(scans, { recursive: true, mode: 0o700 })
    } catch {
      scans = null
    }
    folders = { loader: opened.dir, scans }
  }
  return folders
}

const keyOf = (path: string, source: string) => createHash('sha256').update(`${FORMAT}\0${path}\0${source}`).digest('hex')

/** What a file's entry is keyed by: its path and content (undefined when it cannot be read). */
export function contentKey(path: string): string | undefined {
  try {
    return keyOf(path, readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** The private folder for code-version caches, or null when there is none (see engine/loader/cache-dir.mjs). */
export function codeCacheDir(): string | null {
  return cacheFolders().scans
}

/** The module's entry, or undefined when the file cannot be read. */
export function moduleEntry(path: string): ModuleEntry | undefined {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const key = keyOf(path, source)
  const known = memory.get(path)
  if (known?.key === key) return known.entry
  let entry = readDisk(key)
  if (!entry) {
    entry = build(path, source)
    writeDisk(key, entry)
  }
  memory.set(path, { key, entry })
  return entry
}

function readDisk(key: string): ModuleEntry | undefined {
  const dir = cacheFolders().scans
  if (!dir) return undefined
  try {
    const stored = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as { key?: unknown; entry?: ModuleEntry }
    if (stored.key !== key || typeof stored.entry?.hash !== 'string') return undefined
    return stored.entry
  } catch {
    return undefined
  }
}

function writeDisk(key: string, entry: ModuleEntry): void {
  const dir = cacheFolders().scans
  if (!dir) return
  const tmp = join(dir, `.${key}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}.tmp`)
  try {
    writeFileSync(tmp, JSON.stringify({ key, entry }), { mode: 0o600, flag: 'wx' })
    renameSync(tmp, join(dir, `${key}.json`))
  } catch {
    try {
      unlinkSync(tmp)
    } catch {}
  }
}

function build(path: string, source: string): ModuleEntry {
  if (path.endsWith('.json')) {
    try {
      return { hash: hashCode(JSON.stringify(JSON.parse(source))) }
    } catch {
      return { hash: hashCode(source) }
    }
  }
  if (!TYPESCRIPT.test(path) && !JAVASCRIPT.test(path)) return { hash: hashCode(source) }
  const text = TYPESCRIPT.test(path) ? compiled(path, source) : source
  try {
    const scan = scanModule(text)
    return { scan, hash: scan.hash }
  } catch {
    // Valid for Node but not for the parser (a syntax newer than it): the module counts as a whole.
    return { hash: hashCode(normalizeTokens(jsTokens(text))) }
  }
}

/** The loader's output for a TypeScript file: from its cache, else compiled the same way. */
function compiled(path: string, source: string): string {
  const dir = cacheFolders().loader
  if (dir) {
    const cached = readEntry(dir, entryKey(path, source))
    if (cached.status === 'hit') return cached.code
  }
  const { transform } = createRequire(import.meta.url)('sucrase') as { transform(code: string, options: object): { code: string } }
  return transform(source, compileOptions(path)).code
}

/** Forgets what this process scanned and which cache folder it chose (benchmarks measure cold starts with it). */
export function clearModuleCache(): void {
  memory.clear()
  folders = undefined
}
