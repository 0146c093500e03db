/**
 * What is automated and how it went, as data for `strata automation list`
 * (and its --json): the daemon holding the home, each condition with its
 * last evaluation, each schedule with its next and last tick, each sensor
 * with its next evaluation and last result, and recent run requests.
 */
import type { AutomationRequestRecord, AutomationTickRecord, DaemonLease } from '../storage/types.js'
import type { Workspace } from '../workspace.js'
import { systemClock } from './clock.js'
import { conditionHash } from './conditions-tick.js'
import { cronTicks } from './cron.js'
import { conditionLabel } from './describe.js'
import { automationSources } from './sources.js'

export interface TickView {
  at: string
  status: string
  message: string | null
  requested: number
  scheduledFor: string | null
}

export interface RequestView {
  requestId: number
  source: string
  selection: string
  partitionKeys: string[] | null
  status: string
  runId: string
  runStatus: string | null
  reason: string
  createdAt: string
}

export interface AutomationOverview {
  daemon: { pid: number; host: string; since: string; heartbeat: string; expires: string; live: boolean } | null
  maxConcurrentRuns: number
  conditions: Array<{ key: string; condition: string; lastEvaluation: { at: string; summary: string; requested: number } | null }>
  schedules: Array<{ name: string; cron: string; timezone: string; target: string; catchUp: string; nextTick: string | null; lastTick: TickView | null }>
  sensors: Array<{ name: string; kind: string; target: string; intervalSeconds: number; nextEvaluation: string | null; failures: number; lastTick: TickView | null }>
  requests: RequestView[]
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString())

export function tickView(t: AutomationTickRecord | undefined): TickView | null {
  if (!t) return null
  return { at: new Date(t.evaluatedAt).toISOString(), status: t.status, message: t.message ?? null, requested: t.requested, scheduledFor: iso(t.scheduledFor) }
}

export function requestView(r: AutomationRequestRecord): RequestView {
  return {
    requestId: r.requestId,
    source: r.sourceKind === 'conditions' ? `condition ${r.sourceName}` : `${r.sourceKind} ${r.sourceName}`,
    selection: r.selection,
    partitionKeys: r.partitionKeys ?? null,
    status: r.status,
    runId: r.runId,
    runStatus: r.runStatus ?? null,
    reason: r.reason,
    createdAt: new Date(r.createdAt).toISOString(),
  }
}

function daemonView(lease: DaemonLease | undefined, now: number): AutomationOverview['daemon'] {
  if (!lease) return null
  return { pid: lease.pid, host: lease.host, since: new Date(lease.acquiredAt).toISOString(), heartbeat: new Date(lease.heartbeatAt).toISOString(), expires: new Date(lease.expiresAt).toISOString(), live: lease.expiresAt > now }
}

export async function automationOverview(ws: Workspace, opts: { now?: Date; requests?: number } = {}): Promise<AutomationOverview> {
  const now = opts.now ?? new Date()
  const { storage } = ws
  const sources = automationSources(ws.defs)
  const states = await storage.getConditionStates()
  const cursors = new Map((await storage.getAutomationCursors()).map((c) => [`${c.sourceKind}\0${c.sourceName}`, c]))
  const lastTick = async (kind: 'schedule' | 'sensor', name: string) => (await storage.listAutomationTicks({ sourceKind: kind, sourceName: name, limit: 1 }))[0]
  const conditions: AutomationOverview['conditions'] = []
  for (const [key, spec] of sources.conditions) {
    const hash = conditionHash(spec)
    const last = (await storage.listAutomationEvaluations(key, { limit: 1 })).find((e) => e.condition === hash)
    const evaluatedAt = states.find((s) => s.assetKey === key && s.condition === hash)?.lastEvaluatedAt
    conditions.push({ key, condition: conditionLabel(spec), lastEvaluation: last ? { at: new Date(evaluatedAt ?? last.evaluatedAt).toISOString(), summary: last.summary, requested: last.requested } : null })
  }
  const schedules: AutomationOverview['schedules'] = []
  for (const s of sources.schedules) {
    const cursor = cursors.get(`schedule\0${s.name}`)
    const after = cursor?.cursor !== undefined && Number(cursor.cursor) > now.getTime() ? new Date(Number(cursor.cursor)) : now
    schedules.push({ name: s.name, cron: s.cron, timezone: s.timezone, target: s.target, catchUp: s.catchUp, nextTick: iso(cronTicks.next(s.cron, after, s.timezone)?.getTime()), lastTick: tickView(await lastTick('schedule', s.name)) })
  }
  const sensors: AutomationOverview['sensors'] = []
  for (const s of sources.sensors) {
    const cursor = cursors.get(`sensor\0${s.name}`)
    sensors.push({
      name: s.name,
      kind: s.spec?.kind ?? 'custom',
      target: s.target,
      intervalSeconds: s.intervalSeconds,
      nextEvaluation: iso(cursor?.nextAt) ?? now.toISOString(),
      failures: cursor?.failures ?? 0,
      lastTick: tickView(await lastTick('sensor', s.name)),
    })
  }
  const requests = (await storage.listAutomationRequests({ limit: opts.requests ?? 10 })).map(requestView)
  return { daemon: daemonView(await storage.getDaemonLease(), systemClock.now().getTime()), maxConcurrentRuns: sources.settings.maxConcurrentRuns, conditions, schedules, sensors, requests }
}
