// Time limits for unattended runs: a step past asset({ timeoutMs }) is stopped
// and fails with STRATA_TIMEOUT (then retried per its policy); a run past its
// limit (--timeout, runTimeoutMs) is canceled like Ctrl-C, with the limit named.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { asset } from '../../assets/index.js'
import { createInProcessExecutor, createPoolExecutor, materialize, openWorkspace, type Executor, type MaterializeResult, type RunEvent, type Workspace } from '../../engine/index.js'
import { inProgress } from './db.js'
import { assetsByKey, expectExit, get, sleep, stepsByKey, withProject, type Project } from './helpers.js'

/** `spin` loops on the attempts listed in SPIN_ATTEMPTS (`sync`: forever, never yielding the thread; `async`: awaiting, for 3 s). */
const DEFS = `import { writeFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
// The awaiting loop ends after a few seconds: a step given up on in-process would otherwise keep the test process alive.
const loop = async (how) => {
  if (how === 'sync') for (;;) {}
  const until = Date.now() + 3000
  while (Date.now() < until) await sleep(20)
  writeFileSync(new URL('./loop-ended', import.meta.url), '')
}
export const source = asset({ key: 'source', compute: () => 1 })
export const spin = asset({
  key: 'spin',
  ins: { source },
  timeoutMs: Number(process.env.SPIN_LIMIT ?? 400),
  retry: { maxRetries: Number(process.env.SPIN_RETRIES ?? 0), delayMs: 0 },
  compute: async (ctx, { source }) => {
    ctx.log.info('attempt ' + ctx.attempt)
    if ((process.env.SPIN_ATTEMPTS ?? '').split(',').includes(String(ctx.attempt))) await loop(process.env.LOOP ?? 'sync')
    return source + 1
  },
})
export const after = asset({ key: 'after', ins: { spin }, compute: (_ctx, { spin }) => spin + 1 })
export default defineDefinitions({ assets: [source, spin, after] })
`

/** Sets environment variables (read by the definitions, in this thread and in workers started meanwhile) for the time of `fn`. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const)
  Object.assign(process.env, env)
  try {
    return await fn()
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

function run(p: Project, env: Record<string, string>, executor: Executor, fn: (r: MaterializeResult, ws: Workspace, events: RunEvent[]) => Promise<void>): Promise<void> {
  return withEnv(env, async () => {
    const ws = await openWorkspace({ cwd: p.dir })
    try {
      const events: RunEvent[] = []
      const r = await materialize(ws, { executor, onEvent: (e) => events.push(e) })
      await fn(r, ws, events)
    } finally {
      await ws.close()
    }
  })
}

/**
 * Waits for a given-up in-process compute of `spin` to return (the loop
 * marks its end), then checks that its late value (2) was not stored: the
 * run no longer waits for it, and the home may be gone by then.
 */
