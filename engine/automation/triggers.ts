/**
 * The conditions that decide runs on their own: eager(), onMissing() and
 * onCron(). Each looks at its target partitions, finds what would trigger a
 * request (a new partition, new upstream data, a cron tick), then what
 * blocks it (upstreams missing, failed, in progress or nonexistent; the
 * partition itself in progress), and leaves a note either way.
 *
 * A trigger is "handled" once the daemon has requested the partition after
 * it, so a failed run is not retried every tick; and a trigger from before
 * the condition was first evaluated does not count (no surprise backfill)
 * unless the condition says `backfillHistory: true`.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import { busyNote, latestKeys, nodeOf, upstreamBusyNote, upstreamsOf, type AssetContext, type Note, type PartitionNote, type UpstreamSlot } from './context.js'

export interface TriggerResult {
  true: Set<string>
  notes: Map<string, PartitionNote>
}

type Trigger = Extract<ConditionSpec, { kind: 'eager' | 'onMissing' | 'onCron' }>

export function evaluateTrigger(ctx: AssetContext, spec: Trigger): TriggerResult {
  switch (spec.kind) {
    case 'eager':
      return eager(ctx, spec.lookback ?? 1, spec.backfillHistory === true)
    case 'onMissing':
      return onMissing(ctx, spec.backfillHistory === true)
    case 'onCron':
      return onCron(ctx, spec.cron, spec.timezone, spec.backfillHistory === true)
  }
}

function result(): TriggerResult & { note(k: string, requested: boolean, note: Note): void } {
  const r = { true: new Set<string>(), notes: new Map<string, PartitionNote>() }
  return {
    ...r,
    note(k, requested, note) {
      r.notes.set(k, { requested, note })
      if (requested) r.true.add(k)
    },
  }
}

/**
 * Missing that counts as new: never requested and (for a partition) not
 * already there when the condition started; or requested before, its run
 * did not build it, and an upstream it reads has been materialized since.
 */
function missingTrigger(ctx: AssetContext, partitionKey: string, backfill: boolean, ups: () => UpstreamSlot[]): Note {
  const handled = ctx.lastRequested(partitionKey)
  if (handled === undefined) {
    if (ctx.partitioned && !backfill && ctx.existedAtStart(partitionKey)) return { kind: 'history', since: ctx.startedAt, what: 'missing' }
    return { kind: 'missing' }
  }
  const newer = newest(ups(), (up) => (up.node?.latest?.endedAt ?? -Infinity) > handled)
  if (newer) return { kind: 'upstream-updated', dep: newer.label, at: newer.node!.latest!.endedAt }
  const node = nodeOf(ctx, partitionKey)
  return node?.runState === 'FAILED' ? { kind: 'failed', runId: node.failure?.runId } : { kind: 'handled', at: handled }
}

/** The most recently materialized upstream among those passing `test`. */
function newest(ups: readonly UpstreamSlot[], test: (up: UpstreamSlot) => boolean): UpstreamSlot | undefined {
  let best: UpstreamSlot | undefined
  for (const up of ups) {
    if (!up.node?.latest || !test(up)) continue
    if (!best || up.node.latest.endedAt > best.node!.latest!.endedAt) best = up
  }
  return best
}

/** Blockers shared by eager() and onMissing(): mapped upstream partitions that do not exist, are missing, in progress (or failed). */
function blocker(ctx: AssetContext, ups: { slots: UpstreamSlot[]; nonexistent: Array<{ label: string; optional: boolean }> }, failedBlocks: boolean): Note | undefined {
  const gone = ups.nonexistent.find((u) => !u.optional)
  if (gone) return { kind: 'upstream-nonexistent', label: gone.label }
  for (const up of ups.slots) {
    const busy = upstreamBusyNote(ctx, up, { failedBlocks })
    if (busy) return busy
    if (!up.optional && (!up.node || up.node.status === 'MISSING')) return { kind: 'upstream-missing', label: up.label }
  }
  return undefined
}

const CHANGED = new Set(['UPSTREAM_DATA_CHANGED', 'DEPENDENCY_ADDED'])

