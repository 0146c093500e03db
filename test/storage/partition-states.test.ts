import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newMaterialization, newRun, storageErrorLike, withStorage } from './helpers.js'

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
      { assetKey: 'a', partitionKey: 'p', state: 'FAILED', runId: 'r2', updatedAt: 30, materializationId: good.id, dataVersion: 'good' },
    ])
    await s.setPartitionStates([{ assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS' }], 'r3', 40)
    assert.deepEqual(await s.getPartitionStates('a'), [
      { assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS', runId: 'r3', updatedAt: 40, materializationId: good.id, dataVersion: 'good' },
    ])
    assert.equal((await s.getLatest('a', 'p'))?.id, good.id, 'the latest pointer is untouched by attempts')

    const newer = await s.recordMaterialization(newMaterialization('a', 'r3', { partitionKey: 'p', dataVersion: 'newer', endedAt: 50 }), [])
    assert.deepEqual(await s.getPartitionStates('a'), [
      { assetKey: 'a', partitionKey: 'p', state: 'MATERIALIZED', runId: 'r3', updatedAt: 50, materializationId: newer.id, dataVersion: 'newer' },
    ])
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
