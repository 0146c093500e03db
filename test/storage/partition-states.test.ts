import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newMaterialization, newRun, storageErrorLike, forEachBackend } from './helpers.js'

forEachBackend((withStorage) => {
  test('a FAILED or IN_PROGRESS attempt after a success keeps the last good materialization', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      await s.createRun(newRun('r2'))
      await s.createRun(newRun('r3'))
      await s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS' }], 'r1', 10)
      assert.deepEqual(await s.getPartitionStates('a'), [{ assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS', runId: 'r1', updatedAt: 10 }])

      const good = await s.recordMaterialization(newMaterialization('a', 'r1', { partitionKey: 'p', dataVersion: 'good', endedAt: 20 }), [])
      await s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'FAILED' }], 'r2', 30)
      assert.deepEqual(await s.getPartitionStates('a'), [
        { assetKey: 'a', partitionKey: 'p', state: 'FAILED', runId: 'r2', updatedAt: 30, materializationId: good.id, dataVersion: 'good', codeVersion: 'code-1' },
      ])
      await s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS' }], 'r3', 40)
      assert.deepEqual(await s.getPartitionStates('a'), [
        { assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS', runId: 'r3', updatedAt: 40, materializationId: good.id, dataVersion: 'good', codeVersion: 'code-1' },
      ])
      assert.equal((await s.getLatest('a', 'p'))?.id, good.id, 'the latest pointer is untouched by attempts')

      const newer = await s.recordMaterialization(newMaterialization('a', 'r3', { partitionKey: 'p', dataVersion: 'newer', endedAt: 50 }), [])
      assert.deepEqual(await s.getPartitionStates('a'), [
        { assetKey: 'a', partitionKey: 'p', state: 'MATERIALIZED', runId: 'r3', updatedAt: 50, materializationId: newer.id, dataVersion: 'newer', codeVersion: 'code-1' },
      ])
    }))

  test('one setPartitionStates call writes its rows in order: a slot named twice ends as the last row says, a basis row is still compared', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const kept = await s.recordMaterialization(newMaterialization('a', 'r', { partitionKey: 'newer', endedAt: 5 }), [])
      await s.setPartitionStates(
        [
          { assetKey: 'a', partitionKey: 'twice', state: 'IN_PROGRESS' },
          { assetKey: 'a', partitionKey: 'once', state: 'FAILED' },
          { assetKey: 'a', partitionKey: 'twice', state: 'FAILED' },
          // Decided before `newer` was materialized: must not hide it.
          { assetKey: 'a', partitionKey: 'newer', state: 'FAILED', basis: 0 },
          { assetKey: 'b', partitionKey: '', state: 'IN_PROGRESS' },
        ],
        'r',
        10,
      )
      const byKey = (rows: Array<{ assetKey: string; partitionKey: string; state: string }>) => rows.map((r) => `${r.assetKey}/${r.partitionKey}=${r.state}`)
      assert.deepEqual(byKey(await s.getPartitionStates('a')), ['a/newer=MATERIALIZED', 'a/once=FAILED', 'a/twice=FAILED'])
      assert.deepEqual(byKey(await s.getPartitionStates('b')), ['b/=IN_PROGRESS'])
      assert.equal((await s.getLatest('a', 'newer'))?.id, kept.id)
    }))

  test('setPartitionStates misuse fails with STRATA_STORAGE and writes nothing', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      await assert.rejects(
        s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'MATERIALIZED' as 'FAILED' }], 'r', 1),
        storageErrorLike(/must be IN_PROGRESS or FAILED.*recordMaterialization/),
      )
      await assert.rejects(
        s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'FAILED' }], 'ghost', 1),
        storageErrorLike(/Run ghost does not exist/),
      )
      assert.deepEqual(await s.getPartitionStates('a'), [])
    }))

  test('countPartitionStates counts 100,000 partitions by state', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const n = 100_000
      const states = Array.from({ length: n }, (_, i) => ({
        assetKey: 'big',
        partitionKey: `p${String(i).padStart(6, '0')}`,
        state: i % 3 === 0 ? ('FAILED' as const) : ('IN_PROGRESS' as const),
      }))
      await s.setPartitionStates(states, 'r', 1)
      for (let i = 0; i < 5; i++) {
        await s.recordMaterialization(newMaterialization('big', 'r', { partitionKey: `p${String(i * 3 + 1).padStart(6, '0')}` }), [])
      }
      await s.setPartitionStates([{ assetKey: 'other', partitionKey: '', state: 'FAILED' }], 'r', 1)

      const failed = Math.ceil(n / 3)
      assert.deepEqual(await s.countPartitionStates('big'), { IN_PROGRESS: n - failed - 5, FAILED: failed, MATERIALIZED: 5 })
      assert.deepEqual(await s.countPartitionStates('other'), { IN_PROGRESS: 0, FAILED: 1, MATERIALIZED: 0 })
      assert.deepEqual(await s.countPartitionStates('none'), { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 0 })
      assert.equal((await s.getPartitionStates('big')).length, n)
    }))

  test('getPartitionStates reports the code version of the last good materialization', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      await s.createRun(newRun('r2'))
      await s.recordMaterialization(newMaterialization('a', 'r1', { partitionKey: 'p', codeVersion: 'v1' }), [])
      await s.recordMaterialization(newMaterialization('other', 'r1', { partitionKey: 'p', codeVersion: 'other-v' }), [])
      await s.setPartitionStates(
        [
          { assetKey: 'a', partitionKey: 'p', state: 'FAILED' },
          { assetKey: 'a', partitionKey: 'never', state: 'IN_PROGRESS' },
        ],
        'r2',
        5,
      )
      let [never, p] = await s.getPartitionStates('a')
      assert.equal(p?.codeVersion, 'v1', 'a failed attempt (maybe with new code) keeps the code version of the good one')
      assert.equal(never !== undefined && 'codeVersion' in never, false, 'never materialized: no codeVersion key')

      const second = await s.recordMaterialization(newMaterialization('a', 'r2', { partitionKey: 'p', codeVersion: 'v2' }), [])
      ;[, p] = await s.getPartitionStates('a')
      assert.deepEqual([p?.materializationId, p?.codeVersion], [second.id, 'v2'])
      assert.equal((await s.getPartitionStates('other'))[0]?.codeVersion, 'other-v')
    }))

  test('getPartitionStates returns 100,000 partitions in key order with their code versions', (t) =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const n = 100_000
      const key = (i: number) => `p${String(i).padStart(6, '0')}`
      // Written in reverse so the key order of the result is the query's doing.
      const states = Array.from({ length: n }, (_, i) => ({ assetKey: 'big', partitionKey: key(n - 1 - i), state: 'IN_PROGRESS' as const }))
      await s.appendEvents([], { runId: 'r', now: 1, rows: states })
      const materialized = new Map<number, number>()
      for (let i = 0; i < n; i += 97) {
        const m = await s.recordMaterialization(newMaterialization('big', 'r', { partitionKey: key(i), codeVersion: `code-${i % 5}`, endedAt: 2 }), [])
        materialized.set(i, m.id)
      }
      await s.setPartitionStates([{ assetKey: 'big', partitionKey: key(97), state: 'FAILED' }], 'r', 3)

      const start = performance.now()
      const rows = await s.getPartitionStates('big')
      t.diagnostic(`getPartitionStates for ${n} partitions: ${(performance.now() - start).toFixed(1)} ms`)
      assert.equal(rows.length, n)
      for (let i = 0; i < n; i++) {
        const row = rows[i]!
        assert.equal(row.partitionKey, key(i))
        const id = materialized.get(i)
        if (id === undefined) {
          assert.equal(row.state, 'IN_PROGRESS')
          assert.equal('codeVersion' in row || 'materializationId' in row, false, `${row.partitionKey} was never materialized`)
        } else {
          assert.equal(row.state, i === 97 ? 'FAILED' : 'MATERIALIZED')
          assert.equal(row.materializationId, id)
          assert.equal(row.codeVersion, `code-${i % 5}`)
        }
      }
    }))
})
