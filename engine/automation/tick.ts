/**
 * The automation engine of one set of loaded definitions: each tick
 * evaluates the conditions, the due schedule ticks and the due sensors,
 * commits each with what it requested, then launches what the run limit
 * allows. Everything it needs between ticks is in storage, so a new engine
 * (a restart, reloaded definitions) picks up where the last one stopped.
 */
import type { AssetLogger } from '../../assets/types.js'
import type { Executor } from '../executors/types.js'
import { isRunOwnerAlive } from '../home.js'
import { keysOptionsFor } from '../status.js'
import type { AutomationCursor, AutomationTickCommit, AutomationWatermark, ConditionState } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { Workspace } from '../workspace.js'
import { systemClock, type Clock } from './clock.js'
import { conditionsToEvaluate, type Seen } from './changes.js'
import { evaluateConditionsTick, conditionHash } from './conditions-tick.js'
import type { OpenSlot } from './context.js'
import { cronTicks, type CronTicks } from './cron.js'
import type { DaemonEvent } from './events.js'
import { Launcher } from './launcher.js'
import { dueTicks, scheduleTickCommit, skippedCommit, startCommit } from './schedules.js'
import { sensorDue, sensorTickCommit } from './sensors.js'
import { automationSources, type AutomationSources } from './sources.js'

/** Ticks kept per schedule, sensor and the conditions, besides those that requested runs or explain evaluations. */
export const KEEP_TICKS = 1000
const PRUNE_EVERY = 100

export interface EngineOptions {
  ws: Workspace
  clock: Clock
  cron?: CronTicks
  /** Runs use it and leave it open (a warm pool). @defaultValue a pool of the engine's own */
  executor?: Executor
  onEvent?: (e: DaemonEvent) => void
  /** How often the daemon evaluates conditions: a schedule tick older than two of these counts as missed. @defaultValue 30 s */
  intervalMs?: number
  sensorTimeoutMs?: number
  /** Clock for run bookkeeping (marking dead runs failed): real time even when `clock` is not. */
  wallClock?: Clock
  /** Launch queued requests after each tick. false: only evaluate and record (tests, dry runs). @defaultValue true */
  launch?: boolean
}

export interface TickOptions {
  /** Evaluate the conditions this tick (the daemon does it every interval; sensors may be due more often). @defaultValue true */
  conditions?: boolean
}

export interface TickSummary {
  at: string
  /** Conditions evaluated (those whose inputs changed since the last tick; all on an engine's first). */
  evaluated: number
  requested: number
  launched: number
}

export class AutomationEngine {
  readonly sources: AutomationSources
  readonly launcher: Launcher
  private readonly cron: CronTicks
  private lastRequests = new Map<string, Map<string, number>>()
  private previousConditionsTickAt: number | undefined
  private readonly dynamicAt = new Map<number, Record<string, readonly string[]>>()
  /** Condition states by asset, kept here after being read once: this engine is their only writer. */
  private states = new Map<string, ConditionState>()
  /** What the last conditions tick saw: what changed since decides which conditions are evaluated again. */
  private watermark: AutomationWatermark | undefined
  private seen: Seen | undefined
  private ticks = 0

  constructor(private readonly opts: EngineOptions) {
    this.sources = automationSources(opts.ws.defs)
    this.cron = opts.cron ?? cronTicks
    this.launcher = new Launcher({
      ws: opts.ws,
      clock: opts.clock,
      maxConcurrentRuns: this.sources.settings.maxConcurrentRuns,
      runTimeoutMs: this.sources.settings.runTimeoutMs,
      executor: opts.executor,
      onEvent: opts.onEvent,
    })
  }

