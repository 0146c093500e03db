/**
 * Evaluates an asset's condition over its partitions (as sets of partition
 * keys: and = intersection, or = union, not = complement), then decides what
 * to request: what the condition holds for, minus what is already queued or
 * running, minus history (see below), with a note per partition saying why
 * it was or was not requested.
 *
 * No surprise backfill: a partition the trigger conditions (eager, onMissing,
 * onCron) did not vouch for is requested only if something about it is new
 * since the condition was first evaluated: the partition did not exist then,
 * it or an upstream it reads was materialized since, or the asset's code
 * changed since. `backfillHistory: true` anywhere in the condition lifts this.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import { nodeOf, type AssetContext, type Note, type PartitionNote } from './context.js'
import { conditionLabel } from './describe.js'
import { evaluateLeaf } from './leaves.js'
import { evaluateTrigger } from './triggers.js'

export interface ConditionNode {
  label: string
  trueCount: number
  children: ConditionNode[]
}

export interface AssetDecision {
  /** Partitions to request (`['']` for an unpartitioned asset), in partition order. */
  requested: string[]
  /** How many partitions the condition holds for (before history, merging). */
  trueCount: number
  tree: ConditionNode
  /** Why each partition that mattered was or was not requested. */
  notes: Map<string, PartitionNote>
}

interface Evaluated {
  node: ConditionNode
  true: Set<string>
}

export function evaluateCondition(ctx: AssetContext, spec: ConditionSpec): AssetDecision {
  const notes = new Map<string, PartitionNote>()
  const vouched = new Set<string>()
  const walk = (s: ConditionSpec): Evaluated => {
    const label = conditionLabel(s)
    switch (s.kind) {
      case 'and':
      case 'or': {
        const parts = s.of.map(walk)
        let acc: Set<string>
        if (s.kind === 'and') {
          acc = parts.length ? new Set(parts[0]!.true) : new Set(ctx.keys)
          for (const p of parts.slice(1)) for (const k of acc) if (!p.true.has(k)) acc.delete(k)
        } else {
          acc = new Set()
          for (const p of parts) for (const k of p.true) acc.add(k)
        }
        return { node: { label, trueCount: acc.size, children: parts.map((p) => p.node) }, true: acc }
      }
      case 'not': {
        const inner = walk(s.of)
        const acc = new Set(ctx.keys.filter((k) => !inner.true.has(k)))
        return { node: { label, trueCount: acc.size, children: [inner.node] }, true: acc }
      }
      case 'eager':
      case 'onMissing':
      case 'onCron': {
        const r = evaluateTrigger(ctx, s)
        for (const [k, n] of r.notes) if (!notes.has(k) || n.requested) notes.set(k, n)
        for (const k of r.true) vouched.add(k)
        return { node: { label, trueCount: r.true.size, children: [] }, true: r.true }
      }
      default: {
        const acc = evaluateLeaf(ctx, s)
        return { node: { label, trueCount: acc.size, children: [] }, true: acc }
      }
    }
  }
  const root = walk(spec)
  const backfill = hasBackfillHistory(spec)
  const requested: string[] = []
  for (const k of ctx.keys) {
    if (!root.true.has(k)) {
      // A trigger's note on a partition the whole condition rejects: not requested, whatever the note said.
      const n = notes.get(k)
      if (n?.requested) notes.set(k, { requested: false, note: { kind: 'condition-false', label: root.node.label, despite: n.note } })
      continue
    }
    const label = nodeLabel(ctx.asset.key, k)
    const open = ctx.tick.open.get(label)
    if (open) {
      notes.set(k, { requested: false, note: { kind: 'merged', requestId: open.requestId, runId: open.runId, queued: open.status === 'QUEUED' } })
      continue
    }
    if (!vouched.has(k) && !backfill && !newSinceStart(ctx, k)) {
      notes.set(k, { requested: false, note: { kind: 'history', since: ctx.startedAt, what: nodeOf(ctx, k)?.status === 'MISSING' ? 'missing' : 'stale' } })
      continue
    }
    requested.push(k)
    if (!notes.get(k)?.requested) notes.set(k, { requested: true, note: { kind: 'condition-true', parts: trueParts(root.node) } })
  }
  return { requested, trueCount: root.true.size, tree: root.node, notes }
}

/** Something about the partition happened after the condition was first evaluated. */
function newSinceStart(ctx: AssetContext, partitionKey: string): boolean {
  if (!ctx.partitioned) return true
  if (!ctx.existedAtStart(partitionKey)) return true
  if (ctx.asset.codeVersion !== ctx.startCodeVersion) return true
  const node = nodeOf(ctx, partitionKey)
  if ((node?.latest?.endedAt ?? -Infinity) > ctx.startedAt) return true
  for (const reason of node?.reasons ?? []) {
    if (reason.kind !== 'UPSTREAM_DATA_CHANGED' && reason.kind !== 'DEPENDENCY_ADDED') continue
    const bracket = reason.dep.indexOf('[')
    const up = bracket === -1 ? ctx.view.node(reason.dep, '') : ctx.view.node(reason.dep.slice(0, bracket), reason.dep.slice(bracket + 1, -1))
    if ((up?.latest?.endedAt ?? -Infinity) > ctx.startedAt) return true
  }
  return false
}

function trueParts(node: ConditionNode): string[] {
  if (node.children.length === 0) return node.trueCount > 0 ? [node.label] : []
  return node.children.flatMap(trueParts)
}

export function hasBackfillHistory(spec: ConditionSpec): boolean {
  switch (spec.kind) {
    case 'eager':
    case 'onCron':
    case 'onMissing':
      return spec.backfillHistory === true
    case 'and':
    case 'or':
      return spec.of.some(hasBackfillHistory)
    case 'not':
      return hasBackfillHistory(spec.of)
    default:
      return false
  }
}
