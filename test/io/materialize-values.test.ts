// Through a real `strata materialize` (pool workers): a downstream compute
// receives the Date, Map, Set, BigInt and NaN its upstream returned, and a
// value that cannot be stored fails its step with STRATA_UNSUPPORTED_VALUE,
// naming the path, without a retry and without replacing the last good value.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { get, stepsByKey, withProject } from '../integration/helpers.js'

const DEFS = `import { existsSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const FLAG = new URL('./bad.flag', import.meta.url)
class Reading { constructor(public at: Date) {} }
export const events = asset({
  key: 'events',
  retry: { maxRetries: 2 },
  compute: () => {
    const rows: unknown[] = [{ id: 1n, when: new Date(Date.UTC(2024, 1, 29, 12)) }]
    if (existsSync(FLAG)) rows.push({ id: 2n, when: new Reading(new Date(0)) })
    return { rows, byRegion: new Map([['eu', 3], ['us', 4]]), seen: new Set(['a']), missing: NaN, gone: undefined }
  },
})
export const summary = asset({
  key: 'summary',
  ins: { events },
  compute: (_ctx, { events }) => {
    const first = events.rows[0] as { id: bigint; when: Date }
    return {
      year: first.when.getUTCFullYear(),
      eu: events.byRegion.get('eu'),
      regions: [...events.byRegion.keys()],
      hasA: events.seen.has('a'),
      idType: typeof first.id,
      missingIsNaN: Number.isNaN(events.missing),
      goneKept: 'gone' in events && events.gone === undefined,
    }
  },
})
export default defineDefinitions({ assets: [events, summary] })
`

describe('values through strata materialize', () => {
  it('the downstream receives a real Date and Map; an unstorable value fails the step with its path', () =>
    withProject(DEFS, async (p) => {
      const good = await p.ok(['materialize', '--json'])
      assert.equal(good.json.status, 'SUCCESS')
      const lineage = (await p.ok(['lineage', 'summary', '--json'])).json
      assert.deepEqual(p.readObject(lineage.location), { year: 2024, eu: 3, regions: ['eu', 'us'], hasA: true, idType: 'bigint', missingIsNaN: true, goneKept: true })

      p.write('bad.flag', '')
      const bad = await p.ok(['materialize', 'events', '--json'], 1)
      const step = get(stepsByKey(bad), 'events')
      assert.equal(step.status, 'FAILURE')
      assert.equal(step.errorCode, 'STRATA_UNSUPPORTED_VALUE')
      assert.match(step.error!, /^value\.rows\[1\]\.when: class instance Reading cannot be stored/)
      assert.equal(step.attempts, 1, 'a value that cannot be stored is not retried')
      const latest = (await p.ok(['lineage', 'events', '--json'])).json
      assert.equal(latest.runId, good.json.runId, 'the last good materialization stays the latest')
    }))
})
