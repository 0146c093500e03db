/**
 * One evaluation of every asset's condition: the status index once for all
 * of them, a decision per asset, one request per asset that needs a run,
 * and what to store (evaluations that changed or requested something,
 * condition states that are new or whose code version moved), returned as
 * one commit for the caller to write with the tick.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { ConditionSpec } from '../../assets/automation/types.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import { loadStatusIndex } from '../status.js'
import type { AutomationTickCommit, ConditionState, NewAutomationEvaluation, NewAutomationRequest, SlotKey } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { Workspace } from '../workspace.js'
import type { AssetContext, OpenSlot, PartitionNote, TickInputs } from './context.js'
import type { CronTicks } from './cron.js'
import { conditionLabel, describeNote } from './describe.js'
import { evaluateCondition, type AssetDecision } from './evaluate.js'
import { launchTags } from './requests.js'

export interface ConditionsTickInput {
  ws: Workspace
  conditions: ReadonlyMap<string, ConditionSpec>
  now: Date
  keysOptions: KeysOptions
  cron: CronTicks
  open: ReadonlyMap<string, OpenSlot>
  /** Stored states, by asset key. */
  states: ReadonlyMap<string, ConditionState>
  /** When the conditions were last evaluated (the previous tick), if ever. */
  previousTickAt?: number
  lastRequested: (assetKey: string, partitionKey: string) => number | undefined
  /** Dynamic partition keys as of an instant (cached by the caller). */
  dynamicKeysAt: (at: number) => Promise<Record<string, readonly string[]>>
}

export interface AssetOutcome {
  assetKey: string
  condition: string
  decision: AssetDecision
  /** How many partitions the asset has (1 when unpartitioned). */
  partitions: number
  summary: string
  request?: NewAutomationRequest
}

export interface ConditionsTick {
  commit: AutomationTickCommit
  outcomes: AssetOutcome[]
}

export function conditionHash(spec: ConditionSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16)
}

const MAX_LISTED = 50

export async function evaluateConditionsTick(input: ConditionsTickInput): Promise<ConditionsTick | undefined> {
  const { ws, conditions, now } = input
  if (conditions.size === 0) return undefined
  const started = performance.now()
  const t = now.getTime()
  const referenced = new Set(conditions.keys())
  for (const spec of conditions.values()) for (const up of upstreamsNamed(spec)) if (ws.defs.byKey.has(up)) referenced.add(up)
  const index = await loadStatusIndex(ws, { keys: [...referenced], keysOptions: input.keysOptions })
  const running = new Map((await ws.storage.listInProgressSlots()).map((h) => [nodeLabel(h.assetKey, h.partitionKey), h.runId]))
  const tick: TickInputs = { defs: ws.defs, index, keysOptions: input.keysOptions, now: t, open: input.open, running, cron: input.cron }

  const outcomes: AssetOutcome[] = []
  const states: ConditionState[] = []
  const evaluations: NewAutomationEvaluation[] = []
  const requests: NewAutomationRequest[] = []
  for (const [assetKey, spec] of conditions) {
    const asset = ws.defs.byKey.get(assetKey)!
    const hash = conditionHash(spec)
    const stored = input.states.get(assetKey)
    const state = stored?.condition === hash ? stored : undefined
    const startedAt = state?.firstEvaluatedAt ?? t
    const dynamicAtStart = asset.partitions && usesDynamicKeys(asset.partitions) ? await input.dynamicKeysAt(startedAt) : input.keysOptions.dynamicKeys
    const startOptions: KeysOptions = { now: new Date(startedAt), dynamicKeys: dynamicAtStart }
    const ctx: AssetContext = {
      tick,
      asset,
      keys: index.partitionKeys(assetKey),
      partitioned: asset.partitions !== undefined,
      startedAt,
      startCodeVersion: state?.firstCodeVersion ?? asset.codeVersion,
      previous: state && input.previousTickAt !== undefined && input.previousTickAt >= state.firstEvaluatedAt ? { evaluatedAt: input.previousTickAt, codeVersion: state.codeVersion } : undefined,
      existedAtStart: (k) => asset.partitions!.has(k, startOptions),
      lastRequested: (k) => input.lastRequested(assetKey, k),
    }
    const decision = evaluateCondition(ctx, spec)
    outcomes.push({ assetKey, condition: hash, decision, partitions: ctx.keys.length, summary: '' })
  }
  for (const o of outcomes) {
    const spec = conditions.get(o.assetKey)!
    const asset = ws.defs.byKey.get(o.assetKey)!
    const label = conditionLabel(spec)
    o.summary = summarize(label, o.decision, asset.partitions !== undefined)
    const detail = {
      condition: label,
      tree: o.decision.tree,
      partitions: listed(o.decision.notes).map(([key, n]) => ({ key, requested: n.requested, note: n.note, text: describeNote(n.note) })),
      omitted: Math.max(0, o.decision.notes.size - MAX_LISTED),
    }
    const fingerprint = createHash('sha256').update(JSON.stringify({ s: o.summary, d: detail })).digest('hex').slice(0, 16)
    if (o.decision.requested.length) {
      const partitioned = asset.partitions !== undefined
      const runId = randomUUID()
      o.request = {
        // Unique per decision; a tick is committed whole, so the key need not be derived from anything.
        requestKey: `condition:${o.assetKey}:${runId}`,
        runId,
        sourceKind: 'conditions',
        sourceName: o.assetKey,
        selection: o.assetKey,
        assetKeys: [o.assetKey],
        ...(partitioned ? { partitionKeys: o.decision.requested } : {}),
        slots: o.decision.requested.map((partitionKey): SlotKey => ({ assetKey: o.assetKey, partitionKey })),
        reason: `${label}: ${o.summary}`,
        tags: launchTags('conditions', o.assetKey, { 'strata/condition': label }),
        createdAt: t,
      }
      requests.push(o.request)
    }
    const stored = input.states.get(o.assetKey)
    const state = stored?.condition === o.condition ? stored : undefined
    const changed = state?.fingerprint !== fingerprint
    if (changed || o.request) {
      evaluations.push({
        assetKey: o.assetKey,
        condition: o.condition,
        evaluatedAt: t,
        partitions: o.partitions,
        trueCount: o.decision.trueCount,
        requested: o.decision.requested.length,
        ...(o.request ? { requestKey: o.request.requestKey } : {}),
        summary: o.summary,
        detail,
        fingerprint,
      })
    }
    // A state row is written when it is new, its code version moved or its evaluation changed: not every tick for every asset.
    if (!state || state.codeVersion !== asset.codeVersion || changed) {
      states.push({
        assetKey: o.assetKey,
        condition: o.condition,
        spec: JSON.stringify(spec),
        firstEvaluatedAt: state?.firstEvaluatedAt ?? t,
        firstCodeVersion: state?.firstCodeVersion ?? asset.codeVersion,
        lastEvaluatedAt: t,
        codeVersion: asset.codeVersion,
        fingerprint,
      })
    }
  }
  const requestedAssets = outcomes.filter((o) => o.request).length
  return {
    outcomes,
    commit: {
      tick: {
        sourceKind: 'conditions',
        sourceName: '',
        evaluatedAt: t,
        status: requests.length ? 'REQUESTED' : 'EVALUATED',
        message: `${conditions.size} condition(s) evaluated${requestedAssets ? `, ${requestedAssets} run(s) requested` : ''}`,
        durationMs: performance.now() - started,
      },
      conditions: states,
      evaluations,
      requests,
    },
  }
}

