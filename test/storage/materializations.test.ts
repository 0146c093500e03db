import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { LineageEdge } from '../../engine/storage/index.js'
import { newMaterialization, newRun, storageErrorLike, forEachBackend } from './helpers.js'

forEachBackend((withStorage) => {
  test('recordMaterialization stores the record, its lineage, its event, the latest pointer and the state', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const up1 = await s.recordMaterialization(newMaterialization('raw/a', 'r', { dataVersion: 'a1' }), [])
      const up2 = await s.recordMaterialization(newMaterialization('raw/b', 'r', { partitionKey: '2024-01-01', dataVersion: 'b1', format: 'arrow' }), [])
      const consumed: LineageEdge[] = [
        { upstreamMaterializationId: up1.id, upstreamAssetKey: 'raw/a', upstreamPartitionKey: '', upstreamDataVersion: 'a1', inputName: 'a' },
        { upstreamMaterializationId: up2.id, upstreamAssetKey: 'raw/b', upstreamPartitionKey: '2024-01-01', upstreamDataVersion: 'b1' },
      ]
      const input = newMaterialization('c', 'r', { dataVersion: 'c1', metadata: { rows: 3, schema: { x: 'int' }, note: 'naïve "q"' } })
      const m = await s.recordMaterialization(input, consumed)
      assert.deepEqual(m, { ...input, id: m.id })
      assert.ok(m.id > up2.id)

      assert.deepEqual(await s.getMaterialization(m.id), m)
      assert.deepEqual(await s.getMaterialization(up2.id), up2)
      assert.equal(await s.getMaterialization(9999), undefined)

      const lineage = await s.getLineage(m.id)
      assert.deepEqual(lineage, consumed)
      assert.equal('inputName' in lineage[1]!, false, 'an order-only dep has no inputName key')
      assert.deepEqual(await s.getLineage(up1.id), [])

      assert.deepEqual(await s.getLatest('c'), { ...m, consumed })
      assert.deepEqual(await s.getLatest('raw/b', '2024-01-01'), { ...up2, consumed: [] })
      assert.equal(await s.getLatest('raw/b'), undefined, 'the unpartitioned slot of a partitioned asset is empty')

      const events = await s.getEvents('r', { types: ['MATERIALIZATION'] })
      assert.equal(events.length, 3)
      assert.deepEqual(events[2], {
        id: events[2]!.id,
        runId: 'r',
        ts: input.endedAt,
        type: 'MATERIALIZATION',
        assetKey: 'c',
        partitionKey: '',
        level: 'info',
        data: { materializationId: m.id, dataVersion: 'c1', codeVersion: 'code-1', location: 'objects/c.json' },
      })

      assert.deepEqual(await s.getPartitionStates('c'), [
        { assetKey: 'c', partitionKey: '', state: 'MATERIALIZED', runId: 'r', updatedAt: input.endedAt, materializationId: m.id, dataVersion: 'c1', codeVersion: 'code-1' },
      ])
    }))

  test('latest points at the newest materialization; history is kept', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      await s.createRun(newRun('r2'))
      const first = await s.recordMaterialization(newMaterialization('x', 'r1', { dataVersion: 'v1' }), [])
      const second = await s.recordMaterialization(newMaterialization('x', 'r2', { dataVersion: 'v2', codeVersion: 'code-2' }), [])
      const p = await s.recordMaterialization(newMaterialization('x', 'r2', { partitionKey: 'p', dataVersion: 'vp' }), [])
      assert.equal((await s.getLatest('x'))?.id, second.id)
      assert.equal((await s.getLatest('x', ''))?.dataVersion, 'v2')
      assert.equal((await s.getLatest('x', 'p'))?.id, p.id)
      assert.deepEqual((await s.listMaterializations('x')).map((m) => m.id), [p.id, second.id, first.id])
      assert.deepEqual((await s.listMaterializations('x', { partitionKey: '' })).map((m) => m.id), [second.id, first.id])
      assert.deepEqual((await s.listMaterializations('x', { limit: 1 })).map((m) => m.id), [p.id])
      assert.deepEqual(await s.listMaterializations('nothing'), [])
      const state = (await s.getPartitionStates('x')).find((r) => r.partitionKey === '')
      assert.deepEqual([state?.runId, state?.materializationId, state?.dataVersion], ['r2', second.id, 'v2'])
    }))

  test('recordMaterialization is atomic: a bad lineage edge leaves nothing behind', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const good = await s.recordMaterialization(newMaterialization('y', 'r', { dataVersion: 'good' }), [])
      const eventsBefore = await s.getEvents('r')
      const bad: LineageEdge = { upstreamMaterializationId: 424242, upstreamAssetKey: 'ghost', upstreamPartitionKey: '', upstreamDataVersion: 'g' }
      await assert.rejects(
        s.recordMaterialization(newMaterialization('y', 'r', { dataVersion: 'bad' }), [bad]),
        storageErrorLike(/Upstream materialization 424242 does not exist/),
      )
      assert.deepEqual((await s.listMaterializations('y')).map((m) => m.id), [good.id])
      assert.equal((await s.getLatest('y'))?.dataVersion, 'good')
      assert.deepEqual(await s.getEvents('r'), eventsBefore)
      assert.equal((await s.getPartitionStates('y'))[0]?.materializationId, good.id)

      // The failed attempt did not burn the next write either.
      const next = await s.recordMaterialization(newMaterialization('y', 'r', { dataVersion: 'next' }), [])
      assert.equal((await s.getLatest('y'))?.id, next.id)
    }))

  test('recordMaterialization misuse fails with STRATA_STORAGE', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      await assert.rejects(s.recordMaterialization(newMaterialization('z', 'no-run'), []), storageErrorLike(/Run no-run does not exist/))
      await assert.rejects(
        s.recordMaterialization(newMaterialization('z', 'r', { partitionKey: undefined as unknown as string }), []),
        storageErrorLike(/partitionKey must be a string/),
      )
      await assert.rejects(
        s.recordMaterialization(newMaterialization('z', 'r', { format: 'csv' as 'json' }), []),
        storageErrorLike(/format must be "json" or "arrow"/),
      )
      assert.deepEqual(await s.listMaterializations('z'), [])
    }))

  test('getLatestMany: partitioned and unpartitioned, with consumed edges, filtered by asset', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const src = await s.recordMaterialization(newMaterialization('src', 'r', { dataVersion: 's1', metadata: { k: [1, { deep: true }], txt: 'a,b]"[' } }), [])
      const days = ['2024-01-01', '2024-01-02', '2024-01-03']
      const daily = new Map<string, number>()
      for (const day of days) {
        const m = await s.recordMaterialization(newMaterialization('daily', 'r', { partitionKey: day, dataVersion: `d-${day}` }), [
          { upstreamMaterializationId: src.id, upstreamAssetKey: 'src', upstreamPartitionKey: '', upstreamDataVersion: 's1', inputName: 'src' },
        ])
        daily.set(day, m.id)
      }
      // Re-materialize one partition: the latest must move, with its own edges.
      const redo = await s.recordMaterialization(newMaterialization('daily', 'r', { partitionKey: '2024-01-02', dataVersion: 'redo' }), [])
      daily.set('2024-01-02', redo.id)
      const consumedBySummary: LineageEdge[] = days.map((day) => ({
        upstreamMaterializationId: daily.get(day)!,
        upstreamAssetKey: 'daily',
        upstreamPartitionKey: day,
        upstreamDataVersion: day === '2024-01-02' ? 'redo' : `d-${day}`,
        inputName: 'daily',
      }))
      consumedBySummary.push({ upstreamMaterializationId: src.id, upstreamAssetKey: 'src', upstreamPartitionKey: '', upstreamDataVersion: 's1' })
      await s.recordMaterialization(newMaterialization('summary', 'r', { dataVersion: 'sum' }), consumedBySummary)

      const all = await s.getLatestMany()
      assert.deepEqual(
        all.map((l) => [l.assetKey, l.partitionKey, l.dataVersion]),
        [
          ['daily', '2024-01-01', 'd-2024-01-01'],
          ['daily', '2024-01-02', 'redo'],
          ['daily', '2024-01-03', 'd-2024-01-03'],
          ['src', '', 's1'],
          ['summary', '', 'sum'],
        ],
      )
      // The set read must agree exactly with the single-row read.
      for (const l of all) assert.deepEqual(l, await s.getLatest(l.assetKey, l.partitionKey))
      assert.deepEqual(all.find((l) => l.assetKey === 'summary')?.consumed, consumedBySummary)
      assert.deepEqual(all.find((l) => l.partitionKey === '2024-01-02')?.consumed, [])
      assert.deepEqual(all.find((l) => l.assetKey === 'src')?.metadata, { k: [1, { deep: true }], txt: 'a,b]"[' })

      const some = await s.getLatestMany(['summary', 'src', 'src', 'unknown'])
      assert.deepEqual(some.map((l) => l.assetKey), ['src', 'summary'])
      assert.deepEqual(some, all.filter((l) => l.assetKey !== 'daily'))
      assert.deepEqual((await s.getLatestMany(['daily'])).map((l) => l.id), days.map((d) => daily.get(d)))
      assert.deepEqual(await s.getLatestMany([]), [])
      assert.deepEqual(await s.getLatestMany(['unknown']), [])
    }))

  test('getLatestMany on an empty store returns []', () =>
    withStorage(async (s) => {
      assert.deepEqual(await s.getLatestMany(), [])
    }))

  test('recordMaterialization writes preceding events before and following events after the MATERIALIZATION event', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const before = await s.appendEvents([{ runId: 'r', ts: 1, type: 'RUN_START' }])
      const m = await s.recordMaterialization(newMaterialization('a', 'r', { partitionKey: 'p', endedAt: 30 }), [], {
        precedingEvents: [
          { runId: 'r', ts: 10, type: 'STEP_START', assetKey: 'a', partitionKey: 'p' },
          { runId: 'r', ts: 20, type: 'LOG', level: 'info', message: 'working', data: { rows: 3 } },
        ],
        followingEvents: [{ runId: 'r', ts: 40, type: 'STEP_SUCCESS', assetKey: 'a', partitionKey: 'p' }],
      })
      const events = await s.getEvents('r')
      assert.deepEqual(
        events.map((e) => [e.type, e.ts]),
        [
          ['RUN_START', 1],
          ['STEP_START', 10],
          ['LOG', 20],
          ['MATERIALIZATION', 30],
          ['STEP_SUCCESS', 40],
        ],
      )
      assert.equal(events[0]?.id, before[0])
      assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id), 'ids follow the order')
      assert.deepEqual(events[2], { id: events[2]!.id, runId: 'r', ts: 20, type: 'LOG', level: 'info', message: 'working', data: { rows: 3 } })
      assert.equal(events[3]?.data?.materializationId, m.id)

      // Either list alone, or empty lists, work too.
      await s.recordMaterialization(newMaterialization('b', 'r', { endedAt: 50 }), [], { followingEvents: [{ runId: 'r', ts: 60, type: 'STEP_SUCCESS', assetKey: 'b' }] })
      await s.recordMaterialization(newMaterialization('c', 'r', { endedAt: 70 }), [], { precedingEvents: [], followingEvents: [] })
      assert.deepEqual((await s.getEvents('r', { afterId: events[4]!.id })).map((e) => `${e.type}:${e.assetKey}`), [
        'MATERIALIZATION:b',
        'STEP_SUCCESS:b',
        'MATERIALIZATION:c',
      ])
    }))

  test('recordMaterialization with events is atomic: a bad following event leaves nothing behind', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const good = await s.recordMaterialization(newMaterialization('y', 'r', { dataVersion: 'good' }), [])
      const eventsBefore = await s.getEvents('r')
      await assert.rejects(
        s.recordMaterialization(newMaterialization('y', 'r', { dataVersion: 'bad' }), [], {
          precedingEvents: [{ runId: 'r', ts: 1, type: 'STEP_START', assetKey: 'y' }],
          followingEvents: [{ runId: 'elsewhere', ts: 2, type: 'STEP_SUCCESS', assetKey: 'y' }],
        }),
        storageErrorLike(/Run elsewhere does not exist/),
      )
      assert.deepEqual(await s.getEvents('r'), eventsBefore)
      assert.deepEqual((await s.listMaterializations('y')).map((m) => m.id), [good.id])
      assert.equal((await s.getLatest('y'))?.dataVersion, 'good')
      assert.equal((await s.getPartitionStates('y'))[0]?.dataVersion, 'good')
    }))
})
