import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newMaterialization, newRun, storageErrorLike, forEachBackend } from './helpers.js'

forEachBackend((withStorage) => {
  test('run lifecycle: create, read, finish', () =>
    withStorage(async (s) => {
      const run = newRun('run-1', { backfillId: 'bf-1', tags: { team: 'data' } })
      await s.createRun(run)
      const created = await s.getRun('run-1')
      assert.deepEqual(created, { ...run, status: 'RUNNING' })
      assert.ok(created && !('endedAt' in created), 'endedAt is absent while running')

      await s.finishRun('run-1', 'SUCCESS', run.startedAt + 5000)
      assert.deepEqual(await s.getRun('run-1'), { ...run, status: 'SUCCESS', endedAt: run.startedAt + 5000 })
      assert.equal(await s.getRun('nope'), undefined)
    }))

  test('optional run fields come back absent, tags default to {}', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('plain'))
      const run = await s.getRun('plain')
      assert.ok(run)
      assert.deepEqual(run.tags, {})
      assert.deepEqual(run.stepKeys, ['raw/a', 'b[2024-01-01]'])
      assert.equal('backfillId' in run, false)
      assert.equal('endedAt' in run, false)
    }))

  test('listRuns: newest first, limit and status filter', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('old', { startedAt: 1000 }))
      await s.createRun(newRun('new', { startedAt: 3000 }))
      await s.createRun(newRun('mid', { startedAt: 2000 }))
      await s.finishRun('mid', 'FAILURE', 2500)
      assert.deepEqual((await s.listRuns()).map((r) => r.runId), ['new', 'mid', 'old'])
      assert.deepEqual((await s.listRuns({ limit: 2 })).map((r) => r.runId), ['new', 'mid'])
      assert.deepEqual((await s.listRuns({ status: 'RUNNING' })).map((r) => r.runId), ['new', 'old'])
      assert.deepEqual((await s.listRuns({ status: 'FAILURE' })).map((r) => r.runId), ['mid'])
      assert.deepEqual(await s.listRuns({ status: 'CANCELED' }), [])
    }))

  test('run misuse fails with STRATA_STORAGE', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('dup'))
      await assert.rejects(s.createRun(newRun('dup')), storageErrorLike(/Run dup already exists/))
      await assert.rejects(s.finishRun('ghost', 'SUCCESS', 1), storageErrorLike(/Cannot finish run ghost: no such run/))
      await assert.rejects(s.finishRun('dup', 'RUNNING' as 'SUCCESS', 1), storageErrorLike(/status must be SUCCESS, FAILURE or CANCELED/))
      assert.equal((await s.getRun('dup'))?.status, 'RUNNING')
    }))

  test('failOrphanedRuns fails dead RUNNING runs, their events and IN_PROGRESS states only', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('alive', { pid: 100, host: 'h1' }))
      await s.createRun(newRun('dead', { pid: 200, host: 'h2' }))
      await s.createRun(newRun('finished', { pid: 300, host: 'h3' }))
      await s.finishRun('finished', 'SUCCESS', 5)

      // 'dead' had materialized p1 earlier, then started p1 again and p2; 'alive' is working on p3.
      const good = await s.recordMaterialization(newMaterialization('asset', 'dead', { partitionKey: 'p1', dataVersion: 'v1' }), [])
      await s.setPartitionStates(
        [
          { assetKey: 'asset', partitionKey: 'p1', state: 'IN_PROGRESS' },
          { assetKey: 'asset', partitionKey: 'p2', state: 'IN_PROGRESS' },
          { assetKey: 'asset', partitionKey: 'p4', state: 'FAILED' },
        ],
        'dead',
        10,
      )
      await s.setPartitionStates([{ assetKey: 'asset', partitionKey: 'p3', state: 'IN_PROGRESS' }], 'alive', 10)

      const asked: string[] = []
      const changed = await s.failOrphanedRuns((pid, host) => {
        asked.push(`${pid}@${host}`)
        return pid !== 200
      }, 99)
      assert.deepEqual(changed, ['dead'])
      assert.deepEqual(asked.sort(), ['100@h1', '200@h2'], 'only RUNNING runs are checked')

      assert.deepEqual(
        { status: (await s.getRun('dead'))?.status, endedAt: (await s.getRun('dead'))?.endedAt },
        { status: 'FAILURE', endedAt: 99 },
      )
      assert.equal((await s.getRun('alive'))?.status, 'RUNNING')
      assert.equal((await s.getRun('finished'))?.status, 'SUCCESS')

      const failures = await s.getEvents('dead', { types: ['RUN_FAILURE'] })
      assert.equal(failures.length, 1)
      assert.equal(
        failures[0]?.message,
        'The process running this run (pid 200 on h2) exited before it finished; its unfinished steps were marked failed.',
      )
      assert.equal(failures[0]?.ts, 99)
      assert.deepEqual(await s.getEvents('alive', { types: ['RUN_FAILURE'] }), [])

      const states = Object.fromEntries((await s.getPartitionStates('asset')).map((r) => [r.partitionKey, r]))
      assert.deepEqual(states.p1, {
        assetKey: 'asset',
        partitionKey: 'p1',
        state: 'FAILED',
        runId: 'dead',
        updatedAt: 99,
        materializationId: good.id,
        dataVersion: 'v1',
        codeVersion: 'code-1',
      })
      assert.equal(states.p2?.state, 'FAILED')
      assert.equal(states.p3?.state, 'IN_PROGRESS', "another run's partitions are untouched")
      assert.equal(states.p4?.updatedAt, 10, 'already FAILED states are not rewritten')
      assert.deepEqual(await s.countPartitionStates('asset'), { IN_PROGRESS: 1, FAILED: 3, MATERIALIZED: 0 })

      assert.deepEqual(await s.failOrphanedRuns(() => false, 200), ['alive'])
      assert.deepEqual(await s.failOrphanedRuns(() => false, 300), [], 'a second pass changes nothing')
      assert.equal((await s.getEvents('dead', { types: ['RUN_FAILURE'] })).length, 1)
    }))

  test('a closed storage refuses calls with STRATA_STORAGE; close is idempotent', async () => {
    await withStorage(async (s) => {
      await s.close()
      await assert.rejects(s.getRun('x'), storageErrorLike(/is closed/))
      await assert.rejects(s.createRun(newRun('x')), storageErrorLike(/is closed/))
    })
  })
})
