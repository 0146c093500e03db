import type { KeysOptions } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import { isRunOwnerAlive } from '../home.js'
import { LEASE_RENEW_MS } from '../leases.js'
import { upstreamKeysFor, upstreamLinks, type UpstreamLink } from '../partitions/mapping.js'
import type { LatestMaterialization, SlotHolder, SlotKey, Storage } from '../storage/types.js'
import { slotId } from '../storage/slot-id.js'
import { directReasonsOf, nodeLabel } from '../versioning/status-index.js'
import { productionModelsToRecord, type ProductionVersions } from '../versioning/production-models.js'
import { resolveInputs, type LatestLookup, type ResolvedInputs } from './inputs.js'
import type { PlannedStep } from './plan.js'
import { serializeError, type SerializedError } from './step-types.js'

export interface PrepareContext {
  defs: Definitions
  storage: Storage
  runId: string
  /** When the run started: a materialization another run finished after it counts as built for this run. */
  runStarted: number
  keysOptions: KeysOptions
  /** Skip steps whose inputs and code are unchanged (early cut-off). */
  skipUpToDate: boolean
  /** `nodeLabel`s the early cut-off must not skip (their last attempt failed). */
  rebuild?: ReadonlySet<string>
  signal?: AbortSignal
  /** Told once per step that waits for another run. */
  onWait?: (holder: SlotHolder, step: PlannedStep) => void
  isAlive?: (pid: number, host: string) => boolean
  /** First poll interval while waiting for another run; it grows to 1 s. */
  pollMs?: number
}

/** `slots[i].basis`: the latest materialization id the step decided on (0 if none). */
export type Basis = Array<SlotKey & { basis: number }>

export type Prepared =
  | { kind: 'up-to-date'; dataVersion?: string; message: string }
  /** `productionModels`: the production version of each model the asset reads (`asset({ models })`), to record with its materialization. */
  | { kind: 'ready'; resolved: ResolvedInputs; basis: Basis; productionModels?: Record<string, number | null> }
  | { kind: 'failed'; error: SerializedError; basis: Basis }
  | { kind: 'canceled' }


