/**
 * Latest check results for the detail pane, read from storage only for the
 * assets that are looked at. An asset whose status was recomputed (a run
 * touched it) is read again; until then its previous results stay on screen.
 */
import { readLatestChecks, type CheckResultRecord, type Workspace } from '../../engine/index.js'
import type { CheckView } from './model.js'

interface Entry {
  results?: readonly CheckView[]
  /** A read in flight. */
  reading: boolean
  /** Status changed since the last read. */
  stale: boolean
}

export function checkView(r: CheckResultRecord): CheckView {
  return { name: r.checkName, partitionKey: r.partitionKey, status: r.passed ? 'passed' : r.blocking ? 'failed' : 'warned', message: r.message, at: r.ts, runId: r.runId }
}

export class CheckCache {
  private readonly entries = new Map<string, Entry>()

  constructor(
    /** Called when results arrive. */
    private readonly changed: () => void,
    private readonly failed: (key: string, err: unknown) => void,
  ) {}

  /** The results known for `key` (undefined until the first read is in), reading them when missing or stale. */
  get(ws: Workspace, key: string): readonly CheckView[] | undefined {
    let e = this.entries.get(key)
    if (!e) this.entries.set(key, (e = { reading: false, stale: true }))
    if (e.stale && !e.reading) {
      const entry = e
      entry.reading = true
      entry.stale = false
      readLatestChecks(ws, key).then(
        (records) => {
          if (this.entries.get(key) !== entry) return
          entry.results = records.map(checkView)
          entry.reading = false
          this.changed()
        },
        (err) => {
          if (this.entries.get(key) !== entry) return
          entry.reading = false
          entry.results ??= []
          this.failed(key, err)
        },
      )
    }
    return e.results
  }

  /** Marks assets whose status was recomputed: their results are read again when next shown. */
  invalidate(keys: Iterable<string>): void {
    for (const k of keys) {
      const e = this.entries.get(k)
      if (e) e.stale = true
    }
  }

  clear(): void {
    this.entries.clear()
  }
}
