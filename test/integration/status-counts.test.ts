import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProject } from './helpers.js'

const defs = (version: string) => `
import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
export const a = asset({ key: 'a', codeVersion: '${version}', partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-11' }), compute: (ctx) => {
  if (ctx.partitionKey === '2024-01-09') throw new Error('bad day')
  return ctx.partitionKey
} })
export default defineDefinitions({ assets: [a] })
`

test('status --json counts (database summary) agree with the per-partition listing', async () => {
  const p = createProject(defs('v1'))
  try {
    await p.ok(['materialize', '--partition', '2024-01-01,2024-01-02,2024-01-03,2024-01-09', '--executor', 'in-process'], 1)
    p.writeDefs(defs('v2'))
    await p.ok(['materialize', '--partition', '2024-01-02', '--executor', 'in-process'])
    const summary = (await p.ok(['status', 'a', '--json'])).json as { total: number; counts: Record<string, number> }
    const listing = (await p.ok(['status', 'a', '--json', '--partitions'])).json as { counts: Record<string, number>; partitions: Array<{ status: string }> }
    assert.deepEqual(summary.counts, { FRESH: 1, STALE: 2, MISSING: 6, FAILED: 1, IN_PROGRESS: 0 })
    assert.equal(summary.total, 10)
    assert.deepEqual(summary.counts, listing.counts)
  } finally {
    p.cleanup()
  }
})
