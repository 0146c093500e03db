// README "Partitions", verbatim: compiled by `npm run typecheck`;
// readme-snippets.test.ts checks it is still what the README shows. Only
// the helpers the snippet calls are declared here.
declare function load(window: { start: Date; end: Date }): number[]
declare function summarize(days: Map<string, number[]>): number

import { asset, dailyPartitions, timeWindowMapping, self, type AssetDefinition } from 'strata-engine'

const days = dailyPartitions({ start: '2024-01-01' })            // UTC; end exclusive; keys YYYY-MM-DD
export const events = asset({ key: 'raw/events', partitions: days, compute: (ctx) => load(ctx.partitionWindow!) })
export const rolling = asset({
  key: 'features/rolling',
  partitions: days,
  // reads the 7 previous days, never the day itself or later
  ins: { events: { asset: events, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } },
  compute: (ctx, { events }) => summarize(events),               // a Map: partition key → value, in order
})
// a self input's type is the asset's own value type, which TypeScript takes from the declaration
export const total: AssetDefinition<number> = asset({
  key: 'running-total',
  partitions: days,
  ins: { today: events, prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } },
  compute: (ctx, { today, prev }) => (prev ?? 0) + today.length,  // prev: number | undefined (the first day has none)
})
