// Failing steps, retries, dying workers and killed runs, driven through the
// real CLI on throwaway projects.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { assetsByKey, get, sleep, stepsByKey, withProject } from './helpers.js'

describe('failures through the CLI', { concurrency: 2 }, () => {
  it('a throwing asset fails the run, skips its downstream, keeps its last good materialization', () =>
    withProject(
      `import { existsSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const FLAG = new URL('./fail.flag', import.meta.url)
export const a = asset({ key: 'raw/a', compute: () => [1, 2, 3] })
export const b = asset({
  key: 'b',
  ins: { a },
  compute: (_ctx, { a }) => {
    if (existsSync(FLAG)) throw new Error('boom: b exploded')
    return a.map((x) => x * 2)
  },
})
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.length })
export const other = asset({ key: 'other', compute: () => 'independent' })
export default defineDefinitions({ assets: [a, b, c, other] })
`,
      async (p) => {
        const good = await p.ok(['materialize', '--json', '--executor', 'in-process'])
        const goodB = get(stepsByKey(good), 'b')

        p.write('fail.flag', '')
        const bad = await p.ok(['materialize', '--json', '--concurrency', '2'], 1)
        assert.equal(bad.json.status, 'FAILURE')
        const steps = stepsByKey(bad)
        const b = get(steps, 'b')
        assert.equal(b.status, 'FAILURE')
        assert.equal(b.error, 'boom: b exploded')
        assert.equal(b.attempts, 1)
        assert.equal(b.dataVersion, null)
        const c = get(steps, 'c')
        assert.equal(c.status, 'SKIPPED')
        assert.equal(c.skipReason, 'UPSTREAM_FAILED')
        assert.equal(get(steps, 'other').status, 'SUCCESS', 'an independent branch still runs')
        assert.equal(get(steps, 'raw/a').status, 'SUCCESS')

        const text = await p.ok(['materialize', '--concurrency', '2'], 1)
        assert.match(text.stdout, /Run failed/)
        assert.match(text.stdout, /1 failed/)
        assert.match(text.stdout, /strata logs /)

        const logs = await p.ok(['logs', bad.json.runId])
        assert.match(logs.stdout, /FAILURE/)
        assert.match(logs.stdout, /b failed: boom: b exploded/)
        assert.match(logs.stdout, /at .*definitions\.ts/, 'the stack trace points into the definitions file')
        assert.match(logs.stdout, /c Skipped: upstream b failed/)

        // The failed attempts recorded nothing: the good materialization is still the latest.
        const lin = (await p.ok(['lineage', 'b', '--json'])).json
        assert.equal(lin.runId, good.json.runId)
        assert.equal(lin.dataVersion, goodB.dataVersion)
        const listed = get(assetsByKey(await p.ok(['list', '--json'])), 'b')
        assert.equal(listed.dataVersion, goodB.dataVersion)
        assert.equal(listed.lastRunId, good.json.runId)
        assert.notEqual(listed.status, 'MISSING')
      },
    ))

  it('retries: a flaky asset succeeds on attempt 2, a broken one fails after 3 attempts', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
export const flaky = asset({
  key: 'flaky',
  retry: { maxRetries: 2, delayMs: 10 },
  compute: (ctx) => {
    if (ctx.attempt < 2) throw new Error('transient failure on attempt ' + ctx.attempt)
    return { attempt: ctx.attempt }
  },
})
export const broken = asset({
  key: 'broken',
  retry: { maxRetries: 2, delayMs: 10 },
  compute: (ctx) => {
    throw new Error('permanent failure on attempt ' + ctx.attempt)
  },
})
export const after = asset({ key: 'after_flaky', ins: { flaky }, compute: (_ctx, { flaky }) => flaky.attempt })
export default defineDefinitions({ assets: [flaky, broken, after] })
`,
      async (p) => {
        const run = await p.ok(['materialize', '--json', '--concurrency', '2'], 1)
        assert.equal(run.json.status, 'FAILURE')
        const steps = stepsByKey(run)
        const flaky = get(steps, 'flaky')
        assert.equal(flaky.status, 'SUCCESS')
        assert.equal(flaky.attempts, 2)
        assert.equal(get(steps, 'after_flaky').status, 'SUCCESS')
        const broken = get(steps, 'broken')
        assert.equal(broken.status, 'FAILURE')
        assert.equal(broken.attempts, 3)
        assert.equal(broken.error, 'permanent failure on attempt 3')

        const events = (await p.ok(['logs', run.json.runId, '--json'])).json.events as any[]
        const of = (key: string, type: string) => events.filter((e) => e.assetKey === key && e.type === type)
        assert.equal(of('flaky', 'STEP_RETRY').length, 1)
        assert.match(of('flaky', 'STEP_RETRY')[0].message, /transient failure on attempt 1/)
        assert.equal(of('flaky', 'STEP_START').length, 2)
        assert.equal(of('flaky', 'STEP_FAILURE').length, 0)
        assert.equal(of('flaky', 'STEP_SUCCESS').length, 1)
        assert.deepEqual(
          of('broken', 'STEP_RETRY').map((e) => e.data.attempt),
          [1, 2],
        )
        assert.equal(of('broken', 'STEP_START').length, 3)
        assert.equal(of('broken', 'STEP_FAILURE').length, 1)
        assert.equal(of('broken', 'STEP_FAILURE')[0].data.attempt, 3)
      },
    ))

  it('a worker that calls process.exit fails its step; the rest of the run goes on', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
export const doomed = asset({
  key: 'doomed',
  compute: () => {
    process.exit(3)
  },
})
export const afterDoomed = asset({ key: 'after_doomed', ins: { doomed }, compute: () => 1 })
export const left = asset({
  key: 'left',
  compute: async () => {
    await new Promise((r) => setTimeout(r, 200))
    return 'left'
  },
})
export const right = asset({ key: 'right', ins: { left }, compute: (_ctx, { left }) => left + '!' })
export const tail = asset({ key: 'tail', ins: { right }, compute: (_ctx, { right }) => right + '!' })
export default defineDefinitions({ assets: [doomed, afterDoomed, left, right, tail] })
`,
      async (p) => {
        const run = await p.ok(['materialize', '--json', '--concurrency', '2'], 1)
        assert.equal(run.json.status, 'FAILURE')
        const steps = stepsByKey(run)
        const doomed = get(steps, 'doomed')
        assert.equal(doomed.status, 'FAILURE')
        assert.equal(doomed.errorCode, 'STRATA_WORKER_DIED')
        assert.match(doomed.error ?? '', /worker running this step died/i)
        assert.match(doomed.error ?? '', /\b3\b/, 'the message gives the exit code')
        const after = get(steps, 'after_doomed')
        assert.equal(after.status, 'SKIPPED')
        assert.equal(after.skipReason, 'UPSTREAM_FAILED')
        for (const key of ['left', 'right', 'tail']) assert.equal(get(steps, key).status, 'SUCCESS', key)

        const runs = (await p.ok(['runs', '--json'])).json.runs as any[]
        assert.equal(runs.length, 1)
        assert.equal(runs[0].runId, run.json.runId)
        assert.equal(runs[0].status, 'FAILURE')
        assert.notEqual(runs[0].endedAt, null)
      },
    ))

  it('a killed run is marked FAILURE; the previous materialization stays; the next run works', async () => {
    const defs = (version: string) => `import { writeFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
export const slow = asset({
  key: 'slow',
  codeVersion: '${version}',
  compute: async () => {
    if (process.env.STRATA_IT_SLOW === '1') {
      writeFileSync(new URL('./started.marker', import.meta.url), String(process.pid))
      await new Promise((r) => setTimeout(r, 5000))
    }
    return { version: '${version}' }
  },
})
export default defineDefinitions({ assets: [slow] })
`
    await withProject(defs('v1'), async (p) => {
      const first = await p.ok(['materialize', '--json', '--executor', 'in-process'])
      const firstVersion = get(stepsByKey(first), 'slow').dataVersion

      p.writeDefs(defs('v2'))
      // The default (pool) executor: the step sleeps in a worker thread of the killed process.
      const killed = p.start(['materialize', '--json', '--concurrency', '1'], { env: { STRATA_IT_SLOW: '1' } })
      const marker = join(p.dir, 'started.marker')
      const deadline = Date.now() + 20_000
      while (!existsSync(marker)) {
        if (killed.child.exitCode !== null) break
        assert.ok(Date.now() < deadline, 'the slow step never started')
        await sleep(50)
      }
      assert.equal(killed.child.exitCode, null, 'the run ended before it could be killed')

      // While its process lives, the run is RUNNING (not taken for an orphan).
      const during = (await p.ok(['runs', '--json'])).json.runs as any[]
      assert.equal(during.length, 2)
      assert.equal(during[0].status, 'RUNNING')
      const killedRunId = during[0].runId as string
      assert.notEqual(killedRunId, first.json.runId)

      killed.child.kill('SIGKILL')
      const dead = await killed.result
      assert.equal(dead.signal, 'SIGKILL')

      const after = (await p.ok(['runs', '--json'])).json.runs as any[]
      const byId = new Map(after.map((r) => [r.runId, r]))
      assert.equal(byId.get(killedRunId)?.status, 'FAILURE', 'the orphaned run is marked FAILURE')
      assert.notEqual(byId.get(killedRunId)?.endedAt, null)
      assert.equal(byId.get(first.json.runId)?.status, 'SUCCESS')

      const killedLogs = (await p.ok(['logs', killedRunId, '--json'])).json
      assert.equal(killedLogs.status, 'FAILURE')
      const types = (killedLogs.events as any[]).map((e) => e.type)
      assert.ok(types.includes('STEP_START'), types.join(', '))
      assert.ok(!types.includes('STEP_SUCCESS'), types.join(', '))
      const end = (killedLogs.events as any[]).at(-1)
      assert.equal(end.type, 'RUN_FAILURE')
      assert.equal(end.data?.orphaned, true)

      const slow = get(assetsByKey(await p.ok(['list', '--json'])), 'slow')
      assert.equal(slow.dataVersion, firstVersion, 'the previous good materialization is still the latest')
      assert.equal(slow.lastRunId, first.json.runId)
      // The killed attempt shows as the failure (its run's message says why), over the stale last good materialization.
      assert.equal(slow.status, 'FAILED')
      assert.equal(slow.freshness, 'STALE')
      assert.equal(slow.failure?.runId, killedRunId)
      assert.match(slow.failure?.message ?? '', /exited before it finished/)
      assert.match(slow.reasons[0] ?? '', /code version changed \(v1 → v2\)/)

      const next = await p.ok(['materialize', '--json', '--executor', 'in-process'])
      assert.equal(get(stepsByKey(next), 'slow').status, 'SUCCESS')
      const fresh = get(assetsByKey(await p.ok(['list', '--json'])), 'slow')
      assert.equal(fresh.status, 'FRESH')
      assert.equal(fresh.lastRunId, next.json.runId)
    })
  })
})
