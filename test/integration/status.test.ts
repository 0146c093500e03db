// Staleness, early cut-off, lineage and run logs, driven through the real CLI
// on throwaway projects.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assetsByKey, get, stepsByKey, withProject } from './helpers.js'

const IN_PROCESS = ['--executor', 'in-process']

/** raw/a → b → c, with b's compute body (and extra spec fields) given. */
function chain(bBody: string, bExtra = ''): string {
  return `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', group: 'raw', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, ${bExtra} compute: (_ctx, { a }) => ${bBody} })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => ({ count: b.length, total: b.reduce((s, x) => s + x, 0) }) })
export default defineDefinitions({ assets: [a, b, c] })
`
}

describe('staleness and lineage through the CLI', { concurrency: 2 }, () => {
  it('diamond: materializes, is fresh, and lineage matches what materialize reported', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', group: 'raw', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.map((x) => x * 2) })
export const c = asset({ key: 'c', ins: { a }, compute: (_ctx, { a }) => a.map((x) => x + 100) })
export const d = asset({ key: 'd', ins: { b, c }, compute: (_ctx, { b, c }) => ({ sum: [...b, ...c].reduce((s, x) => s + x, 0) }) })
export default defineDefinitions({ assets: [a, b, c, d] })
`,
      async (p) => {
        // The default (pool) executor, as a user would run it.
        const mat = await p.ok(['materialize', '--json', '--concurrency', '2'])
        assert.equal(mat.json.status, 'SUCCESS')
        assert.equal(typeof mat.json.runId, 'string')
        const steps = stepsByKey(mat)
        assert.deepEqual([...steps.keys()].sort(), ['b', 'c', 'd', 'raw/a'])
        for (const s of steps.values()) {
          assert.equal(s.status, 'SUCCESS', `${s.key}: ${JSON.stringify(s)}`)
          assert.match(s.dataVersion ?? '', /^[0-9a-f]{8,}$/)
        }
        assert.equal(mat.json.steps[0].key, 'raw/a', 'steps are reported in topological order')
        assert.equal(mat.json.steps[3].key, 'd')

        const list = assetsByKey(await p.ok(['list', '--json']))
        for (const [key, a] of list) {
          assert.equal(a.status, 'FRESH', `${key} should be FRESH: ${a.reasons.join('; ')}`)
          assert.deepEqual(a.reasons, [])
          assert.equal(a.dataVersion, get(steps, key).dataVersion, `${key}: list and materialize disagree on the data version`)
          assert.equal(a.lastRunId, mat.json.runId)
        }

        const lin = (await p.ok(['lineage', 'd', '--json'])).json
        assert.equal(lin.key, 'd')
        assert.equal(lin.runId, mat.json.runId)
        assert.equal(lin.dataVersion, get(steps, 'd').dataVersion)
        assert.equal(lin.isLatest, true)
        const ups = new Map<string, any>(lin.upstream.map((u: any) => [u.key, u]))
        assert.deepEqual([...ups.keys()].sort(), ['b', 'c'])
        const aIds = new Set<number>()
        for (const key of ['b', 'c']) {
          const u = ups.get(key)
          assert.equal(u.input, key, `d reads ${key} through input "${key}"`)
          assert.equal(u.runId, mat.json.runId)
          assert.equal(u.dataVersion, get(steps, key).dataVersion)
          assert.equal(u.upstream.length, 1, `${key} has exactly one upstream`)
          const a = u.upstream[0]
          assert.equal(a.key, 'raw/a')
          assert.equal(a.input, 'a')
          assert.equal(a.dataVersion, get(steps, 'raw/a').dataVersion)
          assert.deepEqual(a.upstream, [])
          aIds.add(a.materializationId)
        }
        assert.equal(aIds.size, 1, 'b and c consumed the same materialization of raw/a')
        // The stored value behind d is the one computed from the stored b and c.
        assert.deepEqual(p.readObject(lin.location), { sum: 2 + 4 + 6 + 101 + 102 + 103 })
      },
    ))

  it('editing compute makes the asset and its downstream stale; explicit codeVersion pins it', () =>
    withProject(chain('a.map((x) => x * 2)'), async (p) => {
      await p.ok(['materialize', '--json', ...IN_PROCESS])

      p.writeDefs(chain('a.map((x) => x * 3)'))
      const list = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(list, 'raw/a').status, 'FRESH')
      const b = get(list, 'b')
      assert.equal(b.status, 'STALE')
      assert.deepEqual(b.reasonDetails.map((r) => r.kind), ['CODE_VERSION_CHANGED'])
      assert.equal(b.reasons[0], 'code changed: compute')
      const c = get(list, 'c')
      assert.equal(c.status, 'STALE')
      assert.deepEqual(c.reasonDetails.map((r) => r.kind), ['UPSTREAM_STALE'])
      assert.match(c.reasons[0]!, /upstream b is stale/)
      assert.match(c.reasons[0]!, /root cause: b: code changed: compute/)

      const why = await p.ok(['why', 'c'])
      assert.match(why.stdout, /c is .*STALE/)
      assert.match(why.stdout, /upstream b is stale/)
      assert.match(why.stdout, /root cause: b: code changed: compute/)
      const whyJson = (await p.ok(['why', 'c', '--json'])).json
      assert.deepEqual(
        whyJson.rootCauses.map((r: any) => [r.key, r.kind]),
        [['b', 'CODE_VERSION_CHANGED']],
      )

      // Pin b's code version, rebuild, then edit the body: still fresh.
      p.writeDefs(chain('a.map((x) => x * 3)', "codeVersion: 'v1',"))
      const rebuilt = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.deepEqual(
        rebuilt.json.steps.map((s: any) => [s.key, s.status]),
        [
          ['b', 'SUCCESS'],
          ['c', 'SUCCESS'],
        ],
      )
      p.writeDefs(chain('a.map((x) => x * 4)', "codeVersion: 'v1',"))
      const pinned = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(pinned, 'b').codeVersion, 'v1')
      for (const key of ['raw/a', 'b', 'c']) assert.equal(get(pinned, key).status, 'FRESH', `${key}: ${get(pinned, key).reasons.join('; ')}`)

      // Bumping the pinned version is what makes it stale.
      p.writeDefs(chain('a.map((x) => x * 4)', "codeVersion: 'v2',"))
      const bumped = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(bumped, 'b').status, 'STALE')
      assert.match(get(bumped, 'b').reasons[0]!, /code version changed \(v1 → v2\)/)
      assert.equal(get(bumped, 'c').status, 'STALE')
    }))

  it('early cut-off: an edit that keeps the output identical skips the downstream', async () => {
    const defs = (bBody: string, eBody: string) => `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => ${bBody} })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.length })
