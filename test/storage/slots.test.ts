// Slots shared by concurrent runs: compare-and-set attempt states, claims, one-read views, release after cancel.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newMaterialization, newRun, storageErrorLike, forEachBackend } from './helpers.js'

forEachBackend((withStorage) => {
  test('a FAILED or IN_PROGRESS written against an older basis leaves a newer success in place', () =>
    withStorage(async (s) => {
      for (const id of ['r0', 'a', 'b']) await s.createRun(newRun(id))
      const old = await s.recordMaterialization(newMaterialization('x', 'r0', { dataVersion: 'old', endedAt: 10 }), [])
      // Run a decided on `old`; meanwhile run b materialized a newer value.
      const newer = await s.recordMaterialization(newMaterialization('x', 'b', { dataVersion: 'newer', endedAt: 20 }), [])
      const bState = { assetKey: 'x', partitionKey: '', state: 'MATERIALIZED', runId: 'b', updatedAt: 20, materializationId: newer.id, dataVersion: 'newer', codeVersion: 'code-1' }

      await s.setPartitionStates([{ assetKey: 'x', partitionKey: '', state: 'FAILED', basis: old.id }], 'a', 30)
      assert.deepEqual(await s.getPartitionStates('x'), [bState])
      await s.appendEvents([{ runId: 'a', ts: 31, type: 'STEP_FAILURE', assetKey: 'x' }], { runId: 'a', now: 31, rows: [{ assetKey: 'x', partitionKey: '', state: 'IN_PROGRESS', basis: old.id }] })
      assert.deepEqual(await s.getPartitionStates('x'), [bState])

      // Against the current materialization the write goes through and keeps it as the last good one.
      await s.setPartitionStates([{ assetKey: 'x', partitionKey: '', state: 'FAILED', basis: newer.id }], 'a', 40)
      assert.deepEqual(await s.getPartitionStates('x'), [{ ...bState, state: 'FAILED', runId: 'a', updatedAt: 40 }])
      assert.equal((await s.getLatest('x'))?.id, newer.id)
    }))

  test('a compare-and-set attempt state never replaces the attempt of another RUNNING run', () =>
    withStorage(async (s) => {
      for (const id of ['a', 'b']) await s.createRun(newRun(id))
      assert.deepEqual(await s.claimSlots('b', [{ assetKey: 'x', partitionKey: 'p', basis: 0 }], 5), [])
      await s.setPartitionStates([{ assetKey: 'x', partitionKey: 'p', state: 'FAILED', basis: 0 }], 'a', 6)
      assert.equal((await s.getPartitionStates('x'))[0]?.runId, 'b')
      await s.finishRun('b', 'FAILURE', 7)
      await s.setPartitionStates([{ assetKey: 'x', partitionKey: 'p', state: 'FAILED', basis: 0 }], 'a', 8)
      assert.deepEqual(await s.getPartitionStates('x'), [{ assetKey: 'x', partitionKey: 'p', state: 'FAILED', runId: 'a', updatedAt: 8 }])
    }))

  test('claimSlots claims all slots or none, naming the live holder or the newer materialization', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r0'))
      await s.createRun(newRun('a', { pid: 111, host: 'h1' }))
      await s.createRun(newRun('b', { pid: 222, host: 'h2' }))
      const m = await s.recordMaterialization(newMaterialization('x', 'r0', { partitionKey: 'p2' }), [])

      assert.deepEqual(await s.claimSlots('a', [{ assetKey: 'x', partitionKey: 'p1', basis: 0 }], 10), [])
      // b wants p1 (held by a) and p3 (free): it gets neither.
      assert.deepEqual(
        await s.claimSlots('b', [{ assetKey: 'x', partitionKey: 'p3', basis: 0 }, { assetKey: 'x', partitionKey: 'p1', basis: 0 }], 11),
        [{ assetKey: 'x', partitionKey: 'p1', reason: 'IN_PROGRESS', holder: { assetKey: 'x', partitionKey: 'p1', runId: 'a', pid: 111, host: 'h1' } }],
      )
      assert.deepEqual((await s.getPartitionStates('x')).map((r) => [r.partitionKey, r.state, r.runId]), [
        ['p1', 'IN_PROGRESS', 'a'],
        ['p2', 'MATERIALIZED', 'r0'],
      ])
      // b decided p2 on "never materialized", but it was materialized since.
      assert.deepEqual(await s.claimSlots('b', [{ assetKey: 'x', partitionKey: 'p2', basis: 0 }], 12), [{ assetKey: 'x', partitionKey: 'p2', reason: 'NEWER', materializationId: m.id }])
      assert.deepEqual(await s.claimSlots('b', [{ assetKey: 'x', partitionKey: 'p2', basis: m.id }], 13), [])
      // A run re-claims its own slot (a retry); a finished run's leftover IN_PROGRESS does not block.
      assert.deepEqual(await s.claimSlots('a', [{ assetKey: 'x', partitionKey: 'p1', basis: 0 }], 14), [])
      await s.finishRun('a', 'FAILURE', 15)
      assert.deepEqual(await s.claimSlots('b', [{ assetKey: 'x', partitionKey: 'p1', basis: 0 }], 16), [])
      assert.deepEqual((await s.getPartitionStates('x')).map((r) => [r.partitionKey, r.state, r.runId]), [
        ['p1', 'IN_PROGRESS', 'b'],
        ['p2', 'IN_PROGRESS', 'b'],
      ])
    }))

  test('claimSlotsMany decides each claim all-or-nothing as claimSlots would, one after the other, in one call', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r0'))
      await s.createRun(newRun('a', { pid: 111, host: 'h1' }))
      await s.createRun(newRun('b', { pid: 222, host: 'h2' }))
      const m = await s.recordMaterialization(newMaterialization('x', 'r0', { partitionKey: 'p2' }), [])
      assert.deepEqual(await s.claimSlots('a', [{ assetKey: 'x', partitionKey: 'p1', basis: 0 }], 10), [])

      const result = await s.claimSlotsMany(
        [
          // p3 is free but p1 is held by a: neither is claimed, and the other claims go on.
          { slots: [{ assetKey: 'x', partitionKey: 'p3', basis: 0 }, { assetKey: 'x', partitionKey: 'p1', basis: 0 }] },
          { slots: [{ assetKey: 'x', partitionKey: 'p2', basis: 0 }] },
          { slots: [{ assetKey: 'x', partitionKey: 'p4', basis: 0 }, { assetKey: 'x', partitionKey: 'p2', basis: m.id }] },
          { slots: [] },
          // A slot an earlier claim of the same run just took is still claimable (as a retry's re-claim is).
          { slots: [{ assetKey: 'x', partitionKey: 'p4', basis: 0 }, { assetKey: 'y', partitionKey: '', basis: 0 }] },
        ],
        'b',
        11,
      )
      assert.deepEqual(result, [
        [{ assetKey: 'x', partitionKey: 'p1', reason: 'IN_PROGRESS', holder: { assetKey: 'x', partitionKey: 'p1', runId: 'a', pid: 111, host: 'h1' } }],
        [{ assetKey: 'x', partitionKey: 'p2', reason: 'NEWER', materializationId: m.id }],
        [],
        [],
        [],
      ])
      assert.deepEqual((await s.getPartitionStates('x')).map((r) => [r.partitionKey, r.state, r.runId, r.updatedAt]), [
        ['p1', 'IN_PROGRESS', 'a', 10],
        ['p2', 'IN_PROGRESS', 'b', 11],
        ['p4', 'IN_PROGRESS', 'b', 11],
      ])
      assert.deepEqual((await s.getPartitionStates('y')).map((r) => [r.state, r.runId]), [['IN_PROGRESS', 'b']])
      // What it claimed now conflicts for another live run, exactly as a claimSlots claim would.
      assert.deepEqual((await s.claimSlotsMany([{ slots: [{ assetKey: 'x', partitionKey: 'p4', basis: 0 }] }], 'a', 12))[0]?.map((c) => [c.reason, c.partitionKey]), [['IN_PROGRESS', 'p4']])
      assert.deepEqual(await s.claimSlotsMany([], 'b', 13), [])
      assert.deepEqual(await s.claimSlotsMany([{ slots: [] }, { slots: [] }], 'ghost', 13), [[], []], 'nothing to claim writes nothing, so names no run')
    }))

  test('claimSlotsMany over more slots than the per-slot locks cover, with one claim conflicting', () =>
    withStorage(async (s) => {
      for (const id of ['a', 'b']) await s.createRun(newRun(id))
      const keys = Array.from({ length: 80 }, (_, i) => `2024-01-${String(i).padStart(3, '0')}`)
      assert.deepEqual(await s.claimSlots('a', [{ assetKey: 'x', partitionKey: keys[40]!, basis: 0 }], 1), [])
      const result = await s.claimSlotsMany(keys.map((partitionKey) => ({ slots: [{ assetKey: 'x', partitionKey, basis: 0 }] })), 'b', 2)
      assert.deepEqual(result.map((c, i) => (c.length ? i : -1)).filter((i) => i >= 0), [40])
      const states = await s.getPartitionStates('x')
      assert.equal(states.length, 80)
      assert.deepEqual(states.filter((r) => r.runId === 'a').map((r) => r.partitionKey), [keys[40]])
    }))

  test('concurrent claimSlotsMany of two runs over the same slots in opposite orders give each slot to exactly one run', () =>
    withStorage(async (s) => {
      for (const id of ['a', 'b']) await s.createRun(newRun(id))
      for (let round = 0; round < 5; round++) {
        const keys = Array.from({ length: 12 }, (_, i) => `r${round}-${i}`)
        const claims = (order: string[]) => order.map((partitionKey) => ({ slots: [{ assetKey: 'x', partitionKey, basis: 0 }] }))
        const [a, b] = await Promise.all([s.claimSlotsMany(claims(keys), 'a', round), s.claimSlotsMany(claims([...keys].reverse()), 'b', round)])
        const byA = new Set(keys.filter((_, i) => a[i]!.length === 0))
        const byB = new Set([...keys].reverse().filter((_, i) => b[i]!.length === 0))
        for (const k of keys) assert.ok(byA.has(k) !== byB.has(k), `slot ${k} is claimed by exactly one run`)
        const states = new Map((await s.getPartitionStates('x')).map((r) => [r.partitionKey, r.runId]))
        for (const k of keys) assert.equal(states.get(k), byA.has(k) ? 'a' : 'b')
      }
    }))

  test('readSlots reads the latest of exact slots with their edges, and which a RUNNING run holds', () =>
    withStorage(async (s) => {
      for (const id of ['r0', 'a']) await s.createRun(newRun(id))
      await s.createRun(newRun('done', { pid: 7 }))
      const up = await s.recordMaterialization(newMaterialization('up', 'r0', { partitionKey: 'p1', dataVersion: 'u1' }), [])
      await s.recordMaterialization(newMaterialization('up', 'r0', { partitionKey: 'p2' }), [])
      const edge = { upstreamMaterializationId: up.id, upstreamAssetKey: 'up', upstreamPartitionKey: 'p1', upstreamDataVersion: 'u1', inputName: 'up' }
      const down = await s.recordMaterialization(newMaterialization('down', 'r0', { partitionKey: 'p1' }), [edge])
      await s.claimSlots('a', [{ assetKey: 'down', partitionKey: 'p2', basis: 0 }], 5)
      await s.claimSlots('done', [{ assetKey: 'down', partitionKey: 'p3', basis: 0 }], 5)
      await s.finishRun('done', 'SUCCESS', 6)

      const view = await s.readSlots([
        { assetKey: 'up', partitionKey: 'p1' },
        { assetKey: 'down', partitionKey: 'p1' },
        { assetKey: 'down', partitionKey: 'p1' },
        { assetKey: 'down', partitionKey: 'p2' },
        { assetKey: 'down', partitionKey: 'p3' },
        { assetKey: 'nothing', partitionKey: '' },
      ])
      const byKey = new Map(view.latest.map((m) => [`${m.assetKey}[${m.partitionKey}]`, m]))
      assert.deepEqual([...byKey.keys()].sort(), ['down[p1]', 'up[p1]'])
      assert.equal(view.latest.length, 2)
      assert.equal(byKey.get('down[p1]')!.id, down.id)
      assert.deepEqual(byKey.get('down[p1]')!.consumed, [edge])
      assert.deepEqual(byKey.get('up[p1]')!.consumed, [])
      assert.deepEqual(view.inProgress, [{ assetKey: 'down', partitionKey: 'p2', runId: 'a', pid: 4242, host: 'test-host' }])
      const bare = await s.readSlots([{ assetKey: 'down', partitionKey: 'p1' }], { consumed: false })
      assert.equal(bare.latest[0]?.id, down.id)
      assert.deepEqual(bare.latest[0]?.consumed, [], 'lineage is not read when not asked for')
      assert.deepEqual(await s.readSlots([]), { latest: [], inProgress: [] })
    }))

  test('releaseSlots returns a canceled run’s slots to their last good materialization, or to no state', () =>
    withStorage(async (s) => {
      for (const id of ['r0', 'c', 'other']) await s.createRun(newRun(id))
      const good = await s.recordMaterialization(newMaterialization('x', 'r0', { partitionKey: 'p1', dataVersion: 'good', endedAt: 20 }), [])
      await s.claimSlots('c', [{ assetKey: 'x', partitionKey: 'p1', basis: good.id }, { assetKey: 'x', partitionKey: 'p2', basis: 0 }], 30)
      await s.claimSlots('other', [{ assetKey: 'x', partitionKey: 'p3', basis: 0 }], 30)

      assert.equal(await s.releaseSlots('c'), 2)
      assert.deepEqual(await s.getPartitionStates('x'), [
        { assetKey: 'x', partitionKey: 'p1', state: 'MATERIALIZED', runId: 'r0', updatedAt: 20, materializationId: good.id, dataVersion: 'good', codeVersion: 'code-1' },
        { assetKey: 'x', partitionKey: 'p3', state: 'IN_PROGRESS', runId: 'other', updatedAt: 30 },
      ])
      assert.equal((await s.getLatest('x', 'p1'))?.id, good.id)
      assert.equal(await s.releaseSlots('c'), 0)
    }))

  test('a basis that is not a materialization id is a STRATA_STORAGE error and writes nothing', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('a'))
      await assert.rejects(s.setPartitionStates([{ assetKey: 'x', partitionKey: '', state: 'FAILED', basis: -1 }], 'a', 1), storageErrorLike(/basis of x must be a materialization id/))
      await assert.rejects(s.claimSlots('a', [{ assetKey: 'x', partitionKey: 'p', basis: 1.5 }], 1), storageErrorLike(/claimSlots: basis of x\[p\]/))
      await assert.rejects(s.claimSlots('ghost', [{ assetKey: 'x', partitionKey: 'p', basis: 0 }], 1), storageErrorLike(/Run ghost does not exist/))
      await assert.rejects(
        s.claimSlotsMany([{ slots: [{ assetKey: 'x', partitionKey: 'q', basis: 0 }] }, { slots: [{ assetKey: 'x', partitionKey: 'p', basis: 1.5 }] }], 'a', 1),
        storageErrorLike(/claimSlotsMany: basis of x\[p\]/),
      )
      await assert.rejects(
        s.claimSlotsMany([{ slots: [{ assetKey: 'x', partitionKey: 'p' } as { assetKey: string; partitionKey: string; basis: number }] }], 'a', 1),
        storageErrorLike(/claimSlotsMany: x\[p\] in claim 0 needs a basis/),
      )
      await assert.rejects(s.claimSlotsMany({} as never, 'a', 1), storageErrorLike(/claimSlotsMany: claims must be an array/))
      await assert.rejects(s.claimSlotsMany([{ slots: [{ assetKey: 'x', partitionKey: 'p', basis: 0 }] }], 'ghost', 1), storageErrorLike(/Run ghost does not exist/))
      assert.deepEqual(await s.getPartitionStates('x'), [])
    }))
})
