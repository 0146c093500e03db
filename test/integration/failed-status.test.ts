// A failed last attempt is visible where people look: `strata list` and
// `strata why` (text and JSON) show FAILED with the error's first line, the
// run and the time, over MISSING/STALE/FRESH, and keep the last good
// materialization; `materialize --stale` rebuilds a failed asset; a success
// clears it. Partitioned assets keep their summary status.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { assetsByKey, get, stepsByKey, withProject, type Project } from './helpers.js'

const IN_PROCESS = ['--executor', 'in-process']

/** b throws (a two-line error) while fail.flag exists; c reads b. */
const DEFS = `import { existsSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const FLAG = new URL('./fail.flag', import.meta.url)
export const a = asset({ key: 'raw/a', compute: () => [1, 2, 3] })
export const b = asset({
  key: 'b',
  ins: { a },
  compute: (_ctx, { a }) => {
    if (existsSync(FLAG)) throw new Error('boom: b exploded\\n  while doubling ' + a.length + ' values')
    return a.map((x) => x * 2)
  },
})
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.length })
export default defineDefinitions({ assets: [a, b, c] })
`

/** The line of `strata list` text output for an asset key. */
async function listLine(p: Project, key: string): Promise<string> {
  const out = (await p.ok(['list'])).stdout
  const line = out.split('\n').find((l) => l.split(/\s+/)[1] === key)
  assert.ok(line, `no line for ${key} in:\n${out}`)
  return line
}

