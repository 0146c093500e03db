/**
 * A project with something for every command to show: a daily-partitioned
 * asset, an unpartitioned one reading it (with a check that warns), a dynamic
 * partitions asset, an asset that always fails and one it blocks, a model
 * asset registering a version whose gate passed (production) and one whose
 * gate did not, and a served model.
 */
export const DEFS = `import { asset, check, dailyPartitions, defineDefinitions, dynamicPartitions, servedModel } from 'strata-engine'

const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-05' })
export const events = asset({ key: 'raw/events', group: 'raw', partitions: days, compute: (ctx) => [ctx.partitionKey, 1] })
export const regions = asset({ key: 'raw/regions', group: 'raw', partitions: dynamicPartitions('region'), compute: (ctx) => ctx.partitionKey })
export const total = asset({
  key: 'total',
  ins: { events },
  compute: (_ctx, { events }) => events.size,
  checks: [check({ name: 'large', blocking: false, fn: (_c, n) => ({ passed: n > 100, message: n + ' rows' }) })],
})
export const broken = asset({ key: 'broken', ins: { total }, compute: () => { throw new Error('boom') } })
export const after = asset({ key: 'after', ins: { broken }, compute: (_c, { broken }) => broken })
export const model = asset({
  key: 'model',
  ins: { total },
  compute: (ctx, { total }) => {
    ctx.registry.register({ name: 'delay', metrics: { auc: 0.8 }, gate: { passed: true, reasons: ['auc 0.8 ≥ 0.75'] }, stage: 'production' })
    ctx.registry.register({ name: 'weak', metrics: { auc: 0.6 }, gate: { passed: false, reasons: ['auc 0.6 < 0.75'] }, stage: 'production' })
    return { weights: [total] }
  },
})
export default defineDefinitions({
  assets: [events, regions, total, broken, after, model],
  serving: {
    delay: servedModel({ load: (a) => a, parseInstance: (j) => j, predict: (_m, xs) => xs.map(() => ({ probability: 0.5, label: 'on_time' })) }),
  },
})
`

/** A partitioned asset whose steps take a minute: a backfill of it can be killed while it runs. */
export const SLOW_DEFS = `import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const slow = asset({
  key: 'slow',
  partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-03' }),
  compute: () => new Promise((resolve) => setTimeout(() => resolve(1), 60_000)),
})
export default defineDefinitions({ assets: [slow] })
`
