/**
 * Dagster's default mappings, and the check the engine runs when it loads
 * definitions: does a mapping make sense between two partitions definitions?
 */
import { StrataError } from '../../errors.js'
import { DynamicPartitions } from '../dynamic.js'
import { MultiPartitions } from '../multi.js'
import { StaticPartitions, previewKeys } from '../static.js'
import { TimeWindowPartitions } from '../time-window.js'
import type { PartitionMapping, PartitionsDefinition } from '../types.js'
import { AllMapping, IdentityMapping, LastMapping, allMapping, identityMapping } from './basic.js'
import { DimensionMapping, MultiMapping, dimensionMapping, multiMapping } from './multi-mapping.js'
import { StaticMapping } from './static-mapping.js'
import { TimeWindowMapping, timeWindowMapping } from './time-window-mapping.js'

/** The dimension of `multi` that corresponds to `single`: same definition, else its only time dimension. */
export function matchingDimension(multi: MultiPartitions, single: PartitionsDefinition): string | undefined {
  const same = multi.dimensions.find((d) => d.partitions.id === single.id)
  if (same) return same.name
  if (single instanceof TimeWindowPartitions) {
    const times = multi.dimensions.filter((d) => d.partitions instanceof TimeWindowPartitions)
    if (times.length === 1) return times[0]!.name
  }
  return undefined
}

/**
 * Dagster's defaults: time windows on both sides → timeWindowMapping()
 * (overlap); an unpartitioned side → allMapping(); multi on both sides →
 * multiMapping() (per-dimension defaults); multi on one side with a matching
 * dimension → dimensionMapping(dim); otherwise identityMapping().
 */
export function defaultMapping(downstream: PartitionsDefinition | undefined, upstream: PartitionsDefinition | undefined): PartitionMapping {
  if (!downstream || !upstream) return allMapping()
  if (downstream instanceof TimeWindowPartitions && upstream instanceof TimeWindowPartitions) return timeWindowMapping()
  const downMulti = downstream instanceof MultiPartitions
  const upMulti = upstream instanceof MultiPartitions
  if (downMulti && upMulti) return multiMapping({})
  if (downMulti || upMulti) {
    const dim = downMulti ? matchingDimension(downstream, upstream) : matchingDimension(upstream as MultiPartitions, downstream)
    if (dim !== undefined) return dimensionMapping(dim)
  }
  return identityMapping()
}

function kindName(def: PartitionsDefinition): string {
  if (def instanceof TimeWindowPartitions) return `${def.granularity} partitions (${def.id})`
  if (def instanceof StaticPartitions) return `static partitions (${previewKeys(def.staticKeys, 5)})`
  if (def instanceof DynamicPartitions) return `dynamic partitions "${def.name}"`
  if (def instanceof MultiPartitions) return `multi partitions (${def.dimensions.map((d) => d.name).join(', ')})`
  return `${def.kind} partitions (${def.id})`
}

/** Why identity cannot work between two definitions, or undefined if it can. */
function identityProblem(down: PartitionsDefinition, up: PartitionsDefinition, downKey: string, upKey: string): string | undefined {
  const loose = (d: PartitionsDefinition): boolean => d instanceof DynamicPartitions || d instanceof StaticPartitions
  if (down instanceof TimeWindowPartitions && up instanceof TimeWindowPartitions) {
    if (down.cron === up.cron && down.timezone === up.timezone && down.fmt === up.fmt) return undefined
    return `"${upKey}" has ${kindName(up)} and "${downKey}" has ${kindName(down)}, so their keys name different windows. Use timeWindowMapping() to map by time overlap`
  }
  if (down instanceof StaticPartitions && up instanceof StaticPartitions) {
    const absent = down.staticKeys.filter((k) => !up.has(k))
    if (absent.length === 0) return undefined
    return `keys ${previewKeys(absent, 5)} of "${downKey}" are not partitions of "${upKey}" (${previewKeys(up.staticKeys, 5)}). Use staticMapping({ upstreamKey: downstreamKey }) to pair differing keys`
  }
  if (loose(down) && loose(up)) return undefined
  if (down instanceof MultiPartitions && up instanceof MultiPartitions) {
    const names = (d: MultiPartitions): string => d.dimensions.map((x) => x.name).join(', ')
    if (names(down) !== names(up)) return `"${upKey}" has dimensions ${names(up)} and "${downKey}" has ${names(down)}`
    for (const d of down.dimensions) {
      const why = identityProblem(d.partitions, up.dimension(d.name), `${downKey}[${d.name}]`, `${upKey}[${d.name}]`)
      if (why) return why
    }
    return undefined
  }
  return `"${upKey}" has ${kindName(up)} and "${downKey}" has ${kindName(down)}: their keys never match`
}

