/**
 * The code components of every compute of a definitions file, kept on disk
 * with the content key of every file they were derived from (the project's
 * modules and the package manifests consulted). When none of those files
 * changed, a command reads each of them once to check, and takes every
 * compute's components from here: no scan, no walk. Any change, and the
 * components are derived again (from the per-module scans, mostly cached).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import type { Components } from './code-graph.js'
import { codeCacheDir, contentKey } from './module-cache.js'

const FORMAT = 'strata-code-project/1'

export interface CachedCompute {
  components: Components
  /** The hash of the compute's normalized text, when it was found in a project module. */
  compute?: string
}

interface Stored {
  format: string
  defsPath: string
  files: Record<string, string>
  computes: Record<string, CachedCompute>
}

function fileOf(defsPath: string): string | undefined {
  const dir = codeCacheDir()
  return dir ? join(dir, 'projects', `${createHash('sha256').update(defsPath).digest('hex').slice(0, 32)}.json`) : undefined
}

export class ProjectCache {
  private dirty = false

  private constructor(
    private readonly defsPath: string,
    /** Null when the stored files changed (or nothing was stored): every compute is derived again. */
    private readonly computes: Record<string, CachedCompute>,
    private readonly valid: boolean,
  ) {}

  /** The stored components, if every file they depend on is unchanged. */
  static open(defsPath: string): ProjectCache {
    const file = fileOf(defsPath)
    try {
      const stored = JSON.parse(readFileSync(file!, 'utf8')) as Stored
      if (stored.format === FORMAT && stored.defsPath === defsPath && Object.entries(stored.files).every(([path, key]) => (contentKey(path) ?? '') === key)) {
        return new ProjectCache(defsPath, stored.computes, true)
      }
    } catch {}
    return new ProjectCache(defsPath, {}, false)
  }

  get(fingerprint: string): CachedCompute | undefined {
    return this.valid ? this.computes[fingerprint] : undefined
  }

  set(fingerprint: string, value: CachedCompute): void {
    this.computes[fingerprint] = value
    this.dirty = true
  }

  /** Writes what was derived, with the files it was derived from (atomically; a cache that cannot be written is skipped). */
  save(files: Record<string, string>): void {
    const file = fileOf(this.defsPath)
    if (!this.dirty || !file) return
    const stored: Stored = { format: FORMAT, defsPath: this.defsPath, files, computes: this.computes }
    const tmp = `${file}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}.tmp`
    try {
      mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 })
      writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600, flag: 'wx' })
      renameSync(tmp, file)
    } catch {
      try {
        unlinkSync(tmp)
      } catch {}
    }
  }
}
