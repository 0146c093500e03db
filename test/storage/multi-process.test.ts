/**
 * Several orchestrator processes (the real CLI) sharing one storage, on both
 * backends: concurrent materializations of one asset lose no update, and of
 * two processes resuming the same backfill at once exactly one drives it
 * while the other says who does.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createProject, expectExit, type CliResult, type Project } from '../integration/helpers.js'
import { forEachBackend, newInstance, type BackendName } from './helpers.js'

const DEFS = `import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-13' })
export const daily = asset({ key: 'daily', partitions: days, compute: async (ctx) => { await sleep(Number(process.env.STEP_MS ?? 0)); return { day: ctx.partitionKey } } })
export const total = asset({ key: 'total', ins: { daily: { asset: daily } }, compute: (_ctx, { daily }) => Object.keys(daily).length })
export default defineDefinitions({ assets: [daily, total] })
`

function withCli(backend: BackendName, fn: (p: Project, env: Record<string, string | undefined>, open: ReturnType<typeof newInstance>['open']) => Promise<void>) {
  return async () => {
    const instance = newInstance(backend)
    const p = createProject(DEFS)
    // Each process opens the storage from the environment, as processes on several hosts would.
    const env = { STRATA_STORAGE_URL: instance.url, STRATA_HOME: undefined }
    try {
      await fn(p, env, () => newOpen(instance, p))
    } finally {
      p.cleanup()
      await instance.cleanup()
    }
  }
}

/** Opens the storage the CLI used: the instance's URL, or the project's home for SQLite. */
function newOpen(instance: ReturnType<typeof newInstance>, p: Project) {
  return instance.url ? instance.open() : import('../../engine/storage/index.js').then(({ openStorage }) => openStorage(p.home))
}

function scenarios(backend: BackendName): void {
  test('three orchestrator processes materialize partitions of one asset at once: every materialization recorded, latest correct', { timeout: 180_000 }, withCli(backend, async (p, env, open) => {
    const days = Array.from({ length: 12 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`)
    const groups = [days.slice(0, 4), days.slice(4, 8), days.slice(8)]
    const runs = groups.map((keys) => p.start(['materialize', 'daily', '--partition', keys.join(','), '--json', '--concurrency', '2'], { env: { ...env, STEP_MS: '50' } }))
    const results: CliResult[] = await Promise.all(runs.map((r) => r.result))
    for (const r of results) expectExit(r, 0)
    // And again, overlapping: every partition once more from three processes racing on the same slots.
    const again = [0, 1, 2].map(() => p.start(['materialize', 'daily', '--partition', days.join(','), '--json', '--concurrency', '2'], { env }))
    for (const r of await Promise.all(again.map((a) => a.result))) expectExit(r, 0)

    const s = await open()
    try {
      const all = await s.listMaterializations('daily')
      const latest = await s.getLatestMany(['daily'])
      assert.equal(latest.length, 12, 'every partition has a latest')
      for (const l of latest) {
        const mine = all.filter((m) => m.partitionKey === l.partitionKey)
        assert.ok(mine.length >= 1)
        assert.equal(l.id, Math.max(...mine.map((m) => m.id)), `latest of ${l.partitionKey} is its newest materialization`)
      }
      assert.deepEqual(await s.countPartitionStates('daily'), { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 12 })
      const runIds = new Set(all.map((m) => m.runId))
      for (const r of [...results]) assert.ok(runIds.has(r.json.runId), `run ${r.json.runId} recorded its materializations`)
      for (const m of all) assert.equal((await s.getEvents(m.runId, { types: ['MATERIALIZATION'] })).filter((e) => e.data?.materializationId === m.id).length, 1, `materialization ${m.id} has its event`)
    } finally {
      await s.close()
    }
  }))

  test('two processes resume the same backfill at once: one drives it, the other exits 2 naming the process that does', { timeout: 180_000 }, withCli(backend, async (p, env, open) => {
    // A backfill whose driver was killed: interrupted, back to REQUESTED.
    const s = await open()
    try {
      await s.createBackfill(
        { backfillId: 'bf-race', selection: 'daily', assetKeys: ['daily'], fromKey: '2024-01-01', toKey: '2024-01-06', options: {}, defsPath: `${p.dir}/definitions.ts`, createdAt: Date.now(), pid: 1, host: 'gone' },
        ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06'].map((partitionKey) => ({ assetKey: 'daily', partitionKey })),
      )
    } finally {
      await s.close()
    }
    const both = [0, 1].map(() => p.start(['backfill', 'resume', 'bf-race', '--json', '--concurrency', '1'], { env: { ...env, STEP_MS: '700' } }))
    const results = await Promise.all(both.map((b) => b.result))
    const winners = results.filter((r) => r.code === 0)
    const losers = results.filter((r) => r.code !== 0)
    assert.equal(winners.length, 1, `exactly one resume drives the backfill:\n${results.map((r) => `exit ${r.code}: ${r.stdout}${r.stderr}`).join('\n')}`)
    expectExit(losers[0]!, 2)
    assert.match(losers[0]!.stderr, /Backfill bf-race is running in process \d+ on \S+\. Wait for it, or cancel it with: strata backfill cancel bf-race/)
    assert.equal(winners[0]!.json.status, 'COMPLETED_SUCCESS')

    const again = await open()
    try {
      const b = await again.getBackfill('bf-race')
      assert.equal(b?.status, 'COMPLETED_SUCCESS')
      assert.equal(b?.runIds.length, 1, 'one run drove it')
      assert.equal((await again.countBackfillTargets('bf-race')).SUCCESS, 6)
      assert.equal((await again.listMaterializations('daily')).length, 6, 'each partition built once')
    } finally {
      await again.close()
    }
  }))
}

forEachBackend((_withStorage, backend) => scenarios(backend))
