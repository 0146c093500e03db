// Ctrl-C (SIGINT to the CLI) on a run whose step never ends.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inProgress, query, waitFor } from './db.js'
import { assetsByKey, expectExit, get, sleep, stepsByKey, withProject, type Project, type Started } from './helpers.js'

/** `spin` loops forever when LOOP is set: `sync` never yields the thread, `async` keeps awaiting. */
const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
export const source = asset({ key: 'source', compute: () => 1 })
export const spin = asset({
  key: 'spin',
  ins: { source },
  compute: async (_ctx, { source }) => {
    if (process.env.LOOP === 'sync') for (;;) {}
    if (process.env.LOOP === 'async') for (;;) await sleep(20)
    return source + 1
  },
})
export const after = asset({ key: 'after', ins: { spin }, compute: (_ctx, { spin }) => spin + 1 })
export default defineDefinitions({ assets: [source, spin, after] })
`

/** Materializes everything once (the last good materialization), then starts a run whose `spin` loops, once it is running. */
async function startLooping(p: Project, loop: 'sync' | 'async', args: string[]): Promise<{ run: Started; good: string }> {
  await p.ok(['materialize', '--json'])
  const good = get(assetsByKey(await p.ok(['list', '--json'])), 'spin').dataVersion!
  const run = p.start(['materialize', '--json', ...args], { env: { LOOP: loop } })
  await waitFor('spin to be running', () => inProgress(p.home).includes('spin'))
  await sleep(200)
  return { run, good }
}

/** After a canceled run: its record, and spin's state and last good materialization untouched. */
async function expectCanceledRun(p: Project, runId: string, good: string): Promise<void> {
  const runs = (await p.ok(['runs', '--json'])).json.runs as Array<{ runId: string; status: string }>
  assert.equal(runs.find((r) => r.runId === runId)?.status, 'CANCELED')
  const events = (await p.ok(['logs', runId, '--json'])).json.events as Array<{ type: string; assetKey?: string }>
  assert.ok(events.some((e) => e.type === 'STEP_CANCELED' && e.assetKey === 'spin'), 'a STEP_CANCELED event for spin')
  assert.deepEqual(inProgress(p.home), [], 'no state stays IN_PROGRESS')
  const spin = get(assetsByKey(await p.ok(['list', '--json'])), 'spin')
  assert.equal(spin.status, 'FRESH', spin.reasons.join('; '))
  assert.equal(spin.dataVersion, good, 'the last good materialization is still the latest')
  assert.deepEqual(query(p.home, `SELECT state FROM partition_states WHERE asset_key = 'spin'`), [{ state: 'MATERIALIZED' }])
}

const DAILY_SPIN = `import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const day = asset({
  key: 'day',
  partitions: dailyPartitions({ start: '2024-01-01' }),
  compute: (ctx) => {
    if (ctx.partitionKey === '2024-01-02') for (;;) {}
    return ctx.partitionKey
  },
})
export default defineDefinitions({ assets: [day] })
`

describe('Ctrl-C ends a run', { concurrency: 1 }, () => {
  it('backfill: the first SIGINT cancels after --grace; the stopped partition stays pending for a resume', () =>
    withProject(DAILY_SPIN, async (p) => {
      const run = p.start(['backfill', 'day', '--from', '2024-01-01', '--to', '2024-01-02', '--json', '--grace', '0.5', '--concurrency', '1'])
      await waitFor('the endless partition to run', () => inProgress(p.home).includes('day[2024-01-02]'))
      run.child.kill('SIGINT')
      const r = expectExit(await run.result, 130)
      assert.equal(r.json.status, 'CANCELED')
      assert.deepEqual([r.json.counts.SUCCESS, r.json.counts.PENDING], [1, 1])
      assert.deepEqual(inProgress(p.home), [])
      const runs = (await p.ok(['runs', '--json'])).json.runs as Array<{ runId: string; status: string }>
      assert.equal(runs.find((x) => x.runId === r.json.runId)?.status, 'CANCELED')
    }))

  it('pool: the first SIGINT cancels; after --grace the worker is terminated, the result printed, exit 130', () =>
    withProject(DEFS, async (p) => {
      const { run, good } = await startLooping(p, 'sync', ['--grace', '1'])
      const sent = Date.now()
      run.child.kill('SIGINT')
      const r = expectExit(await run.result, 130)
      const took = Date.now() - sent
      assert.ok(took >= 900, `the running step had its 1 s grace period (exited after ${took} ms)`)
      assert.ok(took < 8000, `exited ${took} ms after Ctrl-C`)
      assert.match(r.stderr, /running steps get 1 s to finish/)
      assert.equal(r.json.status, 'CANCELED')
      const steps = stepsByKey(r)
      assert.equal(get(steps, 'source').status, 'SUCCESS')
      assert.deepEqual(
        { status: get(steps, 'spin').status, skipReason: get(steps, 'spin').skipReason, errorCode: get(steps, 'spin').errorCode, attempts: get(steps, 'spin').attempts },
        { status: 'SKIPPED', skipReason: 'CANCELED', errorCode: 'STRATA_CANCELED', attempts: 1 },
      )
      assert.match(get(steps, 'spin').error!, /grace period/)
      assert.deepEqual([get(steps, 'after').status, get(steps, 'after').skipReason], ['SKIPPED', 'CANCELED'])
      await expectCanceledRun(p, r.json.runId, good)
    }))

  it('pool: a second SIGINT stops running steps without waiting for the grace period', () =>
    withProject(DEFS, async (p) => {
      const { run, good } = await startLooping(p, 'sync', ['--grace', '60'])
      run.child.kill('SIGINT')
      await sleep(300)
      const sent = Date.now()
      run.child.kill('SIGINT')
      const r = expectExit(await run.result, 130)
      assert.ok(Date.now() - sent < 8000)
      assert.match(r.stderr, /Stopping running steps now/)
      assert.equal(get(stepsByKey(r), 'spin').skipReason, 'CANCELED')
      await expectCanceledRun(p, r.json.runId, good)
    }))

  it('in-process: the first SIGINT says the step cannot be interrupted; the second records the run canceled and exits 130', () =>
    withProject(DEFS, async (p) => {
      const { run, good } = await startLooping(p, 'async', ['--executor', 'in-process'])
      let stderr = ''
      run.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
      run.child.kill('SIGINT')
      await waitFor('the message', () => /cannot be interrupted/.test(stderr), 10_000)
      const message = stderr.trim().split('\n')
      assert.equal(message.length, 1, 'one line')
      assert.match(message[0]!, /press Ctrl-C again/)
      await sleep(500)
      assert.equal(run.child.exitCode, null, 'still waiting for the step')
      run.child.kill('SIGINT')
      const r = expectExit(await run.result, 130)
      assert.equal(r.json.status, 'CANCELED')
      assert.equal(get(stepsByKey(r), 'spin').skipReason, 'CANCELED')
      await expectCanceledRun(p, r.json.runId, good)
    }))
})
