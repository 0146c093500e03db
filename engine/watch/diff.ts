import type { Components } from '../versioning/code-graph.js'
import { describeChanges, diffComponents } from '../versioning/version-diff.js'
import type { CodeVersionChange } from './types.js'

/** What the session keeps of a good load: plain data, so it crosses threads and outlives the worker. */
export interface DefinitionsSnapshot {
  /** Asset key → code version, in declaration order. */
  codeVersions: Record<string, string>
  /** Asset key → what its version is made of (assets with an automatic version). */
  components?: Record<string, Components>
}

export interface DefinitionsDiff {
  changed: CodeVersionChange[]
  added: string[]
  removed: string[]
}

/** Code versions that changed between two good loads (with what changed in them), and assets added and removed (each in declaration order). */
export function diffDefinitions(previous: DefinitionsSnapshot, current: DefinitionsSnapshot): DefinitionsDiff {
  const before = previous.codeVersions
  const after = current.codeVersions
  const changed: CodeVersionChange[] = []
  const added: string[] = []
  for (const [key, version] of Object.entries(after)) {
    if (!Object.hasOwn(before, key)) added.push(key)
    else if (before[key] !== version) {
      const was = previous.components?.[key]
      const now = current.components?.[key]
      const changes = was && now ? describeChanges(diffComponents(was, now)) : []
      changed.push({ key, previous: before[key]!, current: version, ...(changes.length ? { changes } : {}) })
    }
  }
  const removed = Object.keys(before).filter((key) => !Object.hasOwn(after, key))
  return { changed, added, removed }
}
