import type { SlotHolder, SlotKey } from '../storage/types.js'
import { slotId } from '../storage/slot-id.js'
import type { LatestLookup } from './inputs.js'
import type { PlannedStep } from './plan.js'
import {
  blockingHolders,
  decide,
  latestIndex,
  prepareStep,
  readyOf,
  stepSlots,
  wantsLineage,
  type Decision,
  type PrepareContext,
  type Prepared,
  type StepSlots,
} from './prepare-step.js'

interface Pending {
  index: number
  step: PlannedStep
  attempt: number
  slots: StepSlots
  ids: ReadonlySet<string>
}

/**
 * prepareStep for many steps at once, in one read and one claim: the slots
 * of every step are read together (one `readSlots`), each step is decided as
 * prepareStep decides it, and the steps to run are claimed together (one
 * `claimSlotsMany`, each step's claim all-or-nothing). In a backfill of
 * thousands of partitions that saves two storage round trips and a write
 * transaction per step.
 *
 * Only the common case is batched: a step another run blocks (it waits), one
 * whose claim conflicts (another run was quicker), one that reads models
 * (their production versions are read per step) or that may have been
 * built meanwhile without its lineage read goes through prepareStep on its
 * own, concurrently with the other such steps, so one wait does not queue
 * the others behind it. Results come in the order of `items`, each what
 * prepareStep would have returned for it (this run's own claims never change
 * another of its steps' decision, so deciding them together is the same as
 * one after the other).
 */
export async function prepareSteps(ctx: PrepareContext, items: ReadonlyArray<{ step: PlannedStep; attempt: number }>): Promise<Prepared[]> {
  if (ctx.signal?.aborted) return items.map(() => ({ kind: 'canceled' }))
  const results: Array<Prepared | undefined> = new Array(items.length)
  const alone: number[] = []
  const batch: Pending[] = []
  for (const [index, { step, attempt }] of items.entries()) {
    const slots = stepSlots(ctx.defs, step, ctx.keysOptions)
    if (slots.asset.models?.length) alone.push(index)
    else batch.push({ index, step, attempt, slots, ids: new Set(slots.all.map((s) => slotId(s.assetKey, s.partitionKey))) })
  }

  if (batch.length > 0) {
    // Lineage for all when one needs it: a step that did not ask for it decides the same with it (see decide).
    const lineage = batch.some((p) => wantsLineage(ctx, p.slots, p.attempt))
    const union = new Map<string, SlotKey>()
    for (const p of batch) for (const s of p.slots.all) union.set(slotId(s.assetKey, s.partitionKey), s)
    const view = await ctx.storage.readSlots([...union.values()], { consumed: lineage })
    const latest = latestIndex(view.latest)
    const holders = new Map<string, SlotHolder>()
    for (const h of view.inProgress) holders.set(slotId(h.assetKey, h.partitionKey), h)

    const claims: Array<{ p: Pending; d: Extract<Decision, { kind: 'claim' }> }> = []
    for (const p of batch) {
      // Only the step's own slots, as its own read would have returned: the union holds other steps' slots too.
      const latestOf: LatestLookup = (key, partitionKey) => {
        const id = slotId(key, partitionKey)
        return p.ids.has(id) ? latest.get(id) : undefined
      }
      const inProgress = holders.size > 0 ? [...p.ids].flatMap((id) => holders.get(id) ?? []) : []
      if (blockingHolders(ctx.runId, p.slots, inProgress, latestOf).length > 0) {
        alone.push(p.index)
        continue
      }
      const d = decide(ctx, p.step, p.slots, p.attempt, latestOf, lineage, undefined)
      if (d.kind === 'read-lineage') alone.push(p.index)
      else if (d.kind === 'claim') claims.push({ p, d })
      else results[p.index] = d
    }

    if (claims.length > 0) {
      const conflicts = await ctx.storage.claimSlotsMany(
        claims.map((c) => ({ slots: c.d.basis })),
        ctx.runId,
        Date.now(),
      )
      claims.forEach(({ p, d }, i) => {
        // Another run claimed or materialized a slot between the read and the claim: prepareStep decides again on what it did.
        if (conflicts[i]!.length > 0) alone.push(p.index)
        else results[p.index] = readyOf(p.slots.asset, d, undefined)
      })
    }
  }

  await Promise.all(
    alone.map(async (index) => {
      results[index] = await prepareStep(ctx, items[index]!.step, items[index]!.attempt)
    }),
  )
  return results as Prepared[]
}
