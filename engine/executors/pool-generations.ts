import type { Piscina } from 'piscina'
import { ThreadGrowth } from './thread-growth.js'

/** The threads that imported one version of the definitions. */
export interface Generation {
  readonly version: string
  readonly pool: Piscina
  /** When this pool may start another thread (thread-growth.ts). */
  readonly growth: ThreadGrowth
  /** Steps handed to it and not finished yet. */
  running: number
}

/** How many superseded versions are remembered (see `acquire`); a long-lived daemon reloads often. */
const REMEMBERED = 256

/**
 * One piscina pool per version of the definitions' files. ESM modules cannot
 * be unloaded from a thread (a `?v=` import only adds a second copy, and not
 * of the modules it imports), so a changed file gets new threads instead:
 * the first step with a new version makes a new generation the current one,
 * and older generations are destroyed as soon as no step of theirs runs —
 * a run still going on the older files finishes on them.
 */
export class Generations {
  private readonly byVersion = new Map<string, Generation>()
  private current: string | undefined
  /** Versions that were current once: one coming back (a run planned before a change) never becomes current again. */
  private readonly seen = new Set<string>()
  threadsStarted = 0

  /** `maxThreads`: the limit each pool was created with. */
  constructor(
    private readonly create: () => Piscina,
    private readonly maxThreads: number,
  ) {}

  acquire(version = ''): Generation {
    let g = this.byVersion.get(version)
    if (!g) {
      const pool = this.create()
      pool.on('workerCreate', () => this.threadsStarted++)
      g = { version, pool, growth: new ThreadGrowth(() => pool.threads.length, this.maxThreads), running: 0 }
      this.byVersion.set(version, g)
      if (!this.seen.has(version)) this.makeCurrent(version)
    }
    g.running++
    return g
  }

  release(g: Generation): void {
    g.running--
    if (g.running === 0 && g.version !== this.current) this.retire(g)
  }

  /** Threads alive now, over all generations. */
  get threads(): number {
    let n = 0
    for (const g of this.byVersion.values()) n += g.pool.threads.length
    return n
  }

  async close(): Promise<void> {
    const all = [...this.byVersion.values()]
    this.byVersion.clear()
    for (const g of all) g.growth.releaseAll()
    await Promise.all(all.map((g) => g.pool.destroy()))
  }

  private makeCurrent(version: string): void {
    this.current = version
    this.seen.add(version)
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.values().next().value!)
    for (const g of [...this.byVersion.values()]) if (g.version !== version && g.running === 0) this.retire(g)
  }

  private retire(g: Generation): void {
    if (this.byVersion.get(g.version) !== g) return
    this.byVersion.delete(g.version)
    void g.pool.destroy().catch(() => {})
  }
}
