/**
 * Why did (or didn't) an asset run: its condition's stored evaluations
 * (newest first, each with the request it made and that request's run),
 * the schedules and sensors that target it, and what the condition says
 * right now, evaluated the way the daemon would (nothing is recorded).
 */
import { resolveSelection } from '../graph/selection.js'
import { keysOptionsFor } from '../status.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { Workspace } from '../workspace.js'
import { systemClock } from './clock.js'
import { conditionHash, evaluateConditionsTick } from './conditions-tick.js'
import type { OpenSlot } from './context.js'
import { cronTicks } from './cron.js'
import { conditionLabel, describeNote } from './describe.js'
import type { ConditionNode } from './evaluate.js'
import { requestView, type RequestView } from './overview.js'
import { automationSources } from './sources.js'

export interface PartitionLine {
  key: string
  requested: boolean
  text: string
}

export interface EvaluationView {
  at: string
  summary: string
  requested: number
  tree: ConditionNode | null
  partitions: PartitionLine[]
  request: RequestView | null
}

export interface AutomationExplanation {
  key: string
  partition: string | null
  condition: string | null
  targetedBy: Array<{ kind: 'schedule' | 'sensor'; name: string }>
  /** The condition evaluated now, as the daemon would (null without a condition). */
  now: { at: string; summary: string; requested: string[]; partitions: PartitionLine[] } | null
  /** Stored evaluations, newest first (one is stored when the outcome changes or something is requested). */
  evaluations: EvaluationView[]
  /** When the conditions were last evaluated by the daemon. */
  lastTickAt: string | null
}

interface StoredDetail {
  tree?: ConditionNode
  partitions?: Array<{ key: string; requested: boolean; text: string }>
}

export async function explainAutomation(ws: Workspace, key: string, opts: { partition?: string; limit?: number; now?: Date } = {}): Promise<AutomationExplanation> {
  const now = opts.now ?? systemClock.now()
  const { storage } = ws
  const sources = automationSources(ws.defs)
  const spec = sources.conditions.get(key)
  const only = (lines: PartitionLine[]) => (opts.partition === undefined ? lines : lines.filter((l) => l.key === opts.partition))
  const targetedBy: AutomationExplanation['targetedBy'] = []
  for (const s of sources.schedules) if (safeSelect(ws, s.target).includes(key)) targetedBy.push({ kind: 'schedule', name: s.name })
  for (const s of sources.sensors) if (safeSelect(ws, s.target).includes(key)) targetedBy.push({ kind: 'sensor', name: s.name })
  const lastTick = (await storage.listAutomationTicks({ sourceKind: 'conditions', limit: 1 }))[0]

  const evaluations: EvaluationView[] = []
  const hash = spec ? conditionHash(spec) : undefined
  for (const e of await storage.listAutomationEvaluations(key, { limit: opts.limit ?? 5 })) {
    if (hash !== undefined && e.condition !== hash) continue
    const detail = (e.detail ?? {}) as StoredDetail
    const partitions = only((detail.partitions ?? []).map((p) => ({ key: p.key, requested: p.requested, text: p.text })))
    const request = e.requestId !== undefined ? await storage.getAutomationRequest(e.requestId) : undefined
    evaluations.push({ at: new Date(e.evaluatedAt).toISOString(), summary: e.summary, requested: e.requested, tree: detail.tree ?? null, partitions, request: request ? requestView(request) : null })
  }

  let live: AutomationExplanation['now'] = null
  if (spec) {
    const open = new Map<string, OpenSlot>()
    for (const r of await storage.listAutomationRequests({ statuses: ['QUEUED', 'LAUNCHED'] })) {
      for (const s of r.slots) open.set(nodeLabel(s.assetKey, s.partitionKey), { requestId: r.requestId, runId: r.runId, status: r.status as OpenSlot['status'] })
    }
    const last = new Map<string, number>()
    for (const r of await storage.lastRequestTimes()) if (r.assetKey === key) last.set(r.partitionKey, r.requestedAt)
    const state = (await storage.getConditionStates()).find((s) => s.assetKey === key && s.condition === hash)
    const result = await evaluateConditionsTick({
      ws,
      conditions: new Map([[key, spec]]),
      now,
      keysOptions: await keysOptionsFor(ws, now),
      cron: cronTicks,
      open,
      states: new Map(state ? [[key, state]] : []),
      previousTickAt: lastTick?.evaluatedAt,
      lastRequested: (_a, p) => last.get(p),
      dynamicKeysAt: (at) => storage.getDynamicPartitionsAt(at),
    })
    const outcome = result?.outcomes[0]
    if (outcome) {
      const lines = [...outcome.decision.notes].map(([k, n]) => ({ key: k, requested: n.requested, text: describeNote(n.note) }))
      let partitions = only(lines)
      if (opts.partition !== undefined && partitions.length === 0) {
        const held = outcome.decision.requested.includes(opts.partition)
        partitions = [{ key: opts.partition, requested: held, text: held ? 'condition true' : `${conditionLabel(spec)} does not hold for it (it looks at ${describeScope(spec.kind)})` }]
      }
      live = { at: now.toISOString(), summary: outcome.summary, requested: outcome.decision.requested, partitions }
    }
  }
  return { key, partition: opts.partition ?? null, condition: spec ? conditionLabel(spec) : null, targetedBy, now: live, evaluations, lastTickAt: lastTick ? new Date(lastTick.evaluatedAt).toISOString() : null }
}

function describeScope(kind: string): string {
  if (kind === 'eager') return 'the latest partition(s) only: see lookback'
  if (kind === 'onCron') return 'the latest partition only'
  if (kind === 'onMissing') return 'missing partitions only'
  return 'every partition'
}

function safeSelect(ws: Workspace, selection: string): string[] {
  try {
    return resolveSelection(selection, ws.graph, ws.defs)
  } catch {
    return []
  }
}