function eager(ctx: AssetContext, lookback: number, backfill: boolean): TriggerResult {
  const r = result()
  for (const k of latestKeys(ctx, Math.max(1, lookback))) {
    const busy = busyNote(ctx, k)
    if (busy) {
      r.note(k, false, busy)
      continue
    }
    const node = nodeOf(ctx, k)
    let computed: ReturnType<typeof upstreamsOf> | undefined
    const ups = () => (computed ??= upstreamsOf(ctx, k))
    let trigger: Note
    if (!node || node.status === 'MISSING') trigger = missingTrigger(ctx, k, backfill, () => ups().slots)
    else {
      // New upstream data since this partition was materialized: the same judgement as `strata why`.
      const changed = new Set(node.reasons.flatMap((reason) => (CHANGED.has(reason.kind) ? [(reason as { dep: string }).dep] : [])))
      const updated = changed.size ? newest(ups().slots, (up) => changed.has(up.label)) : undefined
      if (!updated) trigger = { kind: 'no-new-data' }
      else {
        const at = updated.node!.latest!.endedAt
        const handled = ctx.lastRequested(k)
        if (handled !== undefined && handled >= at) trigger = node.runState === 'FAILED' ? { kind: 'failed', runId: node.failure?.runId } : { kind: 'handled', at: handled }
        else if (!backfill && at <= ctx.startedAt) trigger = { kind: 'history', since: ctx.startedAt, what: 'updated' }
        else trigger = { kind: 'upstream-updated', dep: updated.label, at }
      }
    }
    if (trigger.kind !== 'missing' && trigger.kind !== 'upstream-updated') {
      r.note(k, false, trigger)
      continue
    }
    const block = blocker(ctx, ups(), true)
    r.note(k, !block, block ?? trigger)
  }
  return r
}

function onMissing(ctx: AssetContext, backfill: boolean): TriggerResult {
  const r = result()
  for (const k of ctx.keys) {
    const node = nodeOf(ctx, k)
    if (node && node.status !== 'MISSING') continue
    const busy = busyNote(ctx, k)
    if (busy) {
      r.note(k, false, busy)
      continue
    }
    let computed: ReturnType<typeof upstreamsOf> | undefined
    const ups = () => (computed ??= upstreamsOf(ctx, k))
    const trigger = missingTrigger(ctx, k, backfill, () => ups().slots)
    if (trigger.kind !== 'missing' && trigger.kind !== 'upstream-updated') {
      r.note(k, false, trigger)
      continue
    }
    // "As soon as its upstream partitions exist": a failed upstream with a good materialization does not block.
    const block = blocker(ctx, ups(), false)
    r.note(k, !block, block ?? trigger)
  }
  return r
}

function onCron(ctx: AssetContext, cron: string, timezone: string | undefined, backfill: boolean): TriggerResult {
  const r = result()
  const tick = ctx.tick.cron.latest(cron, new Date(ctx.tick.now), timezone)?.getTime()
  for (const k of latestKeys(ctx, 1)) {
    const busy = busyNote(ctx, k)
    if (busy) {
      r.note(k, false, busy)
      continue
    }
    if (tick === undefined) {
      r.note(k, false, { kind: 'no-tick-yet' })
      continue
    }
    const handled = ctx.lastRequested(k)
    if (handled !== undefined && handled >= tick) {
      r.note(k, false, { kind: 'handled', at: handled })
      continue
    }
    if (!backfill && tick < ctx.startedAt) {
      r.note(k, false, { kind: 'history', since: ctx.startedAt, what: 'tick' })
      continue
    }
    const ups = upstreamsOf(ctx, k)
    let block: Note | undefined = blocker(ctx, { slots: [], nonexistent: ups.nonexistent }, false)
    for (const up of ups.slots) {
      if (block) break
      block = upstreamBusyNote(ctx, up, { failedBlocks: false })
      if (!block && !up.optional && (up.node?.latest?.endedAt ?? -Infinity) < tick) block = { kind: 'upstream-not-updated-since-tick', label: up.label, tick }
    }
    r.note(k, !block, block ?? { kind: 'cron-tick', tick })
  }
  return r
}
