import { watch, type FSWatcher } from 'chokidar'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export interface FileWatcher {
  /** Watches exactly these files from now on; returns what was added and removed. */
  setFiles(files: readonly string[]): { added: string[]; removed: string[] }
  /** The watched files, in the order given. */
  files(): string[]
  close(): Promise<void>
}

/**
 * Watches a changing set of individual files (chokidar). A file that does not
 * exist yet is watched too: creating it reports a change, even in a folder
 * that does not exist yet either (its nearest existing ancestor is watched,
 * one level deep, until the folder appears). Editors that save by writing a
 * temp file and renaming it over the original are handled (chokidar's
 * atomic-write detection).
 */
export function createFileWatcher(onChange: (file: string) => void): FileWatcher {
  let watched = new Set<string>()
  /** Watched files whose folder is missing. */
  let homeless = new Set<string>()
  let ancestors = new Set<string>()
  const files: FSWatcher = watch([], { ignoreInitial: true, persistent: true })
  const folders: FSWatcher = watch([], { ignoreInitial: true, persistent: true, depth: 0 })
  files.on('all', (event, path) => {
    if (event === 'add' || event === 'change' || event === 'unlink') {
      const file = resolve(path)
      if (watched.has(file)) onChange(file)
    }
  })
  folders.on('addDir', () => rehome())
  // An unreadable directory or too many watches must not take the session down; the next reload rescans.
  files.on('error', () => {})
  folders.on('error', () => {})

  const nearestExisting = (dir: string): string | undefined => {
    for (let d = dir; ; d = dirname(d)) {
      if (existsSync(d)) return d
      if (dirname(d) === d) return undefined
    }
  }

  /** Files whose folder now exists are watched afresh (and reported if they exist already); ancestors follow. */
  function rehome(): void {
    const next = new Set<string>()
    for (const file of homeless) {
      if (!existsSync(dirname(file))) {
        next.add(file)
        continue
      }
      files.unwatch(file)
      files.add(file)
      if (existsSync(file)) onChange(file)
    }
    homeless = next
    const dirs = new Set<string>()
    for (const file of homeless) {
      const dir = nearestExisting(dirname(file))
      if (dir) dirs.add(dir)
    }
    const gone = [...ancestors].filter((d) => !dirs.has(d))
    const fresh = [...dirs].filter((d) => !ancestors.has(d))
    ancestors = dirs
    if (gone.length) folders.unwatch(gone)
    if (fresh.length) folders.add(fresh)
  }

  return {
    setFiles(list) {
      const next = new Set(list.map((f) => resolve(f)))
      const added = [...next].filter((f) => !watched.has(f))
      const removed = [...watched].filter((f) => !next.has(f))
      watched = next
      if (removed.length) files.unwatch(removed)
      if (added.length) files.add(added)
      homeless = new Set([...watched].filter((f) => !existsSync(dirname(f))))
      rehome()
      return { added, removed }
    },
    files: () => [...watched],
    close: async () => {
      await Promise.all([files.close(), folders.close()])
    },
  }
}
