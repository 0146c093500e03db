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
import { loadSlotView, needsFullStatus, scopedKeys, scopeOf } from './view.js'

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
  /** Evaluate only these assets' conditions (those whose inputs changed). @defaultValue all */
  only?: ReadonlySet<string>
  /** Slots RUNNING runs hold, by label (read here when not given). */
  running?: ReadonlyMap<string, string>
}

export interface AssetOutcome {
  assetKey: string
  condition: string
  decision: AssetDecision
  /** How many partitions the condition looked at (1 when unpartitioned). */
  partitions: number
  summary: string
  request?: NewAutomationRequest
}

export interface ConditionsTick {
  commit: AutomationTickCommit
  outcomes: AssetOutcome[]
}

const hashes = new WeakMap<ConditionSpec, string>()

/** Identifies a condition in storage: a changed condition starts afresh. Specs are frozen data, so it is computed once per spec. */
export function conditionHash(spec: ConditionSpec): string {
  let h = hashes.get(spec)
  if (h === undefined) hashes.set(spec, (h = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16)))
  return h
}

/** FNV-1a in two lanes: tells one evaluation from the next; not for security. */
function fingerprintOf(text: string): string {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')
}

const MAX_LISTED = 50

export async function evaluateConditionsTick(input: ConditionsTickInput): Promise<ConditionsTick | undefined> {
  const { ws, conditions, now } = input
  if (conditions.size === 0) return undefined
  const started = performance.now()
  const t = now.getTime()
  const evaluated = [...conditions].filter(([key]) => !input.only || input.only.has(key))
  // Most conditions look at the latest partitions only: read just those (view.ts); stale() needs the full index.
  const keysCache = new Map<object, string[]>()
  const needed = new Map<string, string[]>()
  const lean = new Map<string, Set<string>>()
  const want = (key: string, keys: readonly string[]) => {
    const set = lean.get(key)
    if (set) for (const k of keys) set.add(k)
    else lean.set(key, new Set(keys))
  }
  const full: string[] = []
  for (const [assetKey, spec] of evaluated) {
    const keys = scopedKeys(ws.defs.byKey.get(assetKey)!, scopeOf(spec), input.keysOptions, keysCache)
    needed.set(assetKey, keys)
    if (needsFullStatus(spec)) {
      full.push(assetKey)
      continue
    }
    want(assetKey, keys)
    for (const up of upstreamsNamed(spec)) if (ws.defs.byKey.has(up)) want(up, scopedKeys(ws.defs.byKey.get(up)!, 'all', input.keysOptions, keysCache))
  }
  const leanView = lean.size ? await loadSlotView(ws.storage, ws.defs, new Map([...lean].map(([k, v]) => [k, [...v]])), input.keysOptions) : undefined
  const fullView = full.length ? await loadStatusIndex(ws, { keys: [...full, ...full.flatMap((k) => upstreamsNamed(conditions.get(k)!)).filter((k) => ws.defs.byKey.has(k))], keysOptions: input.keysOptions }) : undefined
  const running = input.running ?? new Map((await ws.storage.listInProgressSlots()).map((h) => [nodeLabel(h.assetKey, h.partitionKey), h.runId]))
  const tick: TickInputs = { defs: ws.defs, keysOptions: input.keysOptions, now: t, open: input.open, running, cron: input.cron }

  const outcomes: AssetOutcome[] = []
  const states: ConditionState[] = []
  const evaluations: NewAutomationEvaluation[] = []
  const requests: NewAutomationRequest[] = []
  for (const [assetKey, spec] of evaluated) {
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
      view: (full.includes(assetKey) ? fullView : leanView)!,
      keys: needed.get(assetKey)!,
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
    const shown = listed(o.decision.notes)
    o.summary = summarize(label, o.decision, shown, asset.partitions !== undefined)
    // The words follow from the notes: only the data is compared; the words are written only when stored.
    const fingerprint = fingerprintOf(JSON.stringify([o.summary, o.decision.tree, shown]))
    const detail = () => ({
      condition: label,
      tree: o.decision.tree,
      partitions: shown.map(([key, n]) => ({ key, requested: n.requested, note: n.note, text: describeNote(n.note) })),
      omitted: Math.max(0, o.decision.notes.size - MAX_LISTED),
    })
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
        detail: detail(),
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
      // Nothing new to say: only the time of the tick is kept (in the cursor), not a row per tick.
      record: evaluations.length > 0 || requests.length > 0,
      cursor: { lastTickAt: t, failures: 0 },
      tick: {
        sourceKind: 'conditions',
        sourceName: '',
        evaluatedAt: t,
        status: requests.length ? 'REQUESTED' : 'EVALUATED',
        message: `${evaluated.length} of ${conditions.size} condition(s) evaluated${requestedAssets ? `, ${requestedAssets} run(s) requested` : ''}`,
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

function summarize(label: string, d: AssetDecision, notes: ReadonlyArray<[string, PartitionNote]>, partitioned: boolean): string {
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
