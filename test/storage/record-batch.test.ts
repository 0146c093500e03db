// Storage.recordMaterializations (group commit): a batch is stored exactly as
// one recordMaterialization each would store it, in one transaction — all of
// it or nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { LineageEdge, NewEvent } from '../../engine/storage/index.js'
import { newMaterialization, newRun, forEachBackend } from './helpers.js'

const event = (type: NewEvent['type'], assetKey: string, ts: number): NewEvent => ({ runId: 'r', ts, type, assetKey, partitionKey: '' })

forEachBackend((withStorage) => {
  test('recordMaterializations stores each record with its lineage, events, latest pointer, state and checks, in batch order', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const up = await s.recordMaterialization(newMaterialization('up', 'r', { dataVersion: 'u1' }), [])
      const consumed: LineageEdge[] = [{ upstreamMaterializationId: up.id, upstreamAssetKey: 'up', upstreamPartitionKey: '', upstreamDataVersion: 'u1', inputName: 'up' }]
      const a = newMaterialization('a', 'r', { dataVersion: 'a1' })
      const b1 = newMaterialization('b', 'r', { partitionKey: '2024-01-01', dataVersion: 'b1' })
      const b2 = newMaterialization('b', 'r', { partitionKey: '2024-01-02', dataVersion: 'b2' })
      const check = { assetKey: 'a', partitionKey: '', checkName: 'positive', passed: true, blocking: true, metadata: {}, runId: 'r', ts: 1_700_000_000_300 }
      const records = await s.recordMaterializations(
        [
          { materialization: a, consumed, followingEvents: [event('STEP_SUCCESS', 'a', 1_700_000_000_201)], checkResults: [check] },
          { materialization: b1, consumed: [] },
          { materialization: b2, consumed, followingEvents: [{ ...event('STEP_SUCCESS', 'b', 1_700_000_000_202), partitionKey: '2024-01-01,2024-01-02' }] },
        ],
        { precedingEvents: [event('STEP_START', 'a', 1_700_000_000_100), event('STEP_START', 'b', 1_700_000_000_101)] },
      )
      assert.equal(records.length, 3)
      assert.deepEqual(records[0], { ...a, id: records[0]!.id })
      assert.ok(records[0]!.id < records[1]!.id && records[1]!.id < records[2]!.id, 'ids in batch order')
      assert.deepEqual(await s.getLatest('a'), { ...records[0], consumed })
      assert.deepEqual(await s.getLatest('b', '2024-01-01'), { ...records[1], consumed: [] })
      assert.deepEqual(await s.getLatest('b', '2024-01-02'), { ...records[2], consumed })
      assert.deepEqual(await s.getLineage(records[2]!.id), consumed)

      const states = await s.getPartitionStates('b')
      assert.deepEqual(
        states.map((r) => [r.partitionKey, r.state, r.materializationId]),
        [
          ['2024-01-01', 'MATERIALIZED', records[1]!.id],
          ['2024-01-02', 'MATERIALIZED', records[2]!.id],
        ],
      )
      const checks = await s.getLatestCheckResults('a', '')
      assert.equal(checks.length, 1)
      assert.equal(checks[0]!.materializationId, records[0]!.id)

      // Preceding events first, then each record's MATERIALIZATION and its following events.
      const events = (await s.getEvents('r')).filter((e) => e.assetKey !== 'up')
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.assetKey}${e.type === 'MATERIALIZATION' ? ` ${(e.data as { materializationId: number }).materializationId}` : ''}`),
        [
          'STEP_START a',
          'STEP_START b',
          `MATERIALIZATION a ${records[0]!.id}`,
          'CHECK a',
          'STEP_SUCCESS a',
          `MATERIALIZATION b ${records[1]!.id}`,
          `MATERIALIZATION b ${records[2]!.id}`,
          'STEP_SUCCESS b',
        ],
      )
    }))

  test('a batch with one record that cannot be stored stores nothing: no record, event or latest change', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const before = await s.recordMaterialization(newMaterialization('a', 'r', { dataVersion: 'old' }), [])
      const eventsBefore = (await s.getEvents('r')).length
      const dangling: LineageEdge[] = [{ upstreamMaterializationId: 987_654, upstreamAssetKey: 'gone', upstreamPartitionKey: '', upstreamDataVersion: 'x' }]
      await assert.rejects(
        s.recordMaterializations(
          [
            { materialization: newMaterialization('a', 'r', { dataVersion: 'new' }), consumed: [] },
            { materialization: newMaterialization('c', 'r'), consumed: dangling },
          ],
          { precedingEvents: [event('STEP_START', 'a', 1)] },
        ),
        (err: Error & { code?: string }) => err.code === 'STRATA_STORAGE' && /987654/.test(err.message),
      )
      assert.deepEqual(await s.getLatest('a'), { ...before, consumed: [] }, 'the last good materialization stays latest')
      assert.equal(await s.getLatest('c'), undefined)
      assert.equal((await s.getEvents('r')).length, eventsBefore, 'no event of the failed batch was stored')
      assert.deepEqual((await s.listMaterializations('a')).map((m) => m.dataVersion), ['old'])
    }))

  test('a malformed record in a batch is refused before anything is stored', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      await assert.rejects(
        s.recordMaterializations([
          { materialization: newMaterialization('a', 'r'), consumed: [] },
          { materialization: newMaterialization('b', 'r', { format: 'csv' as 'json' }), consumed: [] },
        ]),
        (err: Error & { code?: string }) => err.code === 'STRATA_STORAGE' && /recordMaterialization\(b\): format must be "json" or "arrow"/.test(err.message),
      )
      assert.equal(await s.getLatest('a'), undefined)
    }))

  test('an empty batch stores its preceding events only', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      assert.deepEqual(await s.recordMaterializations([]), [])
      assert.deepEqual(await s.recordMaterializations([], { precedingEvents: [event('LOG', 'a', 5)] }), [])
      assert.deepEqual((await s.getEvents('r')).map((e) => e.type), ['LOG'])
    }))
})
