// Type-level tests, compiled by `npm run typecheck`: an input's type follows
// its mapping (one value, maybe none, or a Map of partition key → value), as
// the engine delivers it. Each @ts-expect-error line is a misuse that must
// not compile; if a type became too loose, the directive itself would fail.
import {
  allMapping,
  asset,
  dailyPartitions,
  dimensionMapping,
  identityMapping,
  lastMapping,
  multiMapping,
  output,
  self,
  staticMapping,
  timeWindowMapping,
  type AssetDefinition,
  type PartitionMapping,
} from 'strata-engine'

const days = dailyPartitions({ start: '2024-01-01' })
const events = asset({ key: 'events', partitions: days, compute: () => [1, 2, 3] })

// Several upstream partitions: a Map.
asset({
  key: 'weekly',
  partitions: days,
  ins: { week: { asset: events, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } },
  compute: (_ctx, { week }) => {
    // @ts-expect-error a Map has no length
    week.length
    const m: Map<string, number[]> = week
    return m.size
  },
})
asset({
  key: 'maps',
  ins: {
    all: { asset: events, mapping: allMapping() },
    some: { asset: events, mapping: staticMapping({ '2024-01-01': 'x' }) },
    multi: { asset: events, mapping: multiMapping() },
    dim: { asset: events, mapping: dimensionMapping('date') },
    wider: { asset: events, mapping: timeWindowMapping({ startOffset: -1 }) },
  },
  compute: (_ctx, { all, some, multi, dim, wider }) => {
    // @ts-expect-error a Map is not an array
    all.map((x: number) => x)
    const maps: Array<Map<string, number[]>> = [all, some, multi, dim, wider]
    return maps.length
  },
})

// One upstream partition: the value itself, as before.
asset({
  key: 'ones',
  partitions: days,
  ins: {
    plain: events,
    spec: { asset: events },
    same: { asset: events, mapping: identityMapping() },
    last: { asset: events, mapping: lastMapping() },
    window: { asset: events, mapping: timeWindowMapping() },
    zero: { asset: events, mapping: timeWindowMapping({ startOffset: 0, endOffset: 0 }) },
  },
  compute: (_ctx, { plain, spec, same, last, window, zero }) => plain.length + spec.length + same.length + last.length + window.length + zero.length,
})

// One partition or none: T | undefined.
asset({
  key: 'maybe',
  partitions: days,
  ins: {
    yesterday: { asset: events, mapping: timeWindowMapping({ endOffset: -1 }) },
    optional: { asset: events, allowMissing: true },
    shifted: { asset: events, mapping: timeWindowMapping({ startOffset: 1, endOffset: 1 }), allowFuture: true },
    sparse: { asset: events, mapping: timeWindowMapping({ allowNonexistent: true }) },
  },
  compute: (_ctx, { yesterday, optional, shifted, sparse }) => {
    // @ts-expect-error possibly undefined
    yesterday.length
    // @ts-expect-error possibly undefined
    optional.length
    // @ts-expect-error possibly undefined
    shifted.length
    // @ts-expect-error possibly undefined
    sparse.length
    return (yesterday?.length ?? 0) + (optional?.length ?? 0) + (shifted?.length ?? 0) + (sparse?.length ?? 0)
  },
})

// A self input has the asset's declared type, and is undefined where no earlier partition exists.
export const running: AssetDefinition<number> = asset({
  key: 'running',
  partitions: days,
  ins: { today: events, prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } },
  compute: (_ctx, { today, prev }) => {
    // @ts-expect-error prev is number | undefined: check it first
    const wrong: number = prev + today.length
    return wrong && (prev ?? 0) + today.length
  },
})
export const history: AssetDefinition<{ n: number }> = asset({
  key: 'history',
  partitions: days,
  ins: { before: { asset: self, mapping: timeWindowMapping({ startOffset: -3, endOffset: -1 }) } },
  compute: async (_ctx, { before }) => output({ n: [...before.values()].reduce((sum, v) => sum + v.n, 0) }, { metadata: {} }),
})
// @ts-expect-error the declared type must be what compute returns
export const mislabeled: AssetDefinition<string> = asset({ key: 'mislabeled', ins: { prev: { asset: self } }, compute: () => 1 })

// A hand-written mapping may deliver any of the three; typed, it delivers what it says.
declare const handWritten: PartitionMapping
declare const rangeMapping: PartitionMapping<'many'>
asset({
  key: 'custom',
  ins: { any: { asset: events, mapping: handWritten }, range: { asset: events, mapping: rangeMapping } },
  compute: (_ctx, { any, range }) => {
    // @ts-expect-error could be undefined or a Map
    any.length
    const either: number[] | undefined | Map<string, number[]> = any
    return either && range.size
  },
})

// Offsets only known at run time: any of the three.
declare const offset: number
asset({
  key: 'dynamic',
  ins: { e: { asset: events, mapping: timeWindowMapping({ startOffset: offset, endOffset: offset }) } },
  compute: (_ctx, { e }) => {
    // @ts-expect-error not known to be one value
    const one: number[] = e
    return one
  },
})