/**
 * Throws STRATA_PARTITION_MISMATCH when `mapping` (or the default mapping)
 * cannot relate the partitions of `downKey` to those of `upKey`.
 */
export function checkMappingCompatible(
  downKey: string,
  upKey: string,
  downDef: PartitionsDefinition | undefined,
  upDef: PartitionsDefinition | undefined,
  mapping?: PartitionMapping,
): void {
  const m = mapping ?? defaultMapping(downDef, upDef)
  const where = `Asset "${downKey}" reads "${upKey}" with ${m.description ?? m.kind}`
  const fail = (why: string): never => {
    throw new StrataError('STRATA_PARTITION_MISMATCH', `${where}, but ${why}.`, { downstream: downKey, upstream: upKey, mapping: m.kind })
  }
  const describe = (def: PartitionsDefinition | undefined): string => (def ? kindName(def) : 'unpartitioned')
  if (m instanceof AllMapping || m instanceof LastMapping) return
  if (m instanceof IdentityMapping) {
    if (!downDef && !upDef) return
    if (!downDef || !upDef) {
      fail(`"${upKey}" is ${describe(upDef)} and "${downKey}" is ${describe(downDef)}. Use allMapping() to read every partition`)
    }
    const why = identityProblem(downDef!, upDef!, downKey, upKey)
    if (why) fail(why)
    return
  }
  if (m instanceof TimeWindowMapping) {
    if (!(downDef instanceof TimeWindowPartitions) || !(upDef instanceof TimeWindowPartitions)) {
      fail(`it needs time-window partitions on both sides; "${upKey}" is ${describe(upDef)} and "${downKey}" is ${describe(downDef)}`)
    }
    return
  }
  if (m instanceof StaticMapping) {
    if (!downDef || !upDef) fail(`it needs partitions on both sides; "${upKey}" is ${describe(upDef)} and "${downKey}" is ${describe(downDef)}`)
    const known = (def: PartitionsDefinition, key: string): boolean =>
      def instanceof StaticPartitions ? def.has(key) : def instanceof TimeWindowPartitions ? def.indexOf(key) !== undefined : true
    const badUp = [...m.edges.keys()].filter((k) => !known(upDef!, k))
    if (badUp.length) fail(`${previewKeys(badUp, 5)} ${badUp.length === 1 ? 'is not a partition' : 'are not partitions'} of "${upKey}" (${describe(upDef)})`)
    const badDown = [...new Set([...m.edges.values()].flat())].filter((k) => !known(downDef!, k))
    if (badDown.length) fail(`${previewKeys(badDown, 5)} ${badDown.length === 1 ? 'is not a partition' : 'are not partitions'} of "${downKey}" (${describe(downDef)})`)
    return
  }
  if (m instanceof MultiMapping) {
    let down: MultiPartitions, up: MultiPartitions
    try {
      ;[down, up] = m.sides({ downstream: downDef, upstream: upDef })
    } catch (err) {
      return fail(err instanceof Error ? err.message.replace(/\.$/, '') : String(err))
    }
    for (const d of down.dimensions) {
      checkMappingCompatible(`${downKey}[${d.name}]`, `${upKey}[${d.name}]`, d.partitions, up.dimension(d.name), m.mappingFor(d.name, down, up))
    }
    return
  }
  if (m instanceof DimensionMapping) {
    let s: ReturnType<DimensionMapping['sides']>
    try {
      s = m.sides({ downstream: downDef, upstream: upDef })
    } catch (err) {
      return fail(err instanceof Error ? err.message.replace(/\.$/, '') : String(err))
    }
    const dimKey = (k: string): string => `${k}[${m.dimension}]`
    if (s.multiIsDown) checkMappingCompatible(dimKey(downKey), upKey, s.dim, s.single, m.inner)
    else checkMappingCompatible(downKey, dimKey(upKey), s.single, s.dim, m.inner)
  }
}