/** The slots a step reads before it runs: its own, and every upstream slot its mappings select. */
export function slotsOf(defs: Definitions, step: PlannedStep, keysOptions: KeysOptions): { own: SlotKey[]; all: SlotKey[] } {
  const asset = defs.byKey.get(step.assetKey)!
  const own = (step.partitionKeys.length ? step.partitionKeys : ['']).map((partitionKey) => ({ assetKey: step.assetKey, partitionKey }))
  const all = [...own]
  for (const link of upstreamLinks(defs, asset)) {
    for (const partitionKey of upstreamKeysFor(asset, link, step.partitionKeys, keysOptions).keys) all.push({ assetKey: link.upstream.key, partitionKey })
  }
  return { own, all }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** What a step reads, worked out once per step: its asset, upstream links and slots. */
export interface StepSlots {
  asset: AssetDefinition<any>
  links: UpstreamLink[]
  own: SlotKey[]
  all: SlotKey[]
  ownIds: ReadonlySet<string>
}

export function stepSlots(defs: Definitions, step: PlannedStep, keysOptions: KeysOptions): StepSlots {
  const asset = defs.byKey.get(step.assetKey)!
  const { own, all } = slotsOf(defs, step, keysOptions)
  return { asset, links: upstreamLinks(defs, asset), own, all, ownIds: new Set(own.map((s) => slotId(s.assetKey, s.partitionKey))) }
}

/** Whether the lineage of the step's slots must be read for its first decision (only an up-to-date decision needs it). */
export function wantsLineage(ctx: PrepareContext, slots: StepSlots, attempt: number): boolean {
  return ctx.skipUpToDate && attempt === 1 && !slots.asset.observe
}

/**
 * The holders that make the step wait: another run's attempt on a slot it
 * writes, or on an input that was never materialized (an input with a
 * materialization is read as it is, whatever another run is doing to it).
 * `inProgress`: the holders of the step's slots only.
 */
export function blockingHolders(runId: string, slots: StepSlots, inProgress: readonly SlotHolder[], latestOf: LatestLookup): SlotHolder[] {
  return inProgress.filter((h) => h.runId !== runId && (slots.ownIds.has(slotId(h.assetKey, h.partitionKey)) || latestOf(h.assetKey, h.partitionKey) === undefined))
}

/** What to do with a step nobody else is working on, from what was read. */
export type Decision =
  /** The step may have been built meanwhile by another run: read again with lineage to tell. */
  | { kind: 'read-lineage' }
  | Extract<Prepared, { kind: 'up-to-date' } | { kind: 'failed' }>
  /** Claim `basis`; once claimed, the step is ready with `resolved`. */
  | { kind: 'claim'; resolved: ResolvedInputs; basis: Basis }

/**
 * Decides a step no other run blocks (see blockingHolders) on the latest
 * materializations read (`lineage`: whether they were read with their
 * consumed edges) and the production versions of the models it reads.
 */
export function decide(
  ctx: PrepareContext,
  step: PlannedStep,
  slots: StepSlots,
  attempt: number,
  latestOf: LatestLookup,
  lineage: boolean,
  production: ProductionVersions | undefined,
): Decision {
  const { defs, runId, keysOptions } = ctx
  const { asset, links, own } = slots
  if (attempt === 1 && !asset.observe) {
    const builtMeanwhile = own.every((s) => {
      const m = latestOf(s.assetKey, s.partitionKey)
      return m !== undefined && m.runId !== runId && m.endedAt >= ctx.runStarted
    })
    const cutOff = ctx.skipUpToDate && !own.some((s) => ctx.rebuild?.has(nodeLabel(s.assetKey, s.partitionKey)))
    if (builtMeanwhile && !lineage) return { kind: 'read-lineage' }
    if ((builtMeanwhile || cutOff) && own.every((s) => directReasonsOf(asset, s.partitionKey, links, latestOf(s.assetKey, s.partitionKey), latestOf, keysOptions, undefined, production).direct.length === 0)) {
      const mine = latestOf(step.assetKey, own[0]!.partitionKey)!
      const message = builtMeanwhile
        ? `Up to date: run ${mine.runId} materialized it during this run, with the same code and inputs`
        : 'Up to date: inputs and code unchanged (early cut-off)'
      return { kind: 'up-to-date', dataVersion: mine.dataVersion, message }
    }
  }
  const basis: Basis = own.map((s) => ({ ...s, basis: latestOf(s.assetKey, s.partitionKey)?.id ?? 0 }))
  try {
    return { kind: 'claim', resolved: resolveInputs(defs, asset, step.partitionKeys, latestOf, keysOptions), basis }
  } catch (err) {
    return { kind: 'failed', error: serializeError(err), basis }
  }
}

/** A claimed step, ready to run. */
export function readyOf(asset: AssetDefinition<any>, d: Extract<Decision, { kind: 'claim' }>, production: ProductionVersions | undefined): Prepared {
  return production ? { kind: 'ready', resolved: d.resolved, basis: d.basis, productionModels: productionModelsToRecord(asset, production) } : { kind: 'ready', resolved: d.resolved, basis: d.basis }
}

/** The latest materialization of each slot of a read, by slot. */
export function latestIndex(latest: readonly LatestMaterialization[]): Map<string, LatestMaterialization> {
  const out = new Map<string, LatestMaterialization>()
  for (const m of latest) out.set(slotId(m.assetKey, m.partitionKey), m)
  return out
}

/**
 * Decides a step against storage as it is now, not as it was when the run
 * started (other processes may have materialized its inputs, or the step
 * itself, meanwhile), then claims its slots:
 *
 * - a slot it writes, or an input never materialized, that another live run
 *   is materializing is waited for (a dead run's attempt is failed, as on
 *   open, and not waited for);
 * - a step another run materialized during this run, with the current code
 *   and inputs, is up to date (no duplicate); so is any unchanged step under
 *   the early cut-off;
 * - otherwise its inputs are resolved and its slots claimed IN_PROGRESS,
 *   compare-and-set against what it read: if another run claimed or
 *   materialized one meanwhile, it looks again.
 */
export async function prepareStep(ctx: PrepareContext, step: PlannedStep, attempt: number): Promise<Prepared> {
  const { defs, storage, runId, keysOptions } = ctx
  const slots = stepSlots(defs, step, keysOptions)
  const { asset } = slots
  const isAlive = ctx.isAlive ?? isRunOwnerAlive
  let pollMs = ctx.pollMs ?? 50
  let told = false
  let conflicts = 0
  let leasesCheckedAt = Date.now()
  // Lineage is only needed to tell whether the step is up to date.
  let lineage = wantsLineage(ctx, slots, attempt)
  for (;;) {
    if (ctx.signal?.aborted) return { kind: 'canceled' }
    const view = await storage.readSlots(slots.all, { consumed: lineage })
    const latest = latestIndex(view.latest)
    const latestOf: LatestLookup = (key, partitionKey) => latest.get(slotId(key, partitionKey))

    const blocking = blockingHolders(runId, slots, view.inProgress, latestOf)
    if (blocking.length > 0) {
      if (blocking.some((h) => !isAlive(h.pid, h.host))) {
        await storage.failOrphanedRuns(isAlive, Date.now())
        continue
      }
      // A holder on another host is gone once its lease expired: looked for now and then while waiting.
      if (Date.now() - leasesCheckedAt >= LEASE_RENEW_MS) {
        leasesCheckedAt = Date.now()
        if ((await storage.failOrphanedRuns(isAlive, leasesCheckedAt)).length > 0) continue
      }
      if (!told) ctx.onWait?.(blocking[0]!, step)
      told = true
      await sleep(pollMs, ctx.signal)
      pollMs = Math.min(pollMs * 1.5, 1000)
      continue
    }

    // Read before the step runs: a promotion during its compute leaves it recorded with the older version, so stale (never falsely fresh).
    const production = asset.models?.length ? await storage.getProductionVersions(asset.models) : undefined
    const d = decide(ctx, step, slots, attempt, latestOf, lineage, production)
    if (d.kind === 'read-lineage') {
      lineage = true
      continue
    }
    if (d.kind !== 'claim') return d
    if ((await storage.claimSlots(runId, d.basis, Date.now())).length === 0) return readyOf(asset, d, production)
    // Another run claimed or materialized a slot between the read and the claim: decide again on what it did.
    if (++conflicts > 1) await sleep(pollMs, ctx.signal)
  }
}
