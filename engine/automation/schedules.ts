/**
 * Schedules: which cron ticks are due since the schedule's cursor, per its
 * `catchUp` (ticks missed while the daemon was down: the latest only, all of
 * them, or none), and the commit of one tick: its request(s) and the cursor
 * moved to it, written together so a tick is processed exactly once.
 */
import type { AutomationCursor, AutomationTickCommit, NewAutomationRequest } from '../storage/types.js'
import { resolveSelection } from '../graph/selection.js'
import type { Workspace } from '../workspace.js'
import type { OpenSlot } from './context.js'
import { ticksBetween, type CronTicks } from './cron.js'
import { launchTags, planSlots, splitRequest, toRequests, type SlotPlan } from './requests.js'
import type { ScheduleSource } from './sources.js'

/** At most this many ticks are processed per daemon tick when catching up on all of them (the rest follow on the next). */
export const CATCH_UP_BATCH = 100

export interface DueTicks {
  /** Ticks to process, oldest first. */
  ticks: Date[]
  /** Earlier due ticks skipped per catchUp. */
  skipped: number
  /** The first time this schedule is seen: nothing is due, its cursor starts now. */
  starting: boolean
}

/** Ticks in (cursor, now]. A tick older than `lateMs` counts as missed (the daemon was down). */
export function dueTicks(schedule: ScheduleSource, cursor: AutomationCursor | undefined, now: Date, cron: CronTicks, lateMs: number): DueTicks {
  if (cursor?.cursor === undefined) return { ticks: [], skipped: 0, starting: true }
  const from = new Date(Number(cursor.cursor))
  if (schedule.catchUp === 'all') {
    const { ticks } = ticksBetween(cron, schedule.cron, from, now, schedule.timezone, Number.MAX_SAFE_INTEGER)
    return { ticks: ticks.slice(0, CATCH_UP_BATCH), skipped: 0, starting: false }
  }
  const { ticks, dropped } = ticksBetween(cron, schedule.cron, from, now, schedule.timezone, 1)
  const total = ticks.length + dropped
  if (ticks.length === 0) return { ticks: [], skipped: 0, starting: false }
  if (schedule.catchUp === 'none' && now.getTime() - ticks[0]!.getTime() > lateMs) return { ticks: [], skipped: total, starting: false }
  return { ticks, skipped: total - ticks.length, starting: false }
}

export function startCommit(schedule: ScheduleSource, now: Date, cron: CronTicks): AutomationTickCommit {
  const next = cron.next(schedule.cron, now, schedule.timezone)
  return {
    tick: { sourceKind: 'schedule', sourceName: schedule.name, evaluatedAt: now.getTime(), status: 'SKIPPED', message: `schedule started${next ? `; first tick ${next.toISOString()}` : ''}` },
    cursor: { cursor: String(now.getTime()), lastTickAt: now.getTime(), failures: 0 },
  }
}

/** Every missed tick was skipped (catchUp 'none'): the cursor moves past them with one row saying so. */
export function skippedCommit(schedule: ScheduleSource, now: Date, skipped: number): AutomationTickCommit {
  return {
    tick: { sourceKind: 'schedule', sourceName: schedule.name, evaluatedAt: now.getTime(), status: 'SKIPPED', message: `${skipped} tick(s) missed while the daemon was not running were skipped (catchUp: '${schedule.catchUp}')` },
    cursor: { cursor: String(now.getTime()), lastTickAt: now.getTime(), failures: 0 },
  }
}

/** The latest partition of each partitioned asset at the tick (unpartitioned ones as they are). */
function latestPlan(ws: Workspace, schedule: ScheduleSource, at: Date, dynamicKeys: Record<string, readonly string[]> | undefined): SlotPlan {
  const plan: SlotPlan = new Map()
  for (const key of resolveSelection(schedule.target, ws.graph, ws.defs)) {
    const p = ws.defs.byKey.get(key)!.partitions
    if (!p) {
      plan.set(key, [''])
      continue
    }
    const keys = p.keys({ now: at, dynamicKeys })
    if (keys.length) plan.set(key, [keys[keys.length - 1]!])
  }
  return plan
}

export interface ScheduleTickInput {
  ws: Workspace
  schedule: ScheduleSource
  tick: Date
  now: Date
  open: ReadonlyMap<string, OpenSlot>
  dynamicKeys?: Record<string, readonly string[]>
  skippedBefore: number
}

/** The commit of one tick: REQUESTED with its runs, SKIPPED (merged, nothing to build) or FAILED (the partitions function threw). */
export function scheduleTickCommit(input: ScheduleTickInput): AutomationTickCommit {
  const { ws, schedule, tick, now } = input
  const iso = tick.toISOString()
  const base = { sourceKind: 'schedule' as const, sourceName: schedule.name, tickKey: iso, scheduledFor: tick.getTime(), evaluatedAt: now.getTime() }
  const cursor = { cursor: String(tick.getTime()), lastTickAt: now.getTime(), failures: 0 }
  const missed = input.skippedBefore ? ` (${input.skippedBefore} earlier missed tick(s) skipped, catchUp: '${schedule.catchUp}')` : ''
  let requests: NewAutomationRequest[]
  let merged = 0
  try {
    const plan =
      typeof schedule.partitions === 'function'
        ? planSlots(ws.defs, ws.graph, schedule.target, schedule.partitions({ tick: now, scheduledFor: tick }), { now: tick, dynamicKeys: input.dynamicKeys })
        : latestPlan(ws, schedule, tick, input.dynamicKeys)
    const split = splitRequest(plan, input.open)
    merged = split.merged.length
    requests = toRequests(split, {
      requestKey: `schedule:${schedule.name}:${iso}`,
      sourceKind: 'schedule',
      sourceName: schedule.name,
      reason: `schedule ${schedule.name}: cron tick ${iso}`,
      tags: launchTags('schedule', schedule.name, { 'strata/scheduled-for': iso }),
      createdAt: now.getTime(),
    })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return { tick: { ...base, status: 'FAILED', message: `${message}${missed}` }, cursor }
  }
  if (!requests.length) {
    const why = merged ? `every target is already requested or running (${merged} partition(s) merged)` : 'nothing to materialize (no partition exists yet)'
    return { tick: { ...base, status: 'SKIPPED', message: `${why}${missed}` }, cursor }
  }
  return { tick: { ...base, status: 'REQUESTED', message: `${requests.length} run(s) requested${merged ? `, ${merged} partition(s) merged into running requests` : ''}${missed}` }, cursor, requests }
}