  /** Reads what earlier engines left (when partitions were last requested, the last conditions tick); with `recover`, reconciles requests with their runs. */
  async start(opts: { recover?: boolean } = {}): Promise<void> {
    const { storage } = this.opts.ws
    for (const r of await storage.lastRequestTimes()) this.rememberRequest(r.assetKey, r.partitionKey, r.requestedAt)
    const cursor = (await storage.getAutomationCursors()).find((c) => c.sourceKind === 'conditions')
    this.previousConditionsTickAt = cursor?.lastTickAt ?? (await storage.listAutomationTicks({ sourceKind: 'conditions', limit: 1 }))[0]?.evaluatedAt
    const hashes = new Map([...this.sources.conditions].map(([k, spec]) => [k, conditionHash(spec)]))
    for (const st of await storage.getConditionStates()) if (hashes.get(st.assetKey) === st.condition) this.states.set(st.assetKey, st)
    if (opts.recover) {
      const relaunched = await this.launcher.recover()
      if (relaunched) this.opts.onEvent?.({ type: 'recovered', relaunched })
    }
  }

  async tick(opts: TickOptions = {}): Promise<TickSummary> {
    const { ws } = this.opts
    const now = this.opts.clock.now()
    // A run whose process died would otherwise stay "in progress" and block eager() downstream forever.
    await ws.storage.failOrphanedRuns(isRunOwnerAlive, (this.opts.wallClock ?? systemClock).now().getTime())
    const keysOptions = await keysOptionsFor(ws, now)
    const open = await this.openSlots()
    const cursors = new Map((await ws.storage.getAutomationCursors()).map((c) => [`${c.sourceKind}\0${c.sourceName}`, c]))
    let requested = 0
    let evaluated = 0
    const commit = async (c: AutomationTickCommit) => {
      const outcome = await ws.storage.commitAutomationTick(c)
      const queued = outcome.requests.filter((o) => o.status === 'QUEUED')
      for (const q of queued) {
        const r = c.requests!.find((x) => x.requestKey === q.requestKey)!
        for (const s of r.slots) {
          open.set(nodeLabel(s.assetKey, s.partitionKey), { requestId: q.requestId, runId: r.runId, status: 'QUEUED' })
          this.rememberRequest(s.assetKey, s.partitionKey, r.createdAt)
        }
      }
      requested += queued.length
      if (outcome.tickId !== undefined) {
        const status = queued.length === 0 && c.tick.status === 'REQUESTED' ? 'SKIPPED' : c.tick.status
        this.opts.onEvent?.({ type: 'tick', sourceKind: c.tick.sourceKind, sourceName: c.tick.sourceName, status, message: c.tick.message, requested: queued.length, at: new Date(c.tick.evaluatedAt).toISOString() })
      }
    }
    const guard = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn()
      } catch (err) {
        this.opts.onEvent?.({ type: 'error', message: `${what}: ${err instanceof Error ? err.message : String(err)}` })
      }
    }

    if (opts.conditions !== false && this.sources.conditions.size) {
      await guard('evaluating conditions', async () => {
        // Read before anything else: what changes while this tick reads is seen by the next one.
        const changes = await ws.storage.automationChanges(this.watermark)
        const running = new Map((await ws.storage.listInProgressSlots()).map((h) => [nodeLabel(h.assetKey, h.partitionKey), h.runId]))
        const { only, seen } = conditionsToEvaluate({
          conditions: this.sources.conditions,
          defsByKey: ws.defs.byKey,
          graph: ws.graph,
          cron: this.cron,
          now: now.getTime(),
          keysOptions,
          changed: changes.assets,
          open,
          running,
          previous: this.seen,
        })
        const result = await evaluateConditionsTick({
          ws,
          conditions: this.sources.conditions,
          now,
          keysOptions,
          cron: this.cron,
          open,
          states: this.states,
          previousTickAt: this.previousConditionsTickAt,
          lastRequested: (a, p) => this.lastRequests.get(a)?.get(p),
          dynamicKeysAt: (at) => this.dynamicKeysAt(at),
          only,
          running,
        })
        if (result) {
          evaluated = result.outcomes.length
          await commit(result.commit)
          for (const st of result.commit.conditions ?? []) this.states.set(st.assetKey, st)
        }
        this.previousConditionsTickAt = now.getTime()
        this.watermark = changes.watermark
        this.seen = seen
      })
    }

    const lateMs = 2 * (this.opts.intervalMs ?? 30_000) + 30_000
    for (const schedule of this.sources.schedules) {
      await guard(`schedule ${schedule.name}`, async () => {
        const cursor = cursors.get(`schedule\0${schedule.name}`)
        const due = dueTicks(schedule, cursor, now, this.cron, lateMs)
        if (due.starting) return commit(startCommit(schedule, now, this.cron))
        if (due.ticks.length === 0) {
          if (due.skipped) await commit(skippedCommit(schedule, now, due.skipped))
          return
        }
        for (const [i, tick] of due.ticks.entries()) {
          await commit(scheduleTickCommit({ ws, schedule, tick, now, open, dynamicKeys: keysOptions.dynamicKeys, skippedBefore: i === 0 ? due.skipped : 0 }))
        }
      })
    }

    for (const sensor of this.sources.sensors) {
      const cursor: AutomationCursor | undefined = cursors.get(`sensor\0${sensor.name}`)
      if (!sensorDue(sensor, cursor, now)) continue
      await guard(`sensor ${sensor.name}`, async () => {
        const log = this.sensorLogger(sensor.name)
        await commit(await sensorTickCommit({ ws, sensor, cursor, now, keysOptions, open, log, timeoutMs: this.opts.sensorTimeoutMs }))
      })
    }

    // Now and then, old ticks that decided nothing go (a fast sensor would grow the table without end).
    if (++this.ticks % PRUNE_EVERY === 1) await guard('pruning old ticks', async () => void (await ws.storage.pruneAutomationTicks(KEEP_TICKS)))
    // Requests this tick made count as seen: their ending is a change the next tick notices.
    if (this.seen) this.seen.open = new Map([...open].map(([label, o]) => [label, `${o.requestId}:${o.status}`]))
    let launched = 0
    if (this.opts.launch !== false) await guard('launching runs', async () => {
      launched = await this.launcher.pump()
    })
    return { at: now.toISOString(), evaluated, requested, launched }
  }

  /** Launches queued requests as runs end, until none is queued and none of this engine's runs is going. */
  async settle(): Promise<void> {
    for (;;) {
      await this.launcher.pump()
      if (this.launcher.active === 0) {
        const queued = await this.opts.ws.storage.listAutomationRequests({ statuses: ['QUEUED'], limit: 1 })
        if (queued.length === 0) return
        // Queued behind runs of another engine (draining definitions): wait for them.
        await new Promise((r) => setTimeout(r, 200))
        continue
      }
      await Promise.race([this.launcher.idle(), new Promise((r) => setTimeout(r, 200))])
    }
  }

  /** Stops launching; resolves when the runs it started have ended, then closes its own executor. */
  async close(): Promise<void> {
    await this.launcher.close()
  }

  private rememberRequest(assetKey: string, partitionKey: string, at: number): void {
    let m = this.lastRequests.get(assetKey)
    if (!m) this.lastRequests.set(assetKey, (m = new Map()))
    if ((m.get(partitionKey) ?? -Infinity) < at) m.set(partitionKey, at)
  }

  private async openSlots(): Promise<Map<string, OpenSlot>> {
    const open = new Map<string, OpenSlot>()
    for (const r of await this.opts.ws.storage.listAutomationRequests({ statuses: ['QUEUED', 'LAUNCHED'] })) {
      for (const s of r.slots) open.set(nodeLabel(s.assetKey, s.partitionKey), { requestId: r.requestId, runId: r.runId, status: r.status as OpenSlot['status'] })
    }
    return open
  }

  private async dynamicKeysAt(at: number): Promise<Record<string, readonly string[]>> {
    let keys = this.dynamicAt.get(at)
    if (!keys) this.dynamicAt.set(at, (keys = await this.opts.ws.storage.getDynamicPartitionsAt(at)))
    return keys
  }

  private sensorLogger(sensor: string): AssetLogger {
    const emit = (level: string) => (message: string) => this.opts.onEvent?.({ type: 'sensor-log', sensor, level, message: String(message) })
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
  }
}
