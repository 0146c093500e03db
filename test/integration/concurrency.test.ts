// Concurrent CLI processes on one home, named pool limits, and the bundled
// example, driven through the real CLI.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { assetsByKey, createProject, expectExit, get, runCli, stepsByKey, type CliResult } from './helpers.js'

/** Two groups of 50 assets each: 5 chains of 10 per group. */
const FIFTY_FIFTY = `import { asset, defineDefinitions } from 'strata-engine'
const assets = []
for (const group of ['left', 'right']) {
  let prev
  for (let i = 0; i < 50; i++) {
    const ins = i % 10 === 0 ? {} : { prev }
    prev = asset({
      key: group + '/n' + i,
      group,
      ins,
      compute: (_ctx, inputs) => ({ group, i, sum: i + (inputs.prev ? inputs.prev.sum : 0) }),
    })
    assets.push(prev)
  }
}
export default defineDefinitions({ assets })
`

function expectCleanSuccess(r: CliResult, count: number): void {
  expectExit(r, 0)
  assert.doesNotMatch(r.stderr, /database is locked|SQLITE_BUSY/i, r.stderr)
  assert.equal(r.json.status, 'SUCCESS')
  assert.equal(r.json.steps.length, count)
  for (const s of r.json.steps) assert.equal(s.status, 'SUCCESS', JSON.stringify(s))
}

describe('concurrency through the CLI', { concurrency: 2 }, () => {
  it('two materialize processes on the same home both succeed', async () => {
    const p = createProject(FIFTY_FIFTY)
    try {
      // Different selections, started together on a home that does not exist yet.
      const [left, right] = await Promise.all([
        p.run(['materialize', 'group:left', '--json', '--executor', 'in-process', '--concurrency', '4']),
        p.run(['materialize', 'group:right', '--json', '--executor', 'in-process', '--concurrency', '4']),
      ])
      expectCleanSuccess(left, 50)
      expectCleanSuccess(right, 50)
      assert.ok(left.json.steps.every((s: any) => s.key.startsWith('left/')))

      // The same selection (all 100 assets), one through the worker pool: what
      // one run materialized while the other was running is up to date for the
      // other (not built twice); each asset is built by at least one of them.
      const [pooled, inProcess] = await Promise.all([
        p.run(['materialize', '*', '--json', '--concurrency', '2']),
        p.run(['materialize', '*', '--json', '--executor', 'in-process', '--concurrency', '4']),
      ])
      for (const r of [pooled, inProcess]) {
        expectExit(r, 0)
        assert.equal(r.json.status, 'SUCCESS')
        assert.equal(r.json.steps.length, 100)
      }
      const other = stepsByKey(inProcess)
      for (const s of pooled.json.steps) {
        const pair = [s, get(other, s.key)].map((x: any) => (x.status === 'SUCCESS' ? 'SUCCESS' : `${x.status}/${x.skipReason}`))
        for (const x of pair) assert.ok(x === 'SUCCESS' || x === 'SKIPPED/UP_TO_DATE', `${s.key}: ${x}`)
        assert.ok(pair.includes('SUCCESS'), `${s.key} was materialized by one of the runs`)
      }

      const runs = (await p.ok(['runs', '--json'])).json.runs as any[]
      const byId = new Map(runs.map((r) => [r.runId, r]))
      assert.equal(runs.length, 4)
      for (const r of [left, right, pooled, inProcess]) {
        assert.equal(byId.get(r.json.runId)?.status, 'SUCCESS', `run ${r.json.runId}`)
      }
      const list = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(list.size, 100)
      for (const a of list.values()) assert.equal(a.status, 'FRESH', `${a.key}: ${a.reasons.join('; ')}`)
      // Same code and inputs, so the racing runs agree on every value.
      assert.equal(get(list, 'right/n49').dataVersion, get(stepsByKey(right), 'right/n49').dataVersion)
    } finally {
      p.cleanup()
    }
  })

  it('a pool limit of 1 keeps its steps from overlapping, even with --concurrency 4', async () => {
    const p = createProject(`import { asset, defineDefinitions } from 'strata-engine'
const timed = (key) =>
  asset({
    key,
    pool: 'db',
    compute: async () => {
      const start = Date.now()
      await new Promise((r) => setTimeout(r, 150))
      return { key, start, end: Date.now() }
    },
  })
export const q1 = timed('q1')
export const q2 = timed('q2')
export const q3 = timed('q3')
export const q4 = timed('q4')
export const all = asset({ key: 'all', ins: { q1, q2, q3, q4 }, compute: (_ctx, ins) => Object.values(ins) })
export default defineDefinitions({ assets: [q1, q2, q3, q4, all], pools: { db: 1 } })
`)
    try {
      const run = await p.ok(['materialize', '--json', '--concurrency', '4'])
      for (const s of run.json.steps) assert.equal(s.status, 'SUCCESS', JSON.stringify(s))
      const lin = (await p.ok(['lineage', 'all', '--json'])).json
      const intervals = (p.readObject(lin.location) as Array<{ key: string; start: number; end: number }>).sort((a, b) => a.start - b.start)
      assert.deepEqual(intervals.map((x) => x.key).sort(), ['q1', 'q2', 'q3', 'q4'])
      for (let i = 1; i < intervals.length; i++) {
        const prev = intervals[i - 1]!
        const cur = intervals[i]!
        assert.ok(prev.end <= cur.start, `${prev.key} [${prev.start}, ${prev.end}] overlaps ${cur.key} [${cur.start}, ${cur.end}]`)
      }
    } finally {
      p.cleanup()
    }
  })

  it('examples/hello materializes (npm start)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'strata-it-hello-'))
    try {
      const args = ['materialize', '-f', 'examples/hello/definitions.ts', '--stale', '--home', home]
      const first = expectExit(await runCli(args), 0)
      assert.match(first.stdout, /Run succeeded in .*: 4 materialized/)
      const second = expectExit(await runCli(args), 0)
      assert.match(second.stdout, /nothing to materialize/)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
