import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** File kinds a definitions module can import locally and that are followed. */
const SOURCE = /\.(ts|tsx|mts|js|mjs|jsx|json)$/
/** Files whose imports are read (JSON has none). */
const SCANNABLE = /\.(ts|tsx|mts|js|mjs|jsx)$/

// `import x from '…'`, `import { a,\n b } from "…"`, `import type … from`, `export * from '…'`, `import '…'`.
const STATIC_IMPORT = /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(['"])([^'"\n]+)\1/g
// `import('…')` with a literal.
const DYNAMIC_IMPORT = /(?:^|[^\w$.])import\s*\(\s*(['"])([^'"\n]+)\1\s*[,)]/g

export interface ImportGraph {
  /** Every local file reached from the entry, the entry first; absolute paths. */
  files: string[]
  /** Relative imports that resolve to no file yet (watched too, so creating them triggers a reload). */
  missing: string[]
}

export interface ScanOptions {
  /** Paths under these directories are never followed (e.g. the state directory). */
  ignoreDirs?: readonly string[]
}

/** The relative (or absolute / `file:`) module specifiers a source text imports. */
export function importSpecifiers(source: string): string[] {
  const out = new Set<string>()
  for (const re of [STATIC_IMPORT, DYNAMIC_IMPORT]) {
    re.lastIndex = 0
    for (let m = re.exec(source); m; m = re.exec(source)) {
      const spec = m[2]!
      if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/') || spec.startsWith('file:')) out.add(spec)
    }
  }
  return [...out]
}

/**
 * Candidate files for a specifier, in the order our loader tries them: from a
 * TypeScript file, `./x.js` is first `./x.ts`, then `./x.tsx` (TypeScript's
 * NodeNext convention), then `./x.js` itself.
 */
export function candidatesFor(specifier: string, fromFile: string): string[] {
  const bare = specifier.split(/[?#]/)[0]!
  const path = bare.startsWith('file:') ? fileURLToPath(bare) : isAbsolute(bare) ? bare : resolve(dirname(fromFile), bare)
  if (/\.js$/.test(path) && /\.(ts|tsx|mts)$/.test(fromFile)) return [path.slice(0, -3) + '.ts', path.slice(0, -3) + '.tsx', path]
  return [path]
}

const isIgnored = (path: string, ignoreDirs: readonly string[]) =>
  path.split(sep).includes('node_modules') || ignoreDirs.some((d) => path === d || path.startsWith(d.endsWith(sep) ? d : d + sep))

/**
 * Follows relative imports from `entry`, transitively, by reading the files
 * (no module is executed). Packages (`node_modules`) and `ignoreDirs` are not
 * followed. Unreadable files are kept in the list (they are watched) but not
 * scanned.
 */
export function scanImportGraph(entry: string, opts: ScanOptions = {}): ImportGraph {
  const ignoreDirs = (opts.ignoreDirs ?? []).map((d) => resolve(d))
  const files: string[] = []
  const missing = new Set<string>()
  const seen = new Set<string>()
  const queue = [resolve(entry)]
  while (queue.length) {
    const file = queue.shift()!
    if (seen.has(file)) continue
    seen.add(file)
    files.push(file)
    if (!SCANNABLE.test(file)) continue
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const spec of importSpecifiers(source)) {
      const candidates = candidatesFor(spec, file).filter((c) => SOURCE.test(c) && !isIgnored(c, ignoreDirs))
      const found = candidates.find((c) => existsSync(c))
      if (found) queue.push(found)
      else for (const c of candidates) missing.add(c)
    }
  }
  return { files, missing: [...missing].filter((m) => !seen.has(m)) }
}
