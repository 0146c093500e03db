// The structure of a definition is part of its version: each kind of edit
// makes exactly that asset (and what reads it) stale, with a reason that says
// what changed. Through the real CLI on a throwaway partitioned project.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assetsByKey, get, withProject, type Project } from './helpers.js'

interface Variant {
  history?: string
  today?: string
  deps?: string
  backfill?: string
  blocking?: string
  minN?: number
  inputs?: string
}

const defs = (v: Variant = {}) => `import { allMapping, asset, check, dailyPartitions, dataContract, defineDefinitions, timeWindowMapping } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-11' })
export const events = asset({ key: 'raw/events', partitions: days, compute: (ctx) => [{ n: ctx.partitionKey!.length }] })
export const other = asset({ key: 'raw/other', partitions: days, compute: () => [{ n: 1 }] })
export const side = asset({ key: 'raw/side', compute: () => 1 })
export const rolling = asset({
  key: 'features/rolling',
  partitions: days,
  ins: { today: ${v.today ?? 'events'}, history: { asset: events, mapping: ${v.history ?? 'timeWindowMapping({ startOffset: -3, endOffset: -1 })'} } },
  ${v.deps ?? ''}
  ${v.backfill ?? ''}
  ${v.inputs ?? ''}
  checks: [
    check({ name: 'nonempty', ${v.blocking ?? ''} fn: (_ctx, rows: unknown[]) => rows.length > 0 }),
    dataContract({ source: 'rolling', fields: [{ name: 'n', type: 'integer', min: ${v.minN ?? 0} }] }, { name: 'inline' }),
    dataContract({ file: new URL('./rolling.contract.yaml', import.meta.url) }),
  ],
  compute: (_ctx, { today }) => today,
})
export const report = asset({ key: 'report', ins: { rolling: { asset: rolling, mapping: allMapping() } }, compute: (_ctx, { rolling }) => rolling.size })
export default defineDefinitions({ assets: [events, other, side, rolling, report] })
`

const CONTRACT = (max: number) => `source: rolling\nfields:\n  - { name: n, type: integer, nullable: false, max: ${max} }\n`

/** The reasons of one partition of features/rolling, as `strata why --partition` gives them. */
async function rollingReasons(p: Project): Promise<{ status: string; reasons: string[]; kinds: string[] }> {
  const r = (await p.ok(['why', 'features/rolling', '--partition', '2024-01-05', '--json'])).json
  return { status: r.status, reasons: r.reasons, kinds: r.reasonDetails.map((d: { kind: string }) => d.kind) }
}

async function statuses(p: Project): Promise<Record<string, string>> {
  const listed = assetsByKey(await p.ok(['list', '--json']))
  return Object.fromEntries([...listed.values()].map((a) => [a.key, a.status]))
}

describe('definition structure through the CLI', () => {
  it('each structure edit makes the asset and its readers stale, with a reason naming it', { timeout: 240_000 }, () =>
    withProject(defs(), async (p) => {
      p.write('rolling.contract.yaml', CONTRACT(100))
      await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])
      const fresh = { 'raw/events': 'FRESH', 'raw/other': 'FRESH', 'raw/side': 'FRESH', 'features/rolling': 'FRESH', report: 'FRESH' }
      assert.deepEqual(await statuses(p), fresh)

      // The mapping's offsets: today also reads day 0, which `today` already consumed, so lineage alone would not notice.
      p.writeDefs(defs({ history: 'timeWindowMapping({ startOffset: -3, endOffset: 0 }), allowFuture: false' }))
      assert.deepEqual(await statuses(p), { ...fresh, 'features/rolling': 'STALE', report: 'STALE' })
      const mapped = await rollingReasons(p)
      assert.equal(mapped.status, 'STALE')
      assert.deepEqual(mapped.reasons, ['mapping of input "history" changed: -3..-1 → -3..0'])
      assert.deepEqual(mapped.kinds, ['DEFINITION_CHANGED'])
      const report = assetsByKey(await p.ok(['list', '--json'])).get('report')!
      assert.match(report.reasons[0]!, /upstream features\/rolling\[2024-01-\d\d\] is stale \(root cause: features\/rolling\[2024-01-\d\d\]: mapping of input "history" changed: -3\.\.-1 → -3\.\.0\)/)

      const expectReason = async (variant: Variant, reason: string | RegExp, what: string) => {
        p.writeDefs(defs(variant))
        const r = await rollingReasons(p)
        assert.equal(r.status, 'STALE', `${what}: ${r.reasons.join('; ')}`)
        if (typeof reason === 'string') assert.ok(r.reasons.includes(reason), `${what}: expected "${reason}" in ${JSON.stringify(r.reasons)}`)
        else assert.ok(r.reasons.some((x) => reason.test(x)), `${what}: expected ${reason} in ${JSON.stringify(r.reasons)}`)
        return r
      }
      await expectReason({ history: 'timeWindowMapping({ startOffset: -3, endOffset: -1 }), allowMissing: true' }, 'allowMissing of input "history" changed: false → true', 'allowMissing')
      await expectReason({ today: 'other' }, 'input "today" now reads raw/other (was raw/events)', 'the upstream of an input')
      await expectReason({ backfill: 'backfillPolicy: { maxPartitionsPerStep: 5 },' }, 'backfill policy changed: none → 5 partitions per step', 'the backfill policy')
      await expectReason({ blocking: 'blocking: false,' }, 'check "nonempty" is now non-blocking', 'a check made non-blocking')
      await expectReason({ minN: 1 }, 'contract of check "inline" changed', 'an inline contract')
      await expectReason({ inputs: "versionInputs: { threshold: 0.5 }," }, 'new version input "threshold"', 'a version input')
      // A new dependency keeps its existing reason (lineage names it: raw/side is materialized).
      const added = await expectReason({ deps: 'deps: [side],' }, 'new dependency raw/side', 'a dependency added')
      assert.equal(added.reasons.filter((x) => x === 'new dependency raw/side').length, 1, 'named once')

      // A contract file's content.
      p.writeDefs(defs())
      assert.deepEqual(await statuses(p), fresh, 'the original definition is the materialized version again')
      p.write('rolling.contract.yaml', CONTRACT(99))
      const contract = await rollingReasons(p)
      assert.deepEqual(contract.reasons, ['contract of check "contract" changed'])
      assert.deepEqual(await statuses(p), { ...fresh, 'features/rolling': 'STALE', report: 'STALE' })

      // Rebuilding the stale assets makes everything fresh; the upstreams were never rebuilt.
      const rebuilt = (await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])).json
      assert.deepEqual([...new Set(rebuilt.steps.map((s: { key: string }) => s.key))].sort(), ['features/rolling', 'report'])
      assert.deepEqual(await statuses(p), fresh)
      const why = await p.ok(['why', 'features/rolling'])
      assert.match(why.stdout, /FRESH/)
      assert.equal(get(assetsByKey(await p.ok(['list', '--json'])), 'features/rolling').status, 'FRESH')
    }))
})