/** Requested notes first, then partitions blocked by something, then the rest; at most MAX_LISTED. */
function listed(notes: ReadonlyMap<string, PartitionNote>): Array<[string, PartitionNote]> {
  const rank = (n: PartitionNote) => (n.requested ? 0 : n.note.kind === 'no-new-data' || n.note.kind === 'history' ? 2 : 1)
  return [...notes].sort((a, b) => rank(a[1]) - rank(b[1])).slice(0, MAX_LISTED)
}

function summarize(label: string, d: AssetDecision, partitioned: boolean): string {
  const notes = listed(d.notes)
  if (d.requested.length) {
    const first = notes.find(([, n]) => n.requested)
    const why = first ? describeNote(first[1].note) : 'condition true'
    if (!partitioned) return `requested: ${why}`
    const shown = d.requested.slice(0, 3).join(', ') + (d.requested.length > 3 ? ` and ${d.requested.length - 3} more` : '')
    return `requested ${d.requested.length} partition(s) (${shown}): ${first && d.requested.length > 1 ? `${first[0]}: ` : ''}${why}`
  }
  const first = notes[0]
  if (!first) return `not requested: ${label} is false${partitioned ? ` for every partition` : ''}`
  return `not requested: ${partitioned ? `${first[0]}: ` : ''}${describeNote(first[1].note)}`
}

function upstreamsNamed(spec: ConditionSpec): string[] {
  if (spec.kind === 'newlyUpdated') return spec.upstream ? [spec.upstream] : []
  if (spec.kind === 'and' || spec.kind === 'or') return spec.of.flatMap(upstreamsNamed)
  if (spec.kind === 'not') return upstreamsNamed(spec.of)
  return []
}

function usesDynamicKeys(p: { kind: string; dimensions?: ReadonlyArray<{ partitions: { kind: string } }> }): boolean {
  return p.kind === 'dynamic' || (p.kind === 'multi' && (p.dimensions ?? []).some((d) => d.partitions.kind === 'dynamic'))
}
