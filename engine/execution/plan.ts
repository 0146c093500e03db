import type { Definitions } from '../../assets/types.js'
import { planTargets } from '../partitions/plan.js'

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

/** A step per selected unpartitioned asset, wired to the selected upstream steps. */
export function planAssets(defs: Definitions, orderedKeys: readonly string[]): ExecutionPlan {
  return planTargets(defs, orderedKeys, new Map(orderedKeys.map((k) => [k, []])), {})
}