async function assertLateValueDropped(p: Project): Promise<void> {
  const ended = join(p.dir, 'loop-ended')
  const objects = join(p.home, 'objects')
  const stored = () => readdirSync(objects, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
  assert.equal(existsSync(ended), false, 'the given-up compute was still running when the run returned')
  const before = stored()
  assert.ok(before > 0, 'the values of the steps that finished are stored')
  for (let waited = 0; !existsSync(ended) && waited < 10_000; waited += 50) await sleep(50)
  assert.ok(existsSync(ended), 'the given-up compute ran to its end')
  // What comes after the compute (checks, the store) runs within a few turns of the event loop.
  await sleep(200)
  assert.equal(stored(), before, 'the late value was stored')
}

const stepOf = (r: MaterializeResult, key: string) => {
  const s = r.steps.find((x) => x.key === key)
  assert.ok(s, `a step for ${key}`)
  return s
}

describe('asset({ timeoutMs })', { concurrency: 1 }, () => {
  it('is a number of milliseconds > 0', () => {
    for (const bad of [0, -5, Number.NaN, Infinity, '1000']) {
      assert.throws(
        () => asset({ key: 'x', timeoutMs: bad as number, compute: () => 1 }),
        (err: Error & { code?: string }) => err.code === 'STRATA_INVALID_ASSET' && /Asset "x": timeoutMs must be a number of milliseconds > 0/.test(err.message),
        `timeoutMs: ${String(bad)}`,
      )
    }
    assert.equal(asset({ key: 'x', timeoutMs: 1500, compute: () => 1 }).timeoutMs, 1500)
    assert.equal(asset({ key: 'x', compute: () => 1 }).timeoutMs, undefined)
  })

  it('pool: a step that never yields is stopped at its limit and fails with STRATA_TIMEOUT naming the limit; downstream is skipped', () =>
    withProject(DEFS, async (p) => {
      const pool = createPoolExecutor({ concurrency: 2, keepAlive: true })
      try {
        await run(p, { SPIN_ATTEMPTS: '1' }, pool, async (r) => {
          assert.equal(r.status, 'FAILURE')
          const spin = stepOf(r, 'spin')
          assert.equal(spin.status, 'FAILURE')
          assert.equal(spin.error?.code, 'STRATA_TIMEOUT')
          assert.match(spin.error!.message, /"spin" ran past its limit of 400 ms per attempt \(timeoutMs: 400\), so its worker thread was terminated\. If it needs longer, raise timeoutMs/)
          assert.ok(spin.durationMs >= 350, `ran about its limit (${spin.durationMs} ms)`)
          assert.equal(stepOf(r, 'after').skipReason, 'UPSTREAM_FAILED')
          assert.deepEqual(inProgress(p.home), [], 'no state stays IN_PROGRESS')
        })
        // The terminated thread was replaced: the warm pool goes on running steps.
        assert.equal(pool.threadsAlive, 1)
        const ws = await openWorkspace({ cwd: p.dir })
        try {
          assert.equal((await materialize(ws, { executor: pool, selection: 'source' })).status, 'SUCCESS')
        } finally {
          await ws.close()
        }
      } finally {
        await pool.close()
      }
    }))

  it('pool: a timed-out attempt is retried per the retry policy, on a new thread, and the retry can succeed', () =>
    withProject(DEFS, async (p) => {
      const pool = createPoolExecutor({ concurrency: 1 })
      try {
        await run(p, { SPIN_ATTEMPTS: '1,2', SPIN_RETRIES: '2' }, pool, async (r, _ws, events) => {
          assert.equal(r.status, 'SUCCESS')
          const spin = stepOf(r, 'spin')
          assert.equal(spin.attempts, 3)
          const retries = events.filter((e): e is Extract<RunEvent, { type: 'step-retry' }> => e.type === 'step-retry')
          assert.deepEqual(retries.map((e) => [e.attempt, e.error.code]), [[1, 'STRATA_TIMEOUT'], [2, 'STRATA_TIMEOUT']])
          assert.equal(stepOf(r, 'after').status, 'SUCCESS')
        })
        // One thread per attempt: each timed-out one was terminated. `source` ran on the first.
        assert.equal(pool.threadsStarted, 3)
      } finally {
        await pool.close()
      }
    }))

  it('pool: the limit counts from the compute, not while a new thread imports the definitions', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
import { isMainThread } from 'node:worker_threads'
// Importing takes 600 ms in a worker thread, more than the step's limit.
if (!isMainThread) { const until = Date.now() + 600; while (Date.now() < until) {} }
export const quick = asset({ key: 'quick', timeoutMs: 300, compute: () => 1 })
export default defineDefinitions({ assets: [quick] })
`,
      async (p) => {
        const pool = createPoolExecutor({ concurrency: 1 })
        try {
          await run(p, {}, pool, async (r) => assert.equal(r.status, 'SUCCESS', JSON.stringify(r.steps[0]?.error)))
        } finally {
          await pool.close()
        }
      },
    ))

  it('in-process: a step that awaits past its limit fails with STRATA_TIMEOUT and the run goes on without it', () =>
    withProject(DEFS, async (p) => {
      await run(p, { SPIN_ATTEMPTS: '1', LOOP: 'async', SPIN_LIMIT: '200' }, createInProcessExecutor(), async (r) => {
        const spin = stepOf(r, 'spin')
        assert.equal(spin.error?.code, 'STRATA_TIMEOUT')
        assert.match(spin.error!.message, /limit of 200 ms .* the run stopped waiting for it \(a step running in-process cannot be stopped; its result is discarded\)/)
        assert.equal(r.status, 'FAILURE')
      })
      await assertLateValueDropped(p)
    }))
})

describe('a run past its limit', { concurrency: 1 }, () => {
  it('materialize --timeout: cancels the run like Ctrl-C (grace, then the worker is stopped), records why, exits 1', () =>
    withProject(DEFS, async (p) => {
      await p.ok(['materialize', '--json'])
      const good = get(assetsByKey(await p.ok(['list', '--json'])), 'spin').dataVersion
      // Long enough for source and the start of spin on a busy machine; spin then loops past it.
      const r = expectExit(await p.run(['materialize', '--json', '--timeout', '3', '--grace', '0.3'], { env: { SPIN_ATTEMPTS: '1', SPIN_LIMIT: '60000' } }), 1)
      assert.equal(r.json.status, 'CANCELED')
      assert.equal(r.json.timedOut, true)
      const steps = stepsByKey(r)
      assert.equal(get(steps, 'source').status, 'SUCCESS')
      assert.equal(get(steps, 'spin').skipReason, 'CANCELED')
      assert.match(get(steps, 'spin').error ?? '', /the run passed its time limit of 3 s; still running after the 0\.3 s grace period, so its worker thread was terminated/)
      assert.equal(get(steps, 'after').skipReason, 'CANCELED')
      const runs = (await p.ok(['runs', '--json'])).json.runs as Array<{ runId: string; status: string }>
      assert.equal(runs.find((x) => x.runId === r.json.runId)?.status, 'CANCELED')
      const events = (await p.ok(['logs', r.json.runId, '--json'])).json.events as Array<{ type: string; message?: string; level?: string }>
      assert.ok(events.some((e) => e.type === 'LOG' && e.level === 'warn' && /passed its time limit of 3 s: canceling it/.test(e.message ?? '')), 'the moment the limit passed is in the log')
      const end = events.find((e) => e.type === 'RUN_CANCELED')
      assert.match(end?.message ?? '', /ran past its time limit of 3 s\. Raise it with --timeout SECONDS/)
      assert.deepEqual(inProgress(p.home), [])
      assert.equal(get(assetsByKey(await p.ok(['list', '--json'])), 'spin').dataVersion, good, 'the last good materialization stays the latest')
    }))

  it('materialize --timeout without --json says so; a run that ends in time is not affected', () =>
    withProject(DEFS, async (p) => {
      const quick = await p.ok(['materialize', '--timeout', '30'])
      assert.match(quick.stdout, /Run succeeded/)
      const r = expectExit(await p.run(['materialize', 'spin', '--timeout', '0.5', '--grace', '0'], { env: { SPIN_ATTEMPTS: '1', SPIN_LIMIT: '60000' } }), 1)
      assert.match(r.stdout, /Run canceled/)
      assert.match(r.stdout, /It passed its --timeout of 0\.5 s: what had not finished was canceled\./)
    }))

  it('backfill --timeout: cancels the backfill, unfinished partitions stay pending for a resume', () =>
    withProject(
      `import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const day = asset({
  key: 'day',
  partitions: dailyPartitions({ start: '2024-01-01' }),
  compute: (ctx) => {
    if (ctx.partitionKey === '2024-01-02') for (;;) {}
    return ctx.partitionKey
  },
})
export default defineDefinitions({ assets: [day] })
`,
      async (p) => {
        const r = expectExit(await p.run(['backfill', 'day', '--from', '2024-01-01', '--to', '2024-01-03', '--json', '--timeout', '4', '--grace', '0', '--concurrency', '1']), 1)
        assert.equal(r.json.status, 'CANCELED')
        assert.equal(r.json.timedOut, true)
        assert.equal(r.json.counts.SUCCESS, 1)
        assert.equal(r.json.counts.PENDING, 2)
        assert.deepEqual(inProgress(p.home), [])
      },
    ))

  it('in-process: running steps are given up on after the grace period (no second Ctrl-C comes)', () =>
    withProject(DEFS, async (p) => {
      await withEnv({ SPIN_ATTEMPTS: '1', LOOP: 'async', SPIN_LIMIT: '60000' }, async () => {
        const ws = await openWorkspace({ cwd: p.dir })
        try {
          const r = await materialize(ws, { executor: 'in-process', runTimeoutMs: 300, graceMs: 100 })
          assert.equal(r.status, 'CANCELED')
          assert.equal(r.timedOut, true)
          assert.match(stepOf(r, 'spin').error?.message ?? '', /the run passed its time limit of 300 ms; the run stopped waiting for it/)
        } finally {
          await ws.close()
        }
      })
      await assertLateValueDropped(p)
    }))

  it('--timeout takes a number of seconds > 0', () =>
    withProject(DEFS, async (p) => {
      for (const [cmd, bad] of [['materialize', '0'], ['materialize', 'soon'], ['backfill', '-1']] as const) {
        const args = cmd === 'backfill' ? ['backfill', 'spin', '--from', 'a', '--to', 'b', '--timeout', bad] : [cmd, '--timeout', bad]
        const r = expectExit(await p.run(args), 2)
        assert.match(r.stderr, /--timeout must be a number of seconds > 0/)
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack')
      }
    }))
})
