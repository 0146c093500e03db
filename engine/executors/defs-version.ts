import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { scanImportGraph } from '../watch/import-graph.js'

interface Known {
  /** Each file the definitions import (and the ones they import that do not exist yet), with its stat stamp. */
  files: Array<{ path: string; stamp: string }>
  version: string
}

const known = new Map<string, Known>()

function stampOf(path: string): string {
  const s = statSync(path, { throwIfNoEntry: false })
  return s ? `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}` : '-'
}

/** The installs a definitions module's packages come from: an `npm install` changes them. */
function lockFiles(defsPath: string): string[] {
  for (let dir = dirname(defsPath); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return [join(dir, 'package.json'), join(dir, 'package-lock.json'), join(dir, 'node_modules', '.package-lock.json')]
    if (dirname(dir) === dir) return []
  }
}

/**
 * A content hash of the files a definitions module is made of: the module,
 * the local modules it imports transitively (as `strata dev` watches them)
 * and the project's package manifests. A warm pool keeps its threads while
 * this stays the same and starts new ones when it changes.
 *
 * Called once per run, so it is cheap when nothing changed: the files are
 * only stat'ed, and read again only when one's stat differs (touching a
 * file without changing it keeps the version).
 */
export function definitionsVersion(defsPath: string, opts: { ignoreDirs?: readonly string[] } = {}): string {
  const cached = known.get(defsPath)
  if (cached && cached.files.every((f) => stampOf(f.path) === f.stamp)) return cached.version
  const graph = scanImportGraph(defsPath, { ignoreDirs: opts.ignoreDirs })
  const hash = createHash('sha256')
  const files: Known['files'] = []
  for (const path of [...graph.files, ...graph.missing, ...lockFiles(defsPath)]) {
    // Stamped before reading: a write in between makes the next call look again.
    const stamp = stampOf(path)
    files.push({ path, stamp })
    let content = ''
    try {
      content = stamp === '-' ? '' : readFileSync(path, 'utf8')
    } catch {}
    hash.update(`${path}\0${stamp === '-' ? 'missing' : content}\0`)
  }
  const version = hash.digest('hex').slice(0, 16)
  known.set(defsPath, { files, version })
  return version
}
