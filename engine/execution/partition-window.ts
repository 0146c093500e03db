import type { TimeWindowPartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetDefinition } from '../../assets/types.js'

/** The time window a step covers: from the first partition's start to the last one's end (epoch ms). */
export function windowOf(asset: AssetDefinition<any>, partitionKeys: readonly string[]): { start: number; end: number } | undefined {
  const def = asset.partitions
  if (!def || def.kind !== 'time-window' || partitionKeys.length === 0) return undefined
  const tw = def as TimeWindowPartitionsDefinition
  return { start: tw.window(partitionKeys[0]!).start.getTime(), end: tw.window(partitionKeys[partitionKeys.length - 1]!).end.getTime() }
}
