// Runs hold a lease renewed by heartbeat: a run on another host whose lease
// expired is failed by whoever notices; on its own host the pid answers at
// once. On every backend.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { isRunOwnerAlive } from '../../engine/home.js'
import { LEASE_OWNER, startHeartbeat } from '../../engine/leases.js'
import { forEachBackend, newRun } from './helpers.js'

const T = 1_700_000_000_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A pid no process has now. */
async function deadPid(): Promise<number> {
  const { spawnSync } = await import('node:child_process')
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
}

forEachBackend((withStorage) => {
  test('a run on another host is failed once its lease expired, not before; without a lease it is assumed alive', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('leased', { host: 'far-host', pid: 7, lease: { owner: 'far-host:7:abc', expiresAt: T + 30_000 } }))
      await s.createRun(newRun('old-style', { host: 'far-host' }))
      assert.deepEqual((await s.getRun('leased'))!.lease, { owner: 'far-host:7:abc', expiresAt: T + 30_000 })
      assert.deepEqual(await s.failOrphanedRuns(isRunOwnerAlive, T + 30_000), [], 'the lease still holds')
      assert.deepEqual(await s.failOrphanedRuns(isRunOwnerAlive, T + 30_001), ['leased'])
      const run = await s.getRun('leased')
      assert.equal(run!.status, 'FAILURE')
      const failure = (await s.getEvents('leased')).find((e) => e.type === 'RUN_FAILURE')!
      assert.match(failure.message!, /pid 7 on far-host\) stopped renewing its lease, which expired at /)
      assert.equal((await s.getRun('old-style'))!.status, 'RUNNING', 'no lease, another host: its pid cannot be checked, so it is assumed alive')
    }))

  test('on its own host the pid decides: a dead one at once, a live one even past its lease', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('dead', { host: hostname(), pid: await deadPid(), lease: { owner: 'x', expiresAt: T + 30_000 } }))
      await s.createRun(newRun('busy', { host: hostname(), pid: process.pid, lease: { owner: 'y', expiresAt: T } }))
      assert.deepEqual(await s.failOrphanedRuns(isRunOwnerAlive, T + 1), ['dead'])
      assert.equal((await s.getRun('busy'))!.status, 'RUNNING')
    }))

  test('renewRunLease extends the lease of a RUNNING run held by the owner only', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r', { lease: { owner: 'me', expiresAt: T } }))
      assert.equal(await s.renewRunLease('r', 'someone-else', T + 99), false)
      assert.equal(await s.renewRunLease('r', 'me', T + 10_000), true)
      assert.equal((await s.getRun('r'))!.lease!.expiresAt, T + 10_000)
      await s.finishRun('r', 'SUCCESS', T + 1)
      assert.equal(await s.renewRunLease('r', 'me', T + 20_000), false, 'a finished run holds no lease')
      assert.equal(await s.renewRunLease('nope', 'me', T), false)
    }))

  test('the heartbeat renews until stopped; a lease lost to someone else ends it', () =>
    withStorage(async (s) => {
      const owner = 'far-host:7:beat'
      await s.createRun(newRun('beat', { host: 'far-host', pid: 7, lease: { owner, expiresAt: Date.now() + 100 } }))
      const heartbeat = startHeartbeat((expiresAt) => s.renewRunLease('beat', owner, expiresAt), { ttlMs: 100, renewMs: 20 })
      await sleep(300)
      assert.deepEqual(await s.failOrphanedRuns(isRunOwnerAlive, Date.now()), [], 'renewed: not expired')
      heartbeat.stop()
      await sleep(50) // a renewal already under way when stopped
      const last = (await s.getRun('beat'))!.lease!.expiresAt
      await sleep(200)
      assert.equal((await s.getRun('beat'))!.lease!.expiresAt, last, 'stopped: no more renewals')
      assert.deepEqual(await s.failOrphanedRuns(isRunOwnerAlive, Date.now()), ['beat'], 'then it expires and whoever looks fails it')

      await s.createRun(newRun('lost', { lease: { owner: LEASE_OWNER, expiresAt: Date.now() + 100 } }))
      await s.finishRun('lost', 'FAILURE', Date.now())
      let lost = false
      const again = startHeartbeat((expiresAt) => s.renewRunLease('lost', LEASE_OWNER, expiresAt), { ttlMs: 100, renewMs: 20 }, () => (lost = true))
      await sleep(100)
      again.stop()
      assert.equal(lost, true)
    }))
})

forEachBackend((withStorage) => {
  const backfill = (backfillId: string, host: string, pid: number) => ({
    backfillId,
    selection: 'raw/a',
    assetKeys: ['raw/a'],
    options: {},
    defsPath: 'definitions.ts',
    createdAt: T,
    pid,
    host,
  })

  test('a backfill driven from another host is interrupted once its lease expired; a previous driver lease does not count', () =>
    withStorage(async (s) => {
      await s.createBackfill(backfill('bf', 'far-host', 7), [{ assetKey: 'raw/a', partitionKey: '' }])
      await s.setBackfillStatus('bf', 'RUNNING', T, { pid: 7, host: 'far-host' })
      assert.equal(await s.renewBackfillLease('bf', { pid: 8, host: 'far-host' }, { owner: 'far-host:8:x', expiresAt: T + 10 }), false, 'another process does not drive it')
      assert.equal(await s.renewBackfillLease('bf', { pid: 7, host: 'far-host' }, { owner: 'far-host:7:abc', expiresAt: T + 30_000 }), true)
      assert.deepEqual((await s.getBackfill('bf'))!.lease, { owner: 'far-host:7:abc', expiresAt: T + 30_000 })
      assert.deepEqual(await s.interruptOrphanedBackfills(isRunOwnerAlive, T + 30_000), [])
      assert.deepEqual(await s.interruptOrphanedBackfills(isRunOwnerAlive, T + 30_001), ['bf'])
      assert.equal((await s.getBackfill('bf'))!.interrupted, true)

      // Resumed by another process on that host, which has not renewed yet: the old driver's expired lease is not its.
      await s.setBackfillStatus('bf', 'RUNNING', T + 40_000, { pid: 9, host: 'far-host' })
      assert.deepEqual(await s.interruptOrphanedBackfills(isRunOwnerAlive, T + 50_000), [])
      assert.equal((await s.getBackfill('bf'))!.status, 'RUNNING')
    }))
})