describe('failed last attempts', { concurrency: 2 }, () => {
  it('a throwing asset is FAILED in list and why, with the first line of its error and the run; fixing it makes it FRESH', () =>
    withProject(DEFS, async (p) => {
      p.write('fail.flag', '')
      const before = Date.now()
      const bad = await p.ok(['materialize', '--json', ...IN_PROCESS], 1)
      const runId = bad.json.runId as string

      const listed = assetsByKey(await p.ok(['list', '--json']))
      const b = get(listed, 'b')
      assert.equal(b.status, 'FAILED')
      assert.equal(b.freshness, 'MISSING')
      assert.equal(b.failure?.message, 'boom: b exploded', 'the first line only')
      assert.equal(b.failure?.runId, runId)
      const at = Date.parse(b.failure!.at)
      assert.ok(at >= before && at <= Date.now(), `failure time ${b.failure!.at}`)
      assert.equal(b.dataVersion, null)
      // Not attempted (skipped) or built: no failure of their own.
      assert.equal(get(listed, 'c').status, 'MISSING')
      assert.equal(get(listed, 'c').failure, null)
      assert.equal(get(listed, 'raw/a').status, 'FRESH')
      assert.equal(get(listed, 'raw/a').failure, null)

      const line = await listLine(p, 'b')
      assert.match(line, /✗ FAILED/)
      assert.match(line, /never/)
      assert.match(line, new RegExp(`run ${runId.slice(0, 8)}: boom: b exploded`))
      assert.doesNotMatch(line, /while doubling/)
      assert.match((await p.ok(['list'])).stdout, /3 assets: 1 fresh, 0 stale, 1 missing, 1 failed/)

      const why = (await p.ok(['why', 'b'])).stdout
      assert.match(why, /b is ✗ FAILED \(never materialized\)/)
      assert.match(why, new RegExp(`last attempt failed .* in run ${runId.slice(0, 8)}: boom: b exploded`))
      assert.match(why, new RegExp(`strata logs ${runId}`))
      assert.doesNotMatch(why, /while doubling/)
      const whyJson = (await p.ok(['why', 'b', '--json'])).json
      assert.equal(whyJson.status, 'FAILED')
      assert.equal(whyJson.freshness, 'MISSING')
      assert.deepEqual({ message: whyJson.failure.message, runId: whyJson.failure.runId }, { message: 'boom: b exploded', runId })

      rmSync(join(p.dir, 'fail.flag'))
      const fixed = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.equal(get(stepsByKey(fixed), 'b').status, 'SUCCESS')
      const after = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(after, 'b').status, 'FRESH')
      assert.equal(get(after, 'b').failure, null)
      assert.equal(get(after, 'c').status, 'FRESH')
      assert.match((await p.ok(['why', 'b'])).stdout, /b is ● FRESH/)
    }))

  it('a failure after a success keeps the last good materialization, and materialize --stale rebuilds it', () =>
    withProject(DEFS, async (p) => {
      const good = await p.ok(['materialize', '--json', ...IN_PROCESS])
      const goodB = get(stepsByKey(good), 'b')
      p.write('fail.flag', '')
      const bad = await p.ok(['materialize', 'b', '--json', ...IN_PROCESS], 1)

      const listed = assetsByKey(await p.ok(['list', '--json']))
      const b = get(listed, 'b')
      assert.equal(b.status, 'FAILED', 'FAILED over FRESH')
      assert.equal(b.freshness, 'FRESH')
      assert.equal(b.failure?.runId, bad.json.runId)
      assert.equal(b.dataVersion, goodB.dataVersion, 'the last good data version is still shown')
      assert.equal(b.lastRunId, good.json.runId)
      assert.equal(get(listed, 'c').status, 'FRESH', 'downstream still reads the last good value')
      const line = await listLine(p, 'b')
      assert.match(line, /✗ FAILED\s+\d+s ago/, 'the age of the last good materialization')
      const why = (await p.ok(['why', 'b'])).stdout
      assert.match(why, new RegExp(`last good materialization .*data ${goodB.dataVersion!.slice(0, 12)}`))
      assert.match(why, /boom: b exploded/)

      // Inputs and code are unchanged, yet it is not up to date: --stale tries it again.
      const retried = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS], 1)
      assert.deepEqual([...stepsByKey(retried).keys()], ['b'])
      assert.equal(get(stepsByKey(retried), 'b').status, 'FAILURE')
      assert.equal(get(assetsByKey(await p.ok(['list', '--json'])), 'b').failure?.runId, retried.json.runId, 'the newest failure is shown')

      rmSync(join(p.dir, 'fail.flag'))
      const fixed = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      const steps = stepsByKey(fixed)
      assert.equal(get(steps, 'b').status, 'SUCCESS', 'run, not skipped as up to date')
      assert.equal(get(steps, 'b').dataVersion, goodB.dataVersion)
      const after = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(after, 'b').status, 'FRESH')
      assert.equal(get(after, 'b').failure, null)
      const nothing = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.equal(nothing.json.runId, null, 'a cleared failure needs nothing more')
    }))

  it('partitioned assets keep their summary status; a failed partition counts as FAILED and --stale rebuilds it', () =>
    withProject(
      `import { existsSync } from 'node:fs'
import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const daily = asset({
  key: 'daily',
  partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-04' }),
  compute: (ctx) => {
    if (existsSync('fail-' + ctx.partitionKey)) throw new Error('bad day ' + ctx.partitionKey)
    return { day: ctx.partitionKey }
  },
})
export default defineDefinitions({ assets: [daily] })
`,
      async (p) => {
        await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
        p.write('fail-2024-01-02', '')
        await p.ok(['materialize', 'daily', '--partition', '2024-01-02', '--json', ...IN_PROCESS], 1)
        const daily = get(assetsByKey(await p.ok(['list', '--json'])), 'daily') as any
        assert.equal(daily.status, 'FRESH', 'a partitioned asset is summarized over its partitions, as before')
        assert.equal(daily.failure, null)
        assert.equal(daily.partitions.FAILED, 1)
        assert.equal(daily.partitions.FRESH, 2)

        rmSync(join(p.dir, 'fail-2024-01-02'))
        const rebuilt = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
        const steps = rebuilt.json.steps as Array<{ key: string; status: string; partitionKeys?: string[] }>
        assert.deepEqual(
          steps.map((s) => [s.key, s.status]),
          [['daily', 'SUCCESS']],
          'only the failed partition is rebuilt',
        )
        assert.equal((get(assetsByKey(await p.ok(['list', '--json'])), 'daily') as any).partitions.FAILED, 0)
      },
    ))
})