export const d = asset({ key: 'd', ins: { c }, compute: (_ctx, { c }) => c + 1 })
export const e = asset({ key: 'e', ins: { a }, compute: (_ctx, { a }) => ${eBody} })
export default defineDefinitions({ assets: [a, b, c, d, e] })
`
    await withProject(defs('a.map((x) => x * 2)', 'a.length'), async (p) => {
      const first = stepsByKey(await p.ok(['materialize', '--json', ...IN_PROCESS]))

      // b: new code, same output. e: new code, new output.
      p.writeDefs(defs('a.map((x) => x + x)', 'a.length * 10'))
      // The default (pool) executor, as a user would run it.
      const run = await p.ok(['materialize', '--stale', '--json', '--concurrency', '2'])
      assert.equal(run.json.status, 'SUCCESS')
      assert.equal(typeof run.json.runId, 'string')
      const steps = stepsByKey(run)
      assert.deepEqual([...steps.keys()].sort(), ['b', 'c', 'd', 'e'], 'only the stale assets are planned')
      const b = get(steps, 'b')
      assert.equal(b.status, 'SUCCESS')
      assert.equal(b.dataVersion, get(first, 'b').dataVersion, 'same output, same data version')
      for (const key of ['c', 'd']) {
        const s = get(steps, key)
        assert.equal(s.status, 'SKIPPED', key)
        assert.equal(s.skipReason, 'UP_TO_DATE', key)
        assert.equal(s.dataVersion, get(first, key).dataVersion, key)
      }
      const e = get(steps, 'e')
      assert.equal(e.status, 'SUCCESS')
      assert.notEqual(e.dataVersion, get(first, 'e').dataVersion)

      const again = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.equal(again.json.runId, null)
      assert.deepEqual(again.json.steps, [])
      const text = await p.ok(['materialize', '--stale', ...IN_PROCESS])
      assert.match(text.stdout, /nothing to materialize/)
    })
  })

  it('new upstream data makes the downstream stale with a "new data" reason', () =>
    withProject(
      `import { readFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({
  key: 'raw/a',
  codeVersion: 'reader-1',
  compute: () => JSON.parse(readFileSync(new URL('./input.json', import.meta.url), 'utf8')),
})
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.map((x) => x * 2) })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.length })
export default defineDefinitions({ assets: [a, b, c] })
`,
      async (p) => {
        p.write('input.json', '[1, 2, 3]')
        const first = stepsByKey(await p.ok(['materialize', '--json', ...IN_PROCESS]))

        p.write('input.json', '[1, 2, 3, 4]')
        const onlyA = stepsByKey(await p.ok(['materialize', 'raw/a', '--json', ...IN_PROCESS]))
        assert.deepEqual([...onlyA.keys()], ['raw/a'])
        const newA = get(onlyA, 'raw/a').dataVersion
        assert.notEqual(newA, get(first, 'raw/a').dataVersion)

        const list = assetsByKey(await p.ok(['list', '--json']))
        assert.equal(get(list, 'raw/a').status, 'FRESH')
        const b = get(list, 'b')
        assert.equal(b.status, 'STALE')
        assert.equal(b.reasonDetails.length, 1, b.reasons.join('; '))
        assert.equal(b.reasonDetails[0]!.kind, 'UPSTREAM_DATA_CHANGED')
        assert.equal(b.reasonDetails[0]!.dep, 'raw/a')
        assert.equal(b.reasonDetails[0]!.consumed, get(first, 'raw/a').dataVersion)
        assert.equal(b.reasonDetails[0]!.current, newA)
        assert.match(b.reasons[0]!, /upstream raw\/a has new data/)
        const c = get(list, 'c')
        assert.equal(c.status, 'STALE')
        assert.match(c.reasons[0]!, /upstream b is stale \(root cause: b: upstream raw\/a has new data/)
      },
    ))

  it('adding and removing dependencies is reported', async () => {
    const defs = (bSpec: string) => `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => [1, 2] })
