import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { NewEvent } from '../../engine/storage/index.js'
import { newMaterialization, newRun, storageErrorLike, forEachBackend } from './helpers.js'

forEachBackend((withStorage) => {
  test('appendEvents returns increasing ids; getEvents reads them back in order', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      await s.createRun(newRun('r2'))
      const batch: NewEvent[] = [
        { runId: 'r1', ts: 1, type: 'RUN_START', message: 'starting', level: 'info' },
        { runId: 'r1', ts: 2, type: 'STEP_START', assetKey: 'raw/a', partitionKey: '2024-01-01' },
        { runId: 'r1', ts: 3, type: 'LOG', level: 'warn', message: 'héllo "quoted"', data: { nested: { list: [1, 'two', null] }, n: 1.5 } },
      ]
      const ids = await s.appendEvents(batch)
      assert.equal(ids.length, 3)
      assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!)
      const [other] = await s.appendEvents([{ runId: 'r2', ts: 4, type: 'RUN_START' }])
      const more = await s.appendEvents([{ runId: 'r1', ts: 5, type: 'STEP_SUCCESS', assetKey: 'raw/a', partitionKey: '' }])
      assert.ok(other! > ids[2]! && more[0]! > other!)

      const events = await s.getEvents('r1')
      assert.deepEqual(events, [...batch, { runId: 'r1', ts: 5, type: 'STEP_SUCCESS', assetKey: 'raw/a', partitionKey: '' }].map((e, i) => ({ ...e, id: [...ids, ...more][i] })))
      const bare = events[0]!
      assert.equal('assetKey' in bare || 'partitionKey' in bare || 'data' in bare, false, 'absent optional fields are not null')
      assert.deepEqual((await s.getEvents('r2')).map((e) => e.id), [other])
      assert.deepEqual(await s.appendEvents([]), [])
    }))

  test('getEvents: afterId, limit and types', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      const ids = await s.appendEvents(
        Array.from({ length: 10 }, (_, i): NewEvent => ({ runId: 'r', ts: i, type: i % 2 === 0 ? 'LOG' : 'STEP_START', message: `e${i}` })),
      )
      assert.deepEqual((await s.getEvents('r', { afterId: ids[6] })).map((e) => e.message), ['e7', 'e8', 'e9'])
      assert.deepEqual((await s.getEvents('r', { limit: 2 })).map((e) => e.message), ['e0', 'e1'])
      assert.deepEqual((await s.getEvents('r', { afterId: ids[2], limit: 2 })).map((e) => e.message), ['e3', 'e4'])
      assert.deepEqual((await s.getEvents('r', { types: ['STEP_START'] })).map((e) => e.message), ['e1', 'e3', 'e5', 'e7', 'e9'])
      assert.deepEqual((await s.getEvents('r', { types: ['STEP_START', 'LOG'], afterId: ids[7] })).map((e) => e.message), ['e8', 'e9'])
      assert.deepEqual(await s.getEvents('r', { types: [] }), [])
      assert.deepEqual(await s.getEvents('r', { afterId: ids[9] }), [])
      assert.deepEqual(await s.getEvents('unknown-run'), [])
    }))

  test('appendEvents is atomic and names a missing run', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      await assert.rejects(
        s.appendEvents([
          { runId: 'r', ts: 1, type: 'LOG', message: 'first' },
          { runId: 'missing', ts: 2, type: 'LOG' },
        ]),
        storageErrorLike(/Run missing does not exist.*createRun first/),
      )
      assert.deepEqual(await s.getEvents('r'), [], 'no event of a failed batch is kept')
    }))

  test('appendEvents with states writes both in one call; attempts keep the last good materialization', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      await s.createRun(newRun('r2'))
      const good = await s.recordMaterialization(newMaterialization('a', 'r1', { partitionKey: 'p', dataVersion: 'good', codeVersion: 'code-7' }), [])

      const ids = await s.appendEvents([{ runId: 'r2', ts: 10, type: 'STEP_START', assetKey: 'a', partitionKey: 'p' }], {
        runId: 'r2',
        now: 10,
        rows: [
          { assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS' },
          { assetKey: 'a', partitionKey: 'q', state: 'IN_PROGRESS' },
        ],
      })
      assert.equal(ids.length, 1)
      assert.deepEqual((await s.getEvents('r2')).map((e) => [e.id, e.type]), [[ids[0], 'STEP_START']])
      assert.deepEqual(await s.getPartitionStates('a'), [
        { assetKey: 'a', partitionKey: 'p', state: 'IN_PROGRESS', runId: 'r2', updatedAt: 10, materializationId: good.id, dataVersion: 'good', codeVersion: 'code-7' },
        { assetKey: 'a', partitionKey: 'q', state: 'IN_PROGRESS', runId: 'r2', updatedAt: 10 },
      ])

      await s.appendEvents([{ runId: 'r2', ts: 20, type: 'STEP_FAILURE', assetKey: 'a', partitionKey: 'p', level: 'error' }], {
        runId: 'r2',
        now: 20,
        rows: [{ assetKey: 'a', partitionKey: 'p', state: 'FAILED' }],
      })
      assert.deepEqual((await s.getPartitionStates('a'))[0], {
        assetKey: 'a',
        partitionKey: 'p',
        state: 'FAILED',
        runId: 'r2',
        updatedAt: 20,
        materializationId: good.id,
        dataVersion: 'good',
        codeVersion: 'code-7',
      })
      assert.equal((await s.getLatest('a', 'p'))?.id, good.id)

      // States alone (no events) are still written.
      assert.deepEqual(await s.appendEvents([], { runId: 'r1', now: 30, rows: [{ assetKey: 'a', partitionKey: 'q', state: 'FAILED' }] }), [])
      assert.deepEqual((await s.getPartitionStates('a'))[1], { assetKey: 'a', partitionKey: 'q', state: 'FAILED', runId: 'r1', updatedAt: 30 })
      assert.deepEqual(await s.appendEvents([], { runId: 'r1', now: 40, rows: [] }), [])
      assert.deepEqual(await s.countPartitionStates('a'), { IN_PROGRESS: 0, FAILED: 2, MATERIALIZED: 0 })
    }))

  test('appendEvents with states is atomic: a bad state or unknown run keeps neither events nor states', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r'))
      await assert.rejects(
        s.appendEvents([{ runId: 'r', ts: 1, type: 'STEP_START', assetKey: 'a' }], {
          runId: 'ghost',
          now: 1,
          rows: [{ assetKey: 'a', partitionKey: '', state: 'IN_PROGRESS' }],
        }),
        storageErrorLike(/Run ghost does not exist.*createRun first/),
      )
      await assert.rejects(
        s.appendEvents([{ runId: 'r', ts: 1, type: 'STEP_START', assetKey: 'a' }], {
          runId: 'r',
          now: 1,
          rows: [{ assetKey: 'a', partitionKey: '', state: 'MATERIALIZED' as 'FAILED' }],
        }),
        storageErrorLike(/^appendEvents: state of a must be IN_PROGRESS or FAILED/),
      )
      await assert.rejects(
        s.appendEvents([{ runId: 'ghost', ts: 1, type: 'STEP_START', assetKey: 'a' }], {
          runId: 'r',
          now: 1,
          rows: [{ assetKey: 'a', partitionKey: '', state: 'IN_PROGRESS' }],
        }),
        storageErrorLike(/Run ghost does not exist/),
      )
      assert.deepEqual(await s.getEvents('r'), [])
      assert.deepEqual(await s.getPartitionStates('a'), [])
    }))
})
