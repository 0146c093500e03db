import type { MaterializationRecord, MaterializationToRecord, Storage } from '../storage/types.js'
import type { EventWriter } from './event-writer.js'

/** @defaultValue see GroupCommit's constructor */
export interface GroupCommitOptions {
  /** Materializations per transaction at most; a full batch is written at once. @defaultValue 256 */
  maxBatch?: number
  /** How long a recorded step may wait for others to share its transaction. @defaultValue 20 ms */
  maxDelayMs?: number
}

interface Pending {
  entries: readonly MaterializationToRecord[]
  resolve: (records: MaterializationRecord[]) => void
  reject: (err: unknown) => void
}

/**
 * Group commit: the materializations of several finished steps (with their
 * lineage, partition states, check results and events, and the run's
 * buffered events) are written in one transaction, not one each — most of a
 * trivial step's cost was its commit.
 *
 * The guarantees stay those of one transaction per step: `record` resolves
 * only once its materializations are committed, so nothing is reported done,
 * no downstream step reads its inputs and nothing becomes latest before the
 * commit; a crash before it loses only steps never reported done (their
 * attempts stay IN_PROGRESS until the run is found dead, and a resume runs
 * them again). A batch that fails is retried step by step, so one bad record
 * fails its own step only.
 *
 * The run flushes as soon as waiting would leave the executor idle; a full
 * batch or `maxDelayMs` flushes otherwise.
 */
export class GroupCommit {
  private queue: Pending[] = []
  private queued = 0
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  private readonly maxBatch: number
  private readonly maxDelayMs: number
  /** Transactions written, for benchmarks and tests. */
  commits = 0

  constructor(
    private readonly storage: Storage,
    private readonly events: EventWriter,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 256
    this.maxDelayMs = opts.maxDelayMs ?? 20
  }

  /** Steps waiting for their commit. */
  get pending(): number {
    return this.queue.length
  }

  /** Queues one step's materializations; resolves with their records once committed. */
  record(entries: readonly MaterializationToRecord[]): Promise<MaterializationRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject })
      this.queued += entries.length
      if (this.queued >= this.maxBatch) void this.flush()
      else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs)
    })
  }

  /** Writes everything queued so far (after any write under way); resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const batch = this.queue
    if (batch.length === 0) return this.writing
    this.queue = []
    this.queued = 0
    // write() settles every step of its batch itself; the chain never rejects, so later batches are always written.
    this.writing = this.writing.then(() => this.write(batch)).catch((err: unknown) => {
      for (const p of batch) p.reject(err)
    })
    return this.writing
  }

  private async write(batch: Pending[]): Promise<void> {
    // The run's buffered events (STEP_START, logs) go first, in the same transaction: they precede these records.
    const preceding = await this.events.take()
    let records: MaterializationRecord[]
    try {
      records = await this.storage.recordMaterializations(
        batch.flatMap((p) => p.entries),
        preceding.length ? { precedingEvents: preceding } : undefined,
      )
      this.commits++
    } catch {
      this.events.giveBack(preceding)
      // Nothing was stored: record step by step, so only the step whose record cannot be stored fails.
      for (const p of batch) {
        try {
          const own = await this.storage.recordMaterializations(p.entries)
          this.commits++
          p.resolve(own)
        } catch (err) {
          p.reject(err)
        }
      }
      return
    }
    let at = 0
    for (const p of batch) {
      p.resolve(records.slice(at, at + p.entries.length))
      at += p.entries.length
    }
  }
}
