/**
 * Helpers for the automation tests: an in-memory workspace whose storage
 * state is written directly (materializations with lineage, runs in
 * progress, failed attempts) so each condition can be judged on exactly the
 * state a test describes, with a manual clock.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineDefinitions } from '../../assets/index.js'
import type { AssetDefinition, Definitions, DefinitionsSpec } from '../../assets/types.js'
import { AutomationEngine } from '../../engine/automation/tick.js'
import { manualClock, type ManualClock } from '../../engine/automation/clock.js'
import type { DaemonEvent } from '../../engine/automation/events.js'
import { AssetGraph } from '../../engine/graph/index.js'
import { openStorage, type LineageEdge, type Storage } from '../../engine/storage/index.js'
import type { Workspace } from '../../engine/workspace.js'

export function definitions(assets: AssetDefinition<any>[], extra: Omit<DefinitionsSpec, 'assets'> = {}): Definitions {
  return defineDefinitions({ assets, ...extra })
}

let runSeq = 0

export interface Sim {
  ws: Workspace
  storage: Storage
  clock: ManualClock
  events: DaemonEvent[]
  engine: AutomationEngine
  /** Records a materialization at the clock's time (or `at`), consuming the latest of `from` (labels `key` / `key[partition]`). */
  materialize(key: string, partitionKey?: string, opts?: { from?: string[]; dataVersion?: string; codeVersion?: string; at?: number }): Promise<void>
  /** A RUNNING run of this process holding the slot IN_PROGRESS; returns its id. */
  start(key: string, partitionKey?: string): Promise<string>
  /** The slot's last attempt failed in a finished run. */
  fail(key: string, partitionKey?: string): Promise<string>
  /** One tick without launching; returns the queued requests' slot labels, sorted. */
  tick(): Promise<string[]>
  close(): Promise<void>
}

const label = (k: string, p: string) => (p ? `${k}[${p}]` : k)

/** `url`: the storage to judge on (see openStorage); the home's SQLite database when omitted. */
export async function simulate(defs: Definitions, start: string | number = '2024-01-10T12:00:00Z', opts: { home?: string; url?: string } = {}): Promise<Sim> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'strata-automation-'))
  const storage = await openStorage(home, { url: opts.url })
  const clock = manualClock(start)
  const ws: Workspace = { defs, defsPath: join(home, 'definitions.ts'), home, graph: AssetGraph.fromDefinitions(defs), storage, close: () => storage.close() }
  const events: DaemonEvent[] = []
  const engine = new AutomationEngine({ ws, clock, launch: false, onEvent: (e) => events.push(e) })
  await engine.start()
  const newRun = async (status: 'RUNNING' | 'SUCCESS' | 'FAILURE') => {
    const runId = `run-${++runSeq}-${Math.random().toString(16).slice(2, 10)}`
    await storage.createRun({ runId, selection: 'sim', stepKeys: [], defsPath: ws.defsPath, pid: process.pid, host: hostname(), startedAt: clock.now().getTime() })
    if (status !== 'RUNNING') await storage.finishRun(runId, status, clock.now().getTime())
    return runId
  }
  return {
    ws,
    storage,
    clock,
    events,
    engine,
    async materialize(key, partitionKey = '', opts = {}) {
      const runId = await newRun('SUCCESS')
      const consumed: LineageEdge[] = []
      for (const from of opts.from ?? []) {
        const m = /^(.*?)(?:\[(.*)\])?$/.exec(from)!
        const latest = await storage.getLatest(m[1]!, m[2] ?? '')
        if (!latest) throw new Error(`nothing to consume: ${from} was never materialized`)
        consumed.push({ upstreamMaterializationId: latest.id, upstreamAssetKey: latest.assetKey, upstreamPartitionKey: latest.partitionKey, upstreamDataVersion: latest.dataVersion })
      }
      const at = opts.at ?? clock.now().getTime()
      await storage.recordMaterialization(
        {
          assetKey: key,
          partitionKey,
          runId,
          codeVersion: opts.codeVersion ?? defs.byKey.get(key)!.codeVersion,
          dataVersion: opts.dataVersion ?? `${label(key, partitionKey)}@${at}`,
          location: `objects/${key}`,
          format: 'json',
          bytes: 1,
          metadata: {},
          startedAt: at,
          endedAt: at,
        },
        consumed,
      )
    },
    async start(key, partitionKey = '') {
      const runId = await newRun('RUNNING')
      await storage.setPartitionStates([{ assetKey: key, partitionKey, state: 'IN_PROGRESS' }], runId, clock.now().getTime())
      return runId
    },
    async fail(key, partitionKey = '') {
      const runId = await newRun('FAILURE')
      await storage.setPartitionStates([{ assetKey: key, partitionKey, state: 'FAILED' }], runId, clock.now().getTime())
      return runId
    },
    async tick() {
      const before = new Set((await storage.listAutomationRequests()).map((r) => r.requestId))
      const seen = events.length
      await engine.tick()
      // The engine reports its own failures as events and goes on: a test must not.
      const errors = events.slice(seen).filter((e) => e.type === 'error')
      if (errors.length) throw new Error(`the tick reported: ${errors.map((e) => (e as { message: string }).message).join('; ')}`)
      const made = (await storage.listAutomationRequests()).filter((r) => !before.has(r.requestId))
      return made.flatMap((r) => r.slots.map((s) => label(s.assetKey, s.partitionKey))).sort()
    },
    async close() {
      await engine.close()
      await storage.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** The last stored evaluation summary of an asset. */
export async function lastSummary(sim: Sim, key: string): Promise<string> {
  return (await sim.storage.listAutomationEvaluations(key, { limit: 1 }))[0]?.summary ?? '(none)'
}

/** Marks every open request of the daemon done (as if its run ended), so the next tick sees no request in flight. */
export async function finishRequests(sim: Sim, status = 'SUCCESS'): Promise<void> {
  for (const r of await sim.storage.listAutomationRequests({ statuses: ['QUEUED', 'LAUNCHED'] })) await sim.storage.setAutomationRequestStatus(r.requestId, 'DONE', sim.clock.now().getTime(), status)
}
