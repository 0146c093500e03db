// --concurrency: capped at 4 × CPUs, threads started only for ready work, bad values rejected.
import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { describe, it } from 'node:test'
import { expectExit, withProject } from './helpers.js'

const ONE = `import { asset, defineDefinitions } from 'strata-engine'
export const one = asset({ key: 'one', compute: () => 1 })
export default defineDefinitions({ assets: [one] })
`

describe('--concurrency', () => {
  it('256 on one trivial asset is capped with a notice, and starts one worker thread', () =>
    withProject(ONE, async (p) => {
      const started = Date.now()
      const r = await p.ok(['materialize', '--concurrency', '256', '--json'])
      const took = Date.now() - started
      const limit = 4 * availableParallelism()
      assert.equal(r.stderr.trim(), `strata: --concurrency 256 capped at ${limit} (4 × ${availableParallelism()} CPUs): more threads than that only cost start-up time and memory.`)
      assert.equal(r.json.status, 'SUCCESS')
      // The run records what its executor did: threads start only for ready work.
      const events = (await p.ok(['logs', r.json.runId, '--json'])).json.events as Array<{ type: string; data?: Record<string, unknown> }>
      const end = events.find((e) => e.type === 'RUN_SUCCESS')!
      assert.deepEqual([end.data!.executor, end.data!.concurrency], ['pool', limit])
      const threads = end.data!.threadsStarted as number
      assert.ok(threads >= 1 && threads <= 2, `${threads} worker threads started for one step`)
      assert.ok(took < 10_000, `took ${took} ms`)
    }))

  it('within the limit is used as given, without a notice', () =>
    withProject(ONE, async (p) => {
      const r = await p.ok(['materialize', '--concurrency', '2', '--json'])
      assert.equal(r.stderr, '')
      const events = (await p.ok(['logs', r.json.runId, '--json'])).json.events as Array<{ type: string; data?: Record<string, unknown> }>
      assert.equal(events.find((e) => e.type === 'RUN_SUCCESS')!.data!.concurrency, 2)
    }))

  for (const bad of ['-1', '0', 'abc', '1.5']) {
    it(`${bad} is a coded usage error (exit 2, one line)`, () =>
      withProject(ONE, async (p) => {
        for (const command of [['materialize'], ['backfill', 'one', '--from', 'a', '--to', 'b']]) {
          const r = expectExit(await p.run([...command, '--concurrency', bad]), 2)
          assert.equal(r.stderr.trim(), `error --concurrency must be a whole number ≥ 1 (got "${bad}"). [STRATA_USAGE]`)
        }
      }))
  }

  it('--grace must be a number of seconds ≥ 0', () =>
    withProject(ONE, async (p) => {
      for (const bad of ['-2', 'soon', '']) {
        const r = expectExit(await p.run(['materialize', '--grace', bad]), 2)
        assert.equal(r.stderr.trim(), `error --grace must be a number of seconds ≥ 0 (got "${bad}"). [STRATA_USAGE]`)
      }
    }))
})
