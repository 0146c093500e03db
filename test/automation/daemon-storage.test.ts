import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewAutomationRequest } from '../../engine/storage/index.js'
import { DaemonLock } from '../../engine/automation/lock.js'
import type { Storage } from '../../engine/storage/index.js'
import { forEachBackend, newInstance, type BackendName } from '../storage/helpers.js'

const request = (key: string, overrides: Partial<NewAutomationRequest> = {}): NewAutomationRequest => ({
  requestKey: key,
  runId: `run-${key}`,
  sourceKind: 'schedule',
  sourceName: 'daily',
  selection: 'a',
  assetKeys: ['a'],
  slots: [{ assetKey: 'a', partitionKey: '' }],
  reason: 'cron tick',
  tags: { 'strata/schedule': 'daily' },
  createdAt: 1000,
  ...overrides,
})

/** Opens `count` storages on one fresh instance (separate connections, as daemons in separate processes or hosts have). */
async function withShared(backend: BackendName, count: number, fn: (storages: Storage[]) => Promise<void>): Promise<void> {
  const instance = newInstance(backend)
  const storages: Storage[] = []
  try {
    for (let i = 0; i < count; i++) storages.push(await instance.open())
    await fn(storages)
  } finally {
    for (const s of storages) await s.close()
    await instance.cleanup()
  }
}

