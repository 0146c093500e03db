import type { Definitions } from '../../assets/types.js'

/** One unit of work: an asset, or some of its partitions. */
export interface PlannedStep {
  /** `key` or `key[partition]`; unique within a run. */
  id: string
  assetKey: string
  partitionKeys: string[]
  /** Steps of this run that must finish first. */
  upstream: string[]
  downstream: string[]
  /** Position in the topological order; lower runs first when both are ready. */
  order: number
}

export interface ExecutionPlan {
  steps: Map<string, PlannedStep>
}

/** A step per selected (unpartitioned) asset, wired to the selected upstream steps. */
export function planAssets(defs: Definitions, orderedKeys: readonly string[]): ExecutionPlan {
  const steps = new Map<string, PlannedStep>()
  orderedKeys.forEach((key, order) => {
    steps.set(key, { id: key, assetKey: key, partitionKeys: [], upstream: [], downstream: [], order })
  })
  for (const step of steps.values()) {
    for (const up of defs.byKey.get(step.assetKey)!.upstreamKeys) {
      const upStep = steps.get(up)
      if (!upStep) continue
      step.upstream.push(upStep.id)
      upStep.downstream.push(step.id)
    }
  }
  return { steps }
}
