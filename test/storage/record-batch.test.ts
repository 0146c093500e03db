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

  // The common batch of a backfill: no checks, every slot once. PostgreSQL writes it a statement per table; the rows must be the same.
  test('a batch of many partitions without checks: every record, lineage edge, latest pointer, state and event, in batch order', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const up = await s.recordMaterialization(newMaterialization('up', 'r', { dataVersion: 'u1' }), [])
      const consumed: LineageEdge[] = [
        { upstreamMaterializationId: up.id, upstreamAssetKey: 'up', upstreamPartitionKey: '', upstreamDataVersion: 'u1', inputName: 'up' },
        { upstreamMaterializationId: up.id, upstreamAssetKey: 'up', upstreamPartitionKey: '', upstreamDataVersion: 'u1', inputName: 'again' },
      ]
      const days = Array.from({ length: 40 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`)
      // An older materialization of the first day: the batch's must replace it as latest.
      const older = await s.recordMaterialization(newMaterialization('d', 'r', { partitionKey: days[0]!, dataVersion: 'old' }), [])
      const mats = days.map((day, i) => newMaterialization('d', 'r', { partitionKey: day, dataVersion: `d${i}`, location: `objects/d/${day}.json`, bytes: i, metadata: { i }, endedAt: 1_700_000_001_000 + i }))
      const records = await s.recordMaterializations(
        mats.map((m, i) => ({ materialization: m, consumed: i % 2 ? consumed : [], followingEvents: [{ ...event('STEP_SUCCESS', 'd', 1_700_000_002_000 + i), partitionKey: m.partitionKey }] })),
        { precedingEvents: days.map((day, i) => ({ ...event('STEP_START', 'd', 1_700_000_000_500 + i), partitionKey: day })) },
      )
      assert.deepEqual(
        records,
        mats.map((m, i) => ({ ...m, id: records[i]!.id })),
      )
      for (let i = 1; i < records.length; i++) assert.ok(records[i - 1]!.id < records[i]!.id, 'ids in batch order')
      assert.ok(records[0]!.id > older.id)
      for (const [i, r] of records.entries()) {
        assert.deepEqual(await s.getLatest('d', days[i]), { ...r, consumed: i % 2 ? consumed : [] })
        assert.deepEqual(await s.getLineage(r.id), i % 2 ? consumed : [])
      }
      assert.deepEqual(
        (await s.getPartitionStates('d')).map((r) => [r.partitionKey, r.state, r.materializationId, r.dataVersion, r.codeVersion, r.runId, r.updatedAt]),
        records.map((r, i) => [days[i], 'MATERIALIZED', r.id, `d${i}`, 'code-1', 'r', 1_700_000_001_000 + i]),
      )
      const events = (await s.getEvents('r')).filter((e) => e.assetKey === 'd' && e.ts >= 1_700_000_000_500)
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.partitionKey}${e.type === 'MATERIALIZATION' ? ` ${JSON.stringify(e.data)}` : ''}`),
        [
          ...days.map((day) => `STEP_START ${day}`),
          ...records.flatMap((r, i) => [
            `MATERIALIZATION ${days[i]} ${JSON.stringify({ materializationId: r.id, dataVersion: `d${i}`, codeVersion: 'code-1', location: `objects/d/${days[i]}.json` })}`,
            `STEP_SUCCESS ${days[i]}`,
          ]),
        ],
      )
      for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.id < events[i]!.id, 'event ids in order')
    }))

  test('a batch naming one slot twice stores both, the second latest, as one call each would', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const first = newMaterialization('a', 'r', { dataVersion: 'a1' })
      const second = newMaterialization('a', 'r', { dataVersion: 'a2', location: 'objects/a2.json' })
      const records = await s.recordMaterializations([
        { materialization: first, consumed: [] },
        { materialization: newMaterialization('b', 'r'), consumed: [] },
        { materialization: second, consumed: [] },
      ])
      assert.ok(records[0]!.id < records[2]!.id)
      assert.deepEqual(await s.getLatest('a'), { ...records[2], consumed: [] })
      assert.deepEqual((await s.getPartitionStates('a')).map((r) => [r.materializationId, r.dataVersion]), [[records[2]!.id, 'a2']])
      assert.deepEqual(
        (await s.listMaterializations('a')).map((m) => m.dataVersion),
        ['a2', 'a1'],
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