export const x = asset({ key: 'x', compute: () => 'x' })
export const y = asset({ key: 'y', compute: () => 'y' })
export const b = asset({ key: 'b', ${bSpec} compute: (_ctx, { a }) => a.length })
export default defineDefinitions({ assets: [a, x, y, b] })
`
    await withProject(defs("ins: { a }, deps: ['x'],"), async (p) => {
      await p.ok(['materialize', '--json', ...IN_PROCESS])

      // x leaves deps, y joins ins; the compute source is unchanged.
      p.writeDefs(defs('ins: { a, y },'))
      const b = get(assetsByKey(await p.ok(['list', '--json'])), 'b')
      assert.equal(b.status, 'STALE')
      assert.deepEqual(
        b.reasonDetails.map((r) => `${r.kind} ${r.dep}`).sort(),
        ['DEPENDENCY_ADDED y', 'DEPENDENCY_REMOVED x'],
        'no code version change: the compute source did not change',
      )
      assert.ok(b.reasons.includes('new dependency y'), b.reasons.join('; '))
      assert.ok(b.reasons.includes('dependency x was removed'), b.reasons.join('; '))

      const rebuilt = stepsByKey(await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS]))
      assert.deepEqual([...rebuilt.keys()], ['b'])

      p.writeDefs(defs('ins: { a },'))
      const b2 = get(assetsByKey(await p.ok(['list', '--json'])), 'b')
      assert.equal(b2.status, 'STALE')
      assert.deepEqual(b2.reasons, ['dependency y was removed'])
    })
  })

  it('ctx.log lines are stored as LOG events of the run', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
export const greeter = asset({
  key: 'greeter',
  compute: (ctx) => {
    ctx.log.info('hello')
    ctx.log.warn('careful now')
    return 'greeted'
  },
})
export const quiet = asset({ key: 'quiet', ins: { greeter }, compute: (_ctx, { greeter }) => greeter.length })
export default defineDefinitions({ assets: [greeter, quiet] })
`,
      async (p) => {
        // Through the worker pool: log lines cross threads on their own channel.
        const mat = await p.ok(['materialize', '--json', '--concurrency', '1'])
        const runId = mat.json.runId as string
        const logs = (await p.ok(['logs', runId, '--json'])).json
        assert.equal(logs.runId, runId)
        assert.equal(logs.status, 'SUCCESS')
        const lines = logs.events.filter((e: any) => e.type === 'LOG')
        assert.deepEqual(
          lines.map((e: any) => [e.assetKey, e.level, e.message]),
          [
            ['greeter', 'info', 'hello'],
            ['greeter', 'warn', 'careful now'],
          ],
        )
        // Logged between the step's start and success.
        const types = logs.events.filter((e: any) => e.assetKey === 'greeter').map((e: any) => e.type)
        assert.ok(types.indexOf('STEP_START') < types.indexOf('LOG'), types.join(', '))
        assert.ok(types.lastIndexOf('LOG') < types.indexOf('STEP_SUCCESS'), types.join(', '))

        const text = await p.ok(['logs', runId.slice(0, 8), '--step', 'greeter'])
        assert.match(text.stdout, /LOG\s+greeter │ hello/)
      },
    ))
})
