import type { KeysOptions } from '../../assets/partitions/types.js'
import type { Definitions } from '../../assets/types.js'
import type { ExecutionPlan, PlannedStep } from '../execution/plan.js'
import { upstreamKeysFor, upstreamLinks } from './mapping.js'
import { slotId } from '../storage/slot-id.js'


function stepId(key: string, partitionKeys: readonly string[]): string {
  if (partitionKeys.length === 0) return key
  if (partitionKeys.length === 1) return `${key}[${partitionKeys[0]}]`
  return `${key}[${partitionKeys[0]}...${partitionKeys[partitionKeys.length - 1]}]`
}

/**
 * Steps for the given (asset → partitions) targets, `[]` meaning an
 * unpartitioned asset. A partitioned asset gets one step per partition, or
 * one per run of up to `backfillPolicy.maxPartitionsPerStep` partitions. A
 * step waits for exactly the planned steps that produce the upstream
 * partitions its mappings read, including its own earlier partitions.
 */
export function planTargets(defs: Definitions, orderedKeys: readonly string[], targets: ReadonlyMap<string, readonly string[]>, keysOptions: KeysOptions): ExecutionPlan {
  const steps = new Map<string, PlannedStep>()
  const stepOf = new Map<string, string>()
  orderedKeys.forEach((key, assetIndex) => {
    const partitions = targets.get(key)
    if (partitions === undefined) return
    const asset = defs.byKey.get(key)!
    const chunk = asset.backfillPolicy?.maxPartitionsPerStep ?? 1
    const groups: string[][] = []
    if (!asset.partitions) groups.push([])
    else for (let i = 0; i < partitions.length; i += chunk) groups.push(partitions.slice(i, i + chunk))
    groups.forEach((partitionKeys, i) => {
      const id = stepId(key, partitionKeys)
      steps.set(id, { id, assetKey: key, partitionKeys, upstream: [], downstream: [], order: assetIndex * 1_000_000_000 + i })
      if (partitionKeys.length === 0) stepOf.set(slotId(key, ''), id)
      for (const p of partitionKeys) stepOf.set(slotId(key, p), id)
    })
  })
  for (const step of steps.values()) {
    const asset = defs.byKey.get(step.assetKey)!
    const ups = new Set<string>()
    for (const link of upstreamLinks(defs, asset)) {
      const { keys } = upstreamKeysFor(asset, link, step.partitionKeys, keysOptions)
      for (const k of keys) {
        const upId = stepOf.get(slotId(link.upstream.key, k))
        if (upId !== undefined && upId !== step.id) ups.add(upId)
      }
    }
    for (const upId of ups) {
      step.upstream.push(upId)
      steps.get(upId)!.downstream.push(step.id)
    }
  }
  return { steps }
}
