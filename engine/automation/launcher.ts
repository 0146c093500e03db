/**
 * Launches queued run requests, oldest first, at most `maxConcurrentRuns` at
 * a time, through the public `materialize()` on an executor it is given (a
 * warm pool shared by every run) or makes once.
 *
 * Exactly once: a request is marked LAUNCHED before its run starts, and the
 * run is created with the id the request recorded. After a crash, a request
 * whose run exists was launched (it is only followed to its end); one whose
 * run does not exist never started and is launched now — never twice.
 */
import type { Executor } from '../executors/types.js'
import { materialize } from '../materialize.js'
import type { AutomationRequestRecord } from '../storage/types.js'
import type { Workspace } from '../workspace.js'
import type { Clock } from './clock.js'
import type { DaemonEvent } from './events.js'

export interface LauncherOptions {
  ws: Workspace
  clock: Clock
  maxConcurrentRuns: number
  /** Runs use it and leave it open. @defaultValue a warm worker pool (its threads keep the imported definitions between runs), made on the first launch and closed by close() */
  executor?: Executor
  /** Each run's limit (`defineDefinitions({ automation: { runTimeoutMs } })`): past it the run is canceled. */
  runTimeoutMs?: number
  onEvent?: (e: DaemonEvent) => void
}

export class Launcher {
  private readonly running = new Map<number, Promise<void>>()
  private own: Executor | undefined
  private maxConcurrentRuns: number

  constructor(private readonly opts: LauncherOptions) {
    this.maxConcurrentRuns = opts.maxConcurrentRuns
  }

  /** Runs this launcher started that have not finished. */
  get active(): number {
    return this.running.size
  }

  /**
   * Brings requests in line with the runs that exist (call once, at daemon
   * start, before ticking): LAUNCHED requests whose run never got created are
   * launched, those whose run ended are DONE.
   */
  async recover(): Promise<number> {
    let relaunched = 0
    for (const r of await this.opts.ws.storage.listAutomationRequests({ statuses: ['LAUNCHED'] })) {
      const run = await this.opts.ws.storage.getRun(r.runId)
      if (!run) {
        this.start(r)
        relaunched++
      } else if (run.status !== 'RUNNING') await this.finish(r, run.status)
    }
    return relaunched
  }

  /** Launches what the limit allows; returns how many runs it started. */
  async pump(): Promise<number> {
    const { storage } = this.opts.ws
    const open = await storage.listAutomationRequests({ statuses: ['QUEUED', 'LAUNCHED'] })
    let active = 0
    for (const r of open) {
      if (r.status !== 'LAUNCHED') continue
      if (this.running.has(r.requestId)) {
        active++
        continue
      }
      // Launched by an earlier daemon (or definitions) whose run may have ended since.
      const run = await storage.getRun(r.runId)
      if (run && run.status !== 'RUNNING') await this.finish(r, run.status)
      else active++
    }
    let started = 0
    for (const r of open) {
      if (r.status !== 'QUEUED' || active >= this.maxConcurrentRuns) continue
      const run = await storage.getRun(r.runId)
      if (run) {
        // Its run started before a crash recorded the launch.
        await storage.setAutomationRequestStatus(r.requestId, 'LAUNCHED', this.opts.clock.now().getTime())
        if (run.status !== 'RUNNING') await this.finish(r, run.status)
        else active++
        continue
      }
      await storage.setAutomationRequestStatus(r.requestId, 'LAUNCHED', this.opts.clock.now().getTime())
      this.start(r)
      active++
      started++
    }
    return started
  }

  setMaxConcurrentRuns(n: number): void {
    this.maxConcurrentRuns = n
  }

  /** Resolves when every run this launcher started has ended. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()])
  }

  async close(): Promise<void> {
    await this.idle()
    await this.own?.close()
    this.own = undefined
  }

  private async executor(): Promise<Executor> {
    if (this.opts.executor) return this.opts.executor
    if (!this.own) {
      const { createExecutor } = await import('../executors/index.js')
      this.own = createExecutor('pool', { keepAlive: true })
    }
    return this.own
  }

  private start(r: AutomationRequestRecord): void {
    const { ws, clock } = this.opts
    this.opts.onEvent?.({ type: 'launch', requestId: r.requestId, runId: r.runId, selection: r.selection, partitionKeys: r.partitionKeys, reason: r.reason })
    const done = (async () => {
      let status: string
      try {
        const result = await materialize(ws, {
          selection: r.assetKeys,
          ...(r.partitionKeys ? { partitions: { keys: r.partitionKeys } } : {}),
          runId: r.runId,
          tags: r.tags,
          executor: await this.executor(),
          now: clock.now(),
          description: r.selection,
          ...(this.opts.runTimeoutMs !== undefined ? { runTimeoutMs: this.opts.runTimeoutMs } : {}),
        })
        status = result.runId ? result.status : 'NOTHING_TO_DO'
      } catch (err) {
        status = `NOT_LAUNCHED: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
      }
      try {
        await this.finish(r, status)
      } catch (err) {
        // Storage closed under a stopping daemon: the next start reconciles the request with its run.
        this.opts.onEvent?.({ type: 'error', message: `could not record the end of request ${r.requestId}: ${err instanceof Error ? err.message : String(err)}` })
      }
    })()
    const tracked = done.finally(() => this.running.delete(r.requestId))
    this.running.set(r.requestId, tracked)
  }

  private async finish(r: AutomationRequestRecord, status: string): Promise<void> {
    await this.opts.ws.storage.setAutomationRequestStatus(r.requestId, 'DONE', this.opts.clock.now().getTime(), status)
    this.opts.onEvent?.({ type: 'run-end', requestId: r.requestId, runId: r.runId, selection: r.selection, status })
  }
}