forEachBackend((withStorage, backend) => {
  test('daemon lease: a live holder keeps it; a dead or expired one is replaced; renew fails once taken over', async () => {
    await withStorage(async (storage) => {
      const alive = new Set([100])
      const isAlive = (pid: number) => alive.has(pid)
      const first = await storage.acquireDaemonLease({ owner: 'one', pid: 100, host: 'h', now: 0, ttlMs: 30_000 }, isAlive)
      assert.equal(first.acquired, true)
      const second = await storage.acquireDaemonLease({ owner: 'two', pid: 200, host: 'h', now: 1000, ttlMs: 30_000 }, isAlive)
      assert.deepEqual(second.acquired ? undefined : second.holder.pid, 100)
      // Renewed by its heartbeat: still held past the first expiry.
      assert.equal(await storage.renewDaemonLease('one', 25_000, 30_000), true)
      const third = await storage.acquireDaemonLease({ owner: 'two', pid: 200, host: 'h', now: 40_000, ttlMs: 30_000 }, isAlive)
      assert.equal(third.acquired, false)
      // Expired (no heartbeat), though its pid still answers (reused): taken over.
      const fourth = await storage.acquireDaemonLease({ owner: 'two', pid: 200, host: 'h', now: 60_000, ttlMs: 30_000 }, isAlive)
      assert.ok(fourth.acquired && fourth.replaced?.owner === 'one')
      assert.equal(await storage.renewDaemonLease('one', 61_000, 30_000), false)
      // A dead holder is replaced before its lease expires.
      alive.delete(200)
      const fifth = await storage.acquireDaemonLease({ owner: 'three', pid: 300, host: 'h', now: 61_000, ttlMs: 30_000 }, isAlive)
      assert.ok(fifth.acquired && fifth.replaced?.pid === 200)
      await storage.releaseDaemonLease('three')
      assert.equal(await storage.getDaemonLease(), undefined)
    })
  })

  test('a tick is committed once per tick key, with its cursor and requests; a sensor run key is used once', async () => {
    await withStorage(async (storage) => {
      const tick = { sourceKind: 'schedule' as const, sourceName: 'daily', tickKey: '2024-01-02T00:00:00.000Z', scheduledFor: 5, evaluatedAt: 10, status: 'REQUESTED' as const }
      const first = await storage.commitAutomationTick({ tick, cursor: { cursor: '5', failures: 0 }, requests: [request('s1')] })
      assert.ok(first.tickId)
      assert.deepEqual(first.requests.map((r) => r.status), ['QUEUED'])
      const again = await storage.commitAutomationTick({ tick, cursor: { cursor: '6', failures: 0 }, requests: [request('s2')] })
      assert.equal(again.tickId, undefined)
      assert.equal((await storage.getAutomationCursors())[0]!.cursor, '5')
      assert.equal((await storage.listAutomationRequests()).length, 1)

      const sensorTick = (at: number) => ({ sourceKind: 'sensor' as const, sourceName: 'files', evaluatedAt: at, status: 'REQUESTED' as const })
      const r1 = await storage.commitAutomationTick({ tick: sensorTick(20), requests: [request('k1', { sourceKind: 'sensor', sourceName: 'files', runKey: 'v1' })] })
      const r2 = await storage.commitAutomationTick({
        tick: sensorTick(30),
        requests: [request('k2', { sourceKind: 'sensor', sourceName: 'files', runKey: 'v1' }), request('k3', { sourceKind: 'sensor', sourceName: 'files', runKey: 'v2' })],
      })
      assert.deepEqual(r1.requests.map((r) => r.status), ['QUEUED'])
      assert.deepEqual(r2.requests.map((r) => r.status), ['RUN_KEY_USED', 'QUEUED'])
      const ticks = await storage.listAutomationTicks({ sourceKind: 'sensor', sourceName: 'files' })
      assert.deepEqual(ticks.map((t) => t.requested), [1, 1])
    })
  })

  test('requests: queued in order, launched, done; last request time per partition', async () => {
    await withStorage(async (storage) => {
      const slots = (...keys: string[]) => keys.map((partitionKey) => ({ assetKey: 'p', partitionKey }))
      await storage.commitAutomationTick({
        tick: { sourceKind: 'conditions', sourceName: '', evaluatedAt: 100, status: 'REQUESTED' },
        requests: [request('c1', { slots: slots('2024-01-01', '2024-01-02'), partitionKeys: ['2024-01-01', '2024-01-02'], createdAt: 100 }), request('c2', { slots: slots('2024-01-02'), createdAt: 200 })],
      })
      const queued = await storage.listAutomationRequests({ statuses: ['QUEUED'] })
      assert.deepEqual(queued.map((r) => r.requestKey), ['c1', 'c2'])
      assert.deepEqual(queued[0]!.partitionKeys, ['2024-01-01', '2024-01-02'])
      assert.deepEqual(queued[0]!.tags, { 'strata/schedule': 'daily' })
      await storage.setAutomationRequestStatus(queued[0]!.requestId, 'LAUNCHED', 300)
      await storage.setAutomationRequestStatus(queued[0]!.requestId, 'DONE', 400, 'SUCCESS')
      const done = await storage.getAutomationRequest(queued[0]!.requestId)
      assert.equal(done?.status, 'DONE')
      assert.equal(done?.runStatus, 'SUCCESS')
      const times = (await storage.lastRequestTimes()).filter((t) => t.assetKey === 'p').map((t) => [t.partitionKey, t.requestedAt])
      assert.deepEqual(times.sort(), [['2024-01-01', 100], ['2024-01-02', 200]])
      await assert.rejects(storage.setAutomationRequestStatus(999, 'DONE', 1), /No automation request 999/)
    })
  })

  test('condition states keep their first evaluation; evaluations are listed newest first with their request', async () => {
    await withStorage(async (storage) => {
      const state = { assetKey: 'a', condition: 'h1', spec: '{"kind":"eager"}', firstEvaluatedAt: 10, firstCodeVersion: 'c1', lastEvaluatedAt: 10, codeVersion: 'c1' }
      const evaluation = (at: number, requestKey?: string) => ({ assetKey: 'a', condition: 'h1', evaluatedAt: at, partitions: 1, trueCount: 1, requested: requestKey ? 1 : 0, requestKey, summary: `at ${at}`, detail: { at }, fingerprint: String(at) })
      await storage.commitAutomationTick({ tick: { sourceKind: 'conditions', sourceName: '', evaluatedAt: 10, status: 'EVALUATED' }, conditions: [state], evaluations: [evaluation(10)] })
      await storage.commitAutomationTick({
        tick: { sourceKind: 'conditions', sourceName: '', evaluatedAt: 20, status: 'REQUESTED' },
        conditions: [{ ...state, firstEvaluatedAt: 20, firstCodeVersion: 'c2', lastEvaluatedAt: 20, codeVersion: 'c2' }],
        evaluations: [evaluation(20, 'r1')],
        requests: [request('r1', { sourceKind: 'conditions', sourceName: 'a' })],
      })
      const [s] = await storage.getConditionStates()
      assert.deepEqual([s!.firstEvaluatedAt, s!.firstCodeVersion, s!.lastEvaluatedAt, s!.codeVersion], [10, 'c1', 20, 'c2'])
      const evals = await storage.listAutomationEvaluations('a')
      assert.deepEqual(evals.map((e) => e.summary), ['at 20', 'at 10'])
      assert.equal(typeof evals[0]!.requestId, 'number')
      assert.equal(evals[1]!.requestId, undefined)
      assert.deepEqual(evals[0]!.detail, { at: 20 })
    })
  })

  test('dynamic partitions as they stood at an instant', async () => {
    await withStorage(async (storage) => {
      await storage.addDynamicPartitions('regions', ['us'], 100)
      await storage.addDynamicPartitions('regions', ['eu'], 200)
      assert.deepEqual(await storage.getDynamicPartitionsAt(150), { regions: ['us'] })
      assert.deepEqual(await storage.getDynamicPartitionsAt(200), { regions: ['us', 'eu'] })
    })
  })

  test('old ticks that decided nothing are pruned beyond the newest ones of each source; ticks with requests or evaluations stay', async () => {
    await withStorage(async (storage) => {
      const tick = (name: string, at: number) => ({ sourceKind: 'sensor' as const, sourceName: name, evaluatedAt: at, status: 'SKIPPED' as const })
      await storage.commitAutomationTick({ tick: { ...tick('poll', 0), status: 'REQUESTED' }, requests: [request('kept', { sourceKind: 'sensor', sourceName: 'poll' })] })
      for (let i = 1; i <= 10; i++) await storage.commitAutomationTick({ tick: tick('poll', i) })
      await storage.commitAutomationTick({ tick: tick('other', 1) })
      assert.equal(await storage.pruneAutomationTicks(3), 7)
      const left = await storage.listAutomationTicks({ sourceKind: 'sensor', sourceName: 'poll', limit: 100 })
      assert.deepEqual(left.map((t) => t.evaluatedAt), [10, 9, 8, 0])
      assert.equal((await storage.listAutomationTicks({ sourceKind: 'sensor', sourceName: 'other' })).length, 1)
    })
  })

  test('two daemons on one storage: the second gets STRATA_DAEMON_RUNNING naming the holder; racing for a free or expired lease, exactly one wins', async () => {
    await withShared(backend, 3, async ([a, b, c]) => {
      // Another host's process cannot be probed: it is alive as far as this host can tell.
      const alive = () => true
      const first = await DaemonLock.acquire(a!, 'the-home', { isAlive: alive })
      await assert.rejects(DaemonLock.acquire(b!, 'the-home', { isAlive: alive }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'STRATA_DAEMON_RUNNING')
        assert.match(err.message, new RegExp(`holds the home the-home: pid ${process.pid} on `))
        return true
      })
      await first.release()
      assert.equal(await a!.getDaemonLease(), undefined)

      const claim = (owner: string, now: number) => ({ owner, pid: 1000 + owner.length, host: `host-${owner}`, now, ttlMs: 30_000 })
      const free = await Promise.all([a!, b!, c!].map((s, i) => s.acquireDaemonLease(claim(`d${i}`, 1000), alive)))
      assert.equal(free.filter((r) => r.acquired).length, 1)
      const holder = (await a!.getDaemonLease())!
      for (const r of free) if (!r.acquired) assert.equal(r.holder.owner, holder.owner)
      // Expired: all three see it, one takes it over, the others find the new holder (not the expired one).
      const late = await Promise.all([a!, b!, c!].map((s, i) => s.acquireDaemonLease(claim(`late${i}`, holder.expiresAt + 1), alive)))
      const winners = late.filter((r) => r.acquired)
      assert.equal(winners.length, 1)
      assert.equal(winners[0]!.acquired && winners[0]!.replaced?.owner, holder.owner)
      const taken = (await b!.getDaemonLease())!
      for (const r of late) if (!r.acquired) assert.equal(r.holder.owner, taken.owner)
      assert.equal(await a!.renewDaemonLease(holder.owner, holder.expiresAt + 2, 30_000), false)
    })
  })

  test('what changed since the last look: new materializations, runs that started or ended; slots in progress and their states', async () => {
    await withStorage(async (storage) => {
      const run = (runId: string) => ({ runId, selection: '*', stepKeys: [], defsPath: 'd.ts', pid: 7, host: 'h', startedAt: 1 })
      const first = await storage.automationChanges()
      assert.deepEqual(first.assets, [])
      await storage.createRun(run('r1'))
      await storage.setPartitionStates([{ assetKey: 'x', partitionKey: 'p1', state: 'IN_PROGRESS' }], 'r1', 2)
      const second = await storage.automationChanges(first.watermark)
      assert.deepEqual(second.assets, ['x'])
      assert.deepEqual(second.watermark.running, ['r1'])
      assert.deepEqual(await storage.listInProgressSlots(), [{ assetKey: 'x', partitionKey: 'p1', runId: 'r1', pid: 7, host: 'h' }])
      assert.deepEqual(await storage.automationChanges(second.watermark).then((c) => c.assets), [])
      await storage.recordMaterialization(
        { assetKey: 'y', partitionKey: '', runId: 'r1', codeVersion: 'c', dataVersion: 'd', location: 'objects/y', format: 'json', bytes: 1, metadata: {}, startedAt: 3, endedAt: 4 },
        [],
      )
      await storage.setPartitionStates([{ assetKey: 'x', partitionKey: 'p1', state: 'FAILED' }], 'r1', 5)
      await storage.finishRun('r1', 'FAILURE', 6)
      const third = await storage.automationChanges(second.watermark)
      assert.deepEqual(third.assets.sort(), ['x', 'y'])
      assert.deepEqual(third.watermark.running, [])
      assert.deepEqual(await storage.listInProgressSlots(), [])
      const states = await storage.getSlotStates([{ assetKey: 'y', partitionKey: '' }, { assetKey: 'nope', partitionKey: '' }, { assetKey: 'x', partitionKey: 'p1' }])
      assert.deepEqual(states.map((s) => [s.assetKey, s.state, s.runId]), [['y', 'MATERIALIZED', 'r1'], ['x', 'FAILED', 'r1']])
    })
  })
})
