// Several CLI processes materializing overlapping selections on one home:
// each step decides on storage as it is when it runs, waits for a live run
// building what it needs, and never builds what another run just built.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inProgress, query, runningRuns, waitFor } from './db.js'
import { assetsByKey, expectExit, withProject, type CliResult, type Project, type Started } from './helpers.js'

/**
 * 20 assets in 5 layers of 4; each reads two assets of the layer above.
 * Layer-1 steps hold until the test creates ./go, so other processes can be
 * started while those steps are IN_PROGRESS.
 */
const LAYERED = `import { existsSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const assets = []
for (let i = 0; i < 20; i++) {
  const layer = Math.floor(i / 4)
  const ins = layer === 0 ? {} : { a: assets[(layer - 1) * 4 + (i % 4)], b: assets[(layer - 1) * 4 + ((i + 1) % 4)] }
  assets.push(asset({
    key: 'n' + String(i).padStart(3, '0'),
    ins,
    compute: async (_ctx, x) => {
      if (layer === 1) while (!existsSync('go')) await sleep(20)
      await sleep(30)
      return i + (x.a ?? 0) + (x.b ?? 0)
    },
  }))
}
export default defineDefinitions({ assets })
`

const DAILY = `import { existsSync } from 'node:fs'
import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const days = dailyPartitions({ start: '2024-01-01' })
export const raw = asset({
  key: 'raw',
  partitions: days,
  compute: async (ctx) => {
    while (!existsSync('go')) await sleep(20)
    await sleep(40)
    return 'day ' + ctx.partitionKey
  },
})
export const derived = asset({ key: 'derived', partitions: days, ins: { raw }, compute: async (_ctx, { raw }) => (await sleep(40), raw + '!') })
export default defineDefinitions({ assets: [raw, derived] })
`

function expectSucceeded(r: CliResult): void {
  expectExit(r, 0)
  assert.doesNotMatch(r.stdout + r.stderr, /never materialized|database is locked/i)
  assert.equal(r.json.status, 'SUCCESS', r.stdout)
  for (const s of r.json.steps) assert.ok(s.status === 'SUCCESS' || s.skipReason === 'UP_TO_DATE', `${r.args.join(' ')}: ${JSON.stringify(s)}`)
}

/** Runs `fn` with the processes it starts; whatever happens, ./go is created and none is left running. */
async function gated(p: Project, fn: (start: (args: string[]) => Started) => Promise<void>): Promise<void> {
  const started: Started[] = []
  try {
    await fn((args) => {
      const s = p.start(args)
      started.push(s)
      return s
    })
  } finally {
    p.write('go', '')
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL')
    await Promise.allSettled(started.map((s) => s.result))
  }
}

describe('concurrent runs on one home', { concurrency: 1 }, () => {
  it('four processes with overlapping selections: no false "never materialized", every asset fresh, no FAILED over a success', () =>
    withProject(LAYERED, async (p) => {
      let results: CliResult[] = []
      await gated(p, async (start) => {
        const first = [start(['materialize', '*n016', '--json']), start(['materialize', '*n019', '--json', '--executor', 'in-process', '--concurrency', '4'])]
        const layer1 = ['n004', 'n005', 'n006', 'n007']
        await waitFor('layer 1 to be in progress', () => layer1.every((k) => inProgress(p.home).includes(k)))
        // Started now, these find the layer-1 inputs (or targets) they need only as other runs' attempts.
        const later = [
          start(['materialize', 'n008*', 'n009*', 'n010*', 'n011*', '--json']),
          start(['materialize', 'n005', 'n006', 'n009', 'n010', 'n013', '--json', '--executor', 'in-process']),
        ]
        await waitFor('the later runs to start', () => query(p.home, 'SELECT 1 FROM runs').length === 4)
        // Each of them says it waits; a run that does not wait fails its steps instead, as the checks below report.
        await waitFor('the later runs to wait for the first ones', () => {
          const waiting = query(p.home, `SELECT DISTINCT e.run_id FROM events e JOIN runs r USING (run_id)
            WHERE e.type = 'LOG' AND e.message LIKE 'Waiting for run %' AND r.selection IN ('n008* n009* n010* n011*', 'n005 n006 n009 n010 n013')`)
          return waiting.length === 2
        }, 5000).catch(() => {})
        p.write('go', '')
        results = await Promise.all([...first, ...later].map((s) => s.result))
      })
      for (const r of results) expectSucceeded(r)

      const list = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(list.size, 20)
      for (const a of list.values()) assert.equal(a.status, 'FRESH', `${a.key}: ${a.reasons.join('; ')}`)
      const states = query<{ asset_key: string; state: string; materialization_id: number; latest: number }>(
        p.home,
        `SELECT s.asset_key, s.state, s.materialization_id, l.materialization_id AS latest
         FROM partition_states s JOIN latest_materializations l USING (asset_key, partition_key)`,
      )
      assert.equal(states.length, 20)
      for (const s of states) {
        assert.equal(s.state, 'MATERIALIZED', `${s.asset_key} is ${s.state}`)
        assert.equal(s.materialization_id, s.latest, `${s.asset_key}: the state names the latest materialization`)
      }
    }))

  it('two overlapping backfills build each (asset, partition) of the overlap once', () =>
    withProject(DAILY, async (p) => {
      let [ra, rb] = [] as CliResult[]
      await gated(p, async (start) => {
        const a = start(['backfill', '*', '--from', '2024-01-01', '--to', '2024-01-06', '--json'])
        const b = start(['backfill', '*', '--from', '2024-01-03', '--to', '2024-01-08', '--json'])
        // Nothing finishes before both runs exist, so the overlap is decided while both are running.
        await waitFor('both backfills to run', () => runningRuns(p.home) === 2)
        p.write('go', '')
        ;[ra, rb] = [expectExit(await a.result, 0), expectExit(await b.result, 0)]
      })
      for (const r of [ra!, rb!]) assert.equal(r.json.status, 'COMPLETED_SUCCESS', r.stdout)

      const counts = query<{ asset_key: string; partition_key: string; n: number }>(
        p.home,
        'SELECT asset_key, partition_key, count(*) AS n FROM materializations GROUP BY asset_key, partition_key ORDER BY asset_key, partition_key',
      )
      assert.equal(counts.length, 16, 'raw and derived for 2024-01-01..08')
      for (const c of counts) assert.equal(c.n, 1, `${c.asset_key}[${c.partition_key}] was materialized ${c.n} times`)
      // The overlap (4 days × 2 assets) was built by one backfill and up to date for the other.
      assert.equal(ra!.json.counts.UP_TO_DATE + rb!.json.counts.UP_TO_DATE, 8)
      assert.equal(ra!.json.counts.SUCCESS + rb!.json.counts.SUCCESS, 16)
    }))
})
