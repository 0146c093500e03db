import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { BackfillTargetStatus, BackfillTargetUpdate, NewBackfill, Storage } from '../../engine/storage/index.js'
import { storageErrorLike, forEachBackend } from './helpers.js'
import { lastUpdatePerTarget } from '../../engine/storage/target-updates.js'

forEachBackend((withStorage) => {
  function newBackfill(backfillId: string, overrides: Partial<NewBackfill> = {}): NewBackfill {
    return {
      backfillId,
      selection: 'daily*',
      assetKeys: ['raw/daily', 'daily_summary'],
      options: { stale: true, concurrency: 2 },
      defsPath: 'examples/hello/definitions.ts',
      createdAt: 1_700_000_000_000,
      pid: 4242,
      host: 'test-host',
      ...overrides,
    }
  }

  const ZERO: Record<BackfillTargetStatus, number> = { PENDING: 0, IN_PROGRESS: 0, SUCCESS: 0, UP_TO_DATE: 0, FAILED: 0, SKIPPED: 0 }

  /** Targets deliberately not in sorted order, so insertion order is observable. */
  const TARGETS = [
    { assetKey: 'raw/daily', partitionKey: '2024-01-02' },
    { assetKey: 'raw/daily', partitionKey: '2024-01-01' },
    { assetKey: 'daily_summary', partitionKey: '2024-01-02' },
    { assetKey: 'daily_summary', partitionKey: '2024-01-01' },
    { assetKey: 'report', partitionKey: '' },
  ]

  async function statuses(s: Storage, backfillId: string): Promise<string[]> {
    return (await s.getBackfillTargets(backfillId)).map((t) => `${t.assetKey}[${t.partitionKey}]=${t.status}`)
  }

  test('createBackfill: REQUESTED, not cancelled or interrupted, no runs, every target PENDING in insertion order', () =>
    withStorage(async (s) => {
      const input = newBackfill('b1', { fromKey: '2024-01-01', toKey: '2024-01-02', partitionKeys: ['2024-01-02', '2024-01-01'] })
      await s.createBackfill(input, TARGETS)
      assert.deepEqual(await s.getBackfill('b1'), {
        ...input,
        status: 'REQUESTED',
        updatedAt: input.createdAt,
        cancelRequested: false,
        interrupted: false,
        runIds: [],
      })
      assert.deepEqual(
        await s.getBackfillTargets('b1'),
        TARGETS.map((t) => ({ ...t, status: 'PENDING', updatedAt: input.createdAt })),
      )
      assert.deepEqual(await s.countBackfillTargets('b1'), { ...ZERO, PENDING: TARGETS.length })

      await s.createBackfill(newBackfill('bare'), [])
      const bare = await s.getBackfill('bare')
      for (const key of ['fromKey', 'toKey', 'partitionKeys', 'endedAt'] as const) {
        assert.equal(bare !== undefined && key in bare, false, `absent ${key} is not stored as null`)
      }
      assert.deepEqual(await s.getBackfillTargets('bare'), [])
      assert.deepEqual(await s.countBackfillTargets('bare'), ZERO, 'every status key is present, zeros included')
      assert.equal(await s.getBackfill('nope'), undefined)
    }))

  test('createBackfill misuse fails with STRATA_STORAGE and creates nothing', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('b1'), TARGETS)
      await assert.rejects(s.createBackfill(newBackfill('b1', { createdAt: 5 }), []), storageErrorLike(/Backfill b1 already exists/))
      assert.equal((await s.getBackfill('b1'))?.createdAt, newBackfill('b1').createdAt)
      assert.equal((await s.getBackfillTargets('b1')).length, TARGETS.length, 'the first backfill keeps its targets')

      await assert.rejects(
        s.createBackfill(newBackfill('b2'), [...TARGETS, { assetKey: 'raw/daily', partitionKey: '2024-01-01' }]),
        storageErrorLike(/target raw\/daily\[2024-01-01\] is listed twice/),
      )
      await assert.rejects(s.createBackfill(newBackfill('b3'), [{ assetKey: 'report', partitionKey: '' }, { assetKey: 'report', partitionKey: '' }]), storageErrorLike(/target report is listed twice/))
      await assert.rejects(s.createBackfill(newBackfill(''), []), storageErrorLike(/non-empty string backfillId/))
      await assert.rejects(s.createBackfill(newBackfill('b4', { pid: 1.5 }), []), storageErrorLike(/pid must be an integer/))
      await assert.rejects(
        s.createBackfill(newBackfill('b5'), [{ assetKey: 'x', partitionKey: undefined as unknown as string }]),
        storageErrorLike(/partitionKey of target x must be a string/),
      )
      for (const id of ['b2', 'b3', 'b4', 'b5']) assert.equal(await s.getBackfill(id), undefined)
      assert.deepEqual((await s.listBackfills()).map((b) => b.backfillId), ['b1'])
    }))

  test('listBackfills: newest first, with a limit', () =>
    withStorage(async (s) => {
      assert.deepEqual(await s.listBackfills(), [])
      await s.createBackfill(newBackfill('old', { createdAt: 1 }), [])
      await s.createBackfill(newBackfill('new', { createdAt: 3 }), [])
      await s.createBackfill(newBackfill('mid', { createdAt: 2 }), [])
      await s.createBackfill(newBackfill('new-too', { createdAt: 3 }), [])
      assert.deepEqual((await s.listBackfills()).map((b) => b.backfillId), ['new-too', 'new', 'mid', 'old'])
      assert.deepEqual((await s.listBackfills({ limit: 2 })).map((b) => b.backfillId), ['new-too', 'new'])
    }))

  test('setBackfillStatus: endedAt for finished statuses, RUNNING records the owner and clears interrupted', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('b', { pid: 1, host: 'h1' }), TARGETS)
      await s.setBackfillStatus('b', 'RUNNING', 10, { pid: 2, host: 'h2' })
      let b = await s.getBackfill('b')
      assert.deepEqual([b?.status, b?.pid, b?.host, b?.updatedAt, b?.endedAt], ['RUNNING', 2, 'h2', 10, undefined])

      for (const [i, status] of (['COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED'] as const).entries()) {
        await s.setBackfillStatus('b', status, 20 + i)
        b = await s.getBackfill('b')
        assert.deepEqual([b?.status, b?.endedAt, b?.updatedAt], [status, 20 + i, 20 + i])
      }
      // Resumed: a live status has no end time; without an owner the pid/host stay.
      await s.setBackfillStatus('b', 'REQUESTED', 30)
      b = await s.getBackfill('b')
      assert.deepEqual([b?.status, b?.endedAt, b?.pid, b?.host], ['REQUESTED', undefined, 2, 'h2'])

      // An interrupted backfill taken over by a new process.
      await s.setBackfillStatus('b', 'RUNNING', 40, { pid: 3, host: 'h3' })
      assert.deepEqual(await s.interruptOrphanedBackfills(() => false, 50), ['b'])
      assert.equal((await s.getBackfill('b'))?.interrupted, true)
      await s.setBackfillStatus('b', 'RUNNING', 60, { pid: 4, host: 'h4' })
      b = await s.getBackfill('b')
      assert.deepEqual([b?.status, b?.interrupted, b?.pid, b?.host], ['RUNNING', false, 4, 'h4'])

      await assert.rejects(s.setBackfillStatus('b', 'DONE' as 'RUNNING', 1), storageErrorLike(/status must be one of REQUESTED, RUNNING.*got "DONE"/))
      await assert.rejects(s.setBackfillStatus('ghost', 'RUNNING', 1), storageErrorLike(/no backfill ghost in /))
      assert.equal((await s.getBackfill('b'))?.status, 'RUNNING')
    }))

  test('addBackfillRun appends run ids oldest first, once each', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('b'), [])
      await s.createBackfill(newBackfill('other'), [])
      await s.addBackfillRun('b', 'run-1')
      await s.addBackfillRun('b', 'run-2')
      await s.addBackfillRun('b', 'run-1')
      await s.addBackfillRun('other', 'run-3')
      assert.deepEqual((await s.getBackfill('b'))?.runIds, ['run-1', 'run-2'])
      assert.deepEqual((await s.getBackfill('other'))?.runIds, ['run-3'])
      await assert.rejects(s.addBackfillRun('ghost', 'run-1'), storageErrorLike(/no backfill ghost/))
      await assert.rejects(s.addBackfillRun('b', ''), storageErrorLike(/non-empty string runId/))
    }))

  test('requestBackfillCancel marks live backfills only; resuming a finished one clears the old request', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('queued'), [])
      await s.createBackfill(newBackfill('running'), [])
      await s.createBackfill(newBackfill('done'), [])
      await s.setBackfillStatus('running', 'RUNNING', 5, { pid: 1, host: 'h' })
      await s.setBackfillStatus('done', 'COMPLETED_SUCCESS', 5)

      assert.equal(await s.requestBackfillCancel('queued', 10), true)
      assert.equal(await s.requestBackfillCancel('running', 11), true)
      assert.equal(await s.requestBackfillCancel('done', 12), false)
      const [queued, running, done] = await Promise.all(['queued', 'running', 'done'].map((id) => s.getBackfill(id)))
      assert.deepEqual([queued?.cancelRequested, queued?.updatedAt, queued?.status], [true, 10, 'REQUESTED'])
      assert.deepEqual([running?.cancelRequested, running?.updatedAt, running?.status], [true, 11, 'RUNNING'])
      assert.deepEqual([done?.cancelRequested, done?.updatedAt], [false, 5], 'a finished backfill is not touched')

      // A request made while live survives the driver (re)starting, so it is not lost.
      await s.setBackfillStatus('queued', 'RUNNING', 13, { pid: 2, host: 'h' })
      assert.equal((await s.getBackfill('queued'))?.cancelRequested, true)
      // Once CANCELED, resuming starts afresh.
      await s.setBackfillStatus('running', 'CANCELED', 14)
      assert.equal(await s.requestBackfillCancel('running', 15), false)
      await s.setBackfillStatus('running', 'RUNNING', 16, { pid: 3, host: 'h' })
      assert.equal((await s.getBackfill('running'))?.cancelRequested, false)

      await assert.rejects(s.requestBackfillCancel('ghost', 1), storageErrorLike(/Cannot cancel backfill ghost: no backfill ghost/))
    }))

  test('updateBackfillTargets: batch update, run ids kept, errors follow the status, status filters', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('b', { createdAt: 1 }), TARGETS)
      await s.createBackfill(newBackfill('other', { createdAt: 1 }), TARGETS)
      await s.updateBackfillTargets(
        'b',
        [
          { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'IN_PROGRESS', runId: 'r1' },
          { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'FAILED', runId: 'r1', error: 'boom' },
          { assetKey: 'report', partitionKey: '', status: 'SKIPPED' },
        ],
        20,
      )
      assert.deepEqual(await s.getBackfillTargets('b'), [
        { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'FAILED', runId: 'r1', error: 'boom', updatedAt: 20 },
        { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'IN_PROGRESS', runId: 'r1', updatedAt: 20 },
        { assetKey: 'daily_summary', partitionKey: '2024-01-02', status: 'PENDING', updatedAt: 1 },
        { assetKey: 'daily_summary', partitionKey: '2024-01-01', status: 'PENDING', updatedAt: 1 },
        { assetKey: 'report', partitionKey: '', status: 'SKIPPED', updatedAt: 20 },
      ])
      assert.equal((await s.getBackfill('b'))?.updatedAt, 20, 'progress bumps the backfill updatedAt')
      assert.deepEqual(await s.countBackfillTargets('other'), { ...ZERO, PENDING: TARGETS.length }, 'other backfills are untouched')

      await s.updateBackfillTargets(
        'b',
        [
          { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'SUCCESS' },
          { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'IN_PROGRESS', runId: 'r2' },
        ],
        30,
      )
      const [failedAgain, succeeded] = await s.getBackfillTargets('b')
      assert.deepEqual(succeeded, { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'SUCCESS', runId: 'r1', updatedAt: 30 }, 'runId kept when omitted')
      assert.deepEqual(failedAgain, { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'IN_PROGRESS', runId: 'r2', updatedAt: 30 }, 'the old error is cleared')

      assert.deepEqual(
        (await s.getBackfillTargets('b', { statuses: ['PENDING', 'SKIPPED'] })).map((t) => `${t.assetKey}[${t.partitionKey}]`),
        ['daily_summary[2024-01-02]', 'daily_summary[2024-01-01]', 'report[]'],
      )
      assert.deepEqual(await s.getBackfillTargets('b', { statuses: ['UP_TO_DATE'] }), [])
      assert.deepEqual(await s.getBackfillTargets('b', { statuses: [] }), [])
      assert.deepEqual(await s.countBackfillTargets('b'), { ...ZERO, PENDING: 2, IN_PROGRESS: 1, SUCCESS: 1, SKIPPED: 1 })
    }))

  test('lastUpdatePerTarget: writing only the last update per target leaves every target as writing them all in order', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('all', { createdAt: 1 }), TARGETS)
      await s.createBackfill(newBackfill('last', { createdAt: 1 }), TARGETS)
      const updates: BackfillTargetUpdate[] = [
        { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'IN_PROGRESS', runId: 'r1' },
        { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'FAILED', runId: 'r1', error: 'boom' },
        { assetKey: 'report', partitionKey: '', status: 'SKIPPED' },
        // No run id: the one the earlier update gave stays.
        { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'SUCCESS' },
        // The error of the earlier update is cleared.
        { assetKey: 'raw/daily', partitionKey: '2024-01-02', status: 'IN_PROGRESS', runId: 'r2' },
        { assetKey: 'daily_summary', partitionKey: '2024-01-01', status: 'IN_PROGRESS', runId: 'r2' },
        { assetKey: 'daily_summary', partitionKey: '2024-01-01', status: 'FAILED', runId: 'r2', error: 'late' },
      ]
      await s.updateBackfillTargets('all', updates, 20)
      const last = lastUpdatePerTarget(updates)
      assert.equal(last.length, 4)
      await s.updateBackfillTargets('last', last, 20)
      assert.deepEqual(await s.getBackfillTargets('last'), await s.getBackfillTargets('all'))
      assert.deepEqual((await s.getBackfillTargets('last')).find((t) => t.partitionKey === '2024-01-01' && t.assetKey === 'raw/daily'), {
        assetKey: 'raw/daily',
        partitionKey: '2024-01-01',
        status: 'SUCCESS',
        runId: 'r1',
        updatedAt: 20,
      })
    }))

  test('updateBackfillTargets is atomic and names an unknown target or backfill', () =>
    withStorage(async (s) => {
      await s.createBackfill(newBackfill('b'), TARGETS)
      await s.createBackfill(newBackfill('other'), [{ assetKey: 'elsewhere', partitionKey: 'p' }])
      const before = await statuses(s, 'b')
      await assert.rejects(
        s.updateBackfillTargets(
          'b',
          [
            { assetKey: 'raw/daily', partitionKey: '2024-01-01', status: 'SUCCESS' },
            { assetKey: 'elsewhere', partitionKey: 'p', status: 'SUCCESS' },
          ],
          9,
        ),
        storageErrorLike(/updateBackfillTargets\(b\): the backfill has no target elsewhere\[p\]; nothing was updated/),
      )
      await assert.rejects(
        s.updateBackfillTargets('b', [{ assetKey: 'report', partitionKey: 'x', status: 'SUCCESS' }], 9),
        storageErrorLike(/has no target report\[x\]/),
      )
      assert.deepEqual(await statuses(s, 'b'), before, 'no update of a failed batch is kept')
      assert.equal((await s.getBackfill('b'))?.updatedAt, newBackfill('b').createdAt)
      assert.equal((await s.getBackfillTargets('other'))[0]?.status, 'PENDING')

      await assert.rejects(
        s.updateBackfillTargets('b', [{ assetKey: 'report', partitionKey: '', status: 'DONE' as 'SUCCESS' }], 9),
        storageErrorLike(/for report: target status must be one of PENDING, .*got "DONE"/),
      )
      await assert.rejects(s.updateBackfillTargets('ghost', [{ assetKey: 'report', partitionKey: '', status: 'SUCCESS' }], 9), storageErrorLike(/no backfill ghost/))
      await assert.rejects(s.updateBackfillTargets('ghost', [], 9), storageErrorLike(/no backfill ghost/))
      await s.updateBackfillTargets('b', [], 9)
      await assert.rejects(s.getBackfillTargets('ghost'), storageErrorLike(/Cannot read backfill targets: no backfill ghost/))
      await assert.rejects(s.getBackfillTargets('b', { statuses: ['NOPE' as 'PENDING'] }), storageErrorLike(/target status must be one of/))
      await assert.rejects(s.countBackfillTargets('ghost'), storageErrorLike(/Cannot count backfill targets: no backfill ghost/))
    }))

  test('interruptOrphanedBackfills: dead RUNNING backfills go back to REQUESTED, their IN_PROGRESS targets to PENDING', () =>
    withStorage(async (s) => {
      const targets = TARGETS.slice(0, 3)
      for (const id of ['dead', 'alive', 'queued', 'finished']) await s.createBackfill(newBackfill(id, { createdAt: 1 }), targets)
      await s.setBackfillStatus('dead', 'RUNNING', 2, { pid: 100, host: 'h1' })
      await s.setBackfillStatus('alive', 'RUNNING', 2, { pid: 200, host: 'h1' })
      await s.setBackfillStatus('finished', 'COMPLETED_FAILED', 2, { pid: 100, host: 'h1' })
      await s.setBackfillStatus('queued', 'REQUESTED', 2, { pid: 100, host: 'h1' })
      const progress = [
        { ...targets[0]!, status: 'SUCCESS' as const, runId: 'r1' },
        { ...targets[1]!, status: 'IN_PROGRESS' as const, runId: 'r1' },
        { ...targets[2]!, status: 'FAILED' as const, runId: 'r1', error: 'x' },
      ]
      for (const id of ['dead', 'alive', 'queued', 'finished']) await s.updateBackfillTargets(id, progress, 3)

      const asked: string[] = []
      const changed = await s.interruptOrphanedBackfills((pid, host) => {
        asked.push(`${pid}@${host}`)
        return pid === 200
      }, 99)
      assert.deepEqual(changed, ['dead'])
      assert.deepEqual(asked.sort(), ['100@h1', '200@h1'], 'only RUNNING backfills are checked')

      const dead = await s.getBackfill('dead')
      assert.deepEqual([dead?.status, dead?.interrupted, dead?.updatedAt, dead?.endedAt], ['REQUESTED', true, 99, undefined])
      assert.deepEqual(await s.getBackfillTargets('dead'), [
        { ...targets[0]!, status: 'SUCCESS', runId: 'r1', updatedAt: 3 },
        { ...targets[1]!, status: 'PENDING', runId: 'r1', updatedAt: 99 },
        { ...targets[2]!, status: 'FAILED', runId: 'r1', error: 'x', updatedAt: 3 },
      ])
      for (const id of ['alive', 'queued', 'finished']) {
        const b = await s.getBackfill(id)
        assert.equal(b?.interrupted, false, `${id} is not interrupted`)
        assert.equal((await s.countBackfillTargets(id)).IN_PROGRESS, 1, `${id} keeps its IN_PROGRESS target`)
      }
      assert.equal((await s.getBackfill('alive'))?.status, 'RUNNING')
      assert.deepEqual(await s.interruptOrphanedBackfills(() => false, 100), ['alive'], 'already interrupted backfills are not reported again')
      assert.deepEqual(await s.interruptOrphanedBackfills(() => false, 101), [])
    }))

  test('a 20,000-target backfill round-trips with correct counts', (t) =>
    withStorage(async (s, { home, backend }) => {
      const n = 20_000
      const days = Array.from({ length: n / 4 }, (_, i) => new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10))
      // Asset-major but with assets in non-sorted order: insertion order must survive.
      const targets = ['z_last', 'a_first', 'm_mid', 'b_second'].flatMap((assetKey) => days.map((partitionKey) => ({ assetKey, partitionKey })))
      let start = performance.now()
      await s.createBackfill(newBackfill('big', { createdAt: 1 }), targets)
      t.diagnostic(`createBackfill with ${n} targets: ${(performance.now() - start).toFixed(1)} ms`)

      assert.deepEqual(await s.countBackfillTargets('big'), { ...ZERO, PENDING: n })
      const read = await s.getBackfillTargets('big')
      assert.equal(read.length, n)
      assert.deepEqual(
        read.map((x) => [x.assetKey, x.partitionKey]),
        targets.map((x) => [x.assetKey, x.partitionKey]),
      )

      const expected: Record<BackfillTargetStatus, number> = { ...ZERO }
      const cycle: BackfillTargetStatus[] = ['SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED', 'IN_PROGRESS', 'PENDING', 'SUCCESS']
      const updates = targets.map((x, i) => ({ ...x, status: cycle[i % cycle.length]!, runId: `run-${i % 3}` }))
      for (const u of updates) expected[u.status]++
      start = performance.now()
      await s.updateBackfillTargets('big', updates, 2)
      t.diagnostic(`updateBackfillTargets with ${n} updates: ${(performance.now() - start).toFixed(1)} ms`)
      assert.deepEqual(await s.countBackfillTargets('big'), expected)
      const failed = await s.getBackfillTargets('big', { statuses: ['FAILED'] })
      assert.equal(failed.length, expected.FAILED)
      assert.deepEqual(failed.slice(0, 2).map((x) => [x.assetKey, x.partitionKey]), [
        [targets[2]!.assetKey, targets[2]!.partitionKey],
        [targets[9]!.assetKey, targets[9]!.partitionKey],
      ])
      assert.equal((await s.getBackfillTargets('big', { statuses: ['SUCCESS', 'UP_TO_DATE'] })).length, expected.SUCCESS + expected.UP_TO_DATE)

      // Counting goes through the (backfill_id, status) index, never the table.
      if (backend === 'sqlite') {
        const db = new Database(join(home, 'strata.db'), { readonly: true })
        try {
          const plan = db
            .prepare('EXPLAIN QUERY PLAN SELECT status, count(*) FROM backfill_targets WHERE backfill_id = ? GROUP BY status')
            .all('big') as Array<{ detail: string }>
          assert.match(plan.map((r) => r.detail).join('\n'), /COVERING INDEX backfill_targets_status \(backfill_id=\?\)/)
        } finally {
          db.close()
        }
      }
    }))

  test('claimBackfill: only one of several concurrent claims wins; RUNNING and CANCELED backfills are not claimed', () =>
    withStorage(async (s) => {
      const targets = [{ assetKey: 'raw/daily', partitionKey: '2024-01-01' }]
      await s.createBackfill(newBackfill('bf'), targets)
      const owners = [1, 2, 3, 4, 5].map((pid) => ({ pid, host: `h${pid}` }))
      const claims = await Promise.all(owners.map((o) => s.claimBackfill('bf', o, 10)))
      const won = claims.flatMap((c, i) => (c.claimed ? [owners[i]!] : []))
      assert.equal(won.length, 1, 'exactly one claim wins')
      const b = await s.getBackfill('bf')
      assert.equal(b?.status, 'RUNNING')
      assert.deepEqual({ pid: b?.pid, host: b?.host }, won[0])
      for (const c of claims) if (!c.claimed) assert.deepEqual({ status: c.backfill.status, pid: c.backfill.pid, host: c.backfill.host }, { status: 'RUNNING', ...won[0]! })

      // Interrupted (REQUESTED again) or finished: claimable, and claiming clears `interrupted` and a finished one's end.
      await s.interruptOrphanedBackfills(() => false, 11)
      assert.equal((await s.getBackfill('bf'))?.interrupted, true)
      assert.deepEqual(await s.claimBackfill('bf', { pid: 9, host: 'h9' }, 12), { claimed: true })
      assert.equal((await s.getBackfill('bf'))?.interrupted, false)
      await s.setBackfillStatus('bf', 'COMPLETED_FAILED', 13)
      assert.deepEqual(await s.claimBackfill('bf', { pid: 9, host: 'h9' }, 14), { claimed: true })
      assert.equal('endedAt' in (await s.getBackfill('bf'))!, false)

      await s.createBackfill(newBackfill('gone'), targets)
      await s.setBackfillStatus('gone', 'CANCELED', 15)
      const canceled = await s.claimBackfill('gone', { pid: 9, host: 'h9' }, 16)
      assert.equal(canceled.claimed, false)
      assert.equal(!canceled.claimed && canceled.backfill.status, 'CANCELED')
      await assert.rejects(s.claimBackfill('nope', { pid: 9, host: 'h9' }, 17), storageErrorLike(/no backfill nope/))
    }))
})
