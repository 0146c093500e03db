// Preparing many steps at once (one read, one claim transaction) decides each
// step as preparing it alone would, on SQLite and PostgreSQL.
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { test } from 'node:test'
import { asset, defineDefinitions } from '../../assets/index.js'
import { dailyPartitions } from '../../assets/partitions/index.js'
import { prepareStep, type PrepareContext, type Prepared } from '../../engine/execution/prepare-step.js'
import { prepareSteps } from '../../engine/execution/prepare-steps.js'
import type { PlannedStep } from '../../engine/execution/plan.js'
import type { LineageEdge, SlotHolder, Storage } from '../../engine/storage/types.js'
import { forEachBackend, newMaterialization, newRun } from '../storage/helpers.js'
import { waitFor } from './db.js'

const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' })
const up = asset({ key: 'up', partitions: days, codeVersion: 'u1', compute: () => 1 })
const down = asset({ key: 'down', partitions: days, ins: { up }, codeVersion: 'd1', compute: (_ctx, { up }) => up + 1 })
const defs = defineDefinitions({ assets: [up, down] })

const RUN_STARTED = 1_000
const ME = 'me'

const step = (assetKey: string, partitionKey: string): PlannedStep => ({ id: `${assetKey}[${partitionKey}]`, assetKey, partitionKeys: [partitionKey], upstream: [], downstream: [], order: 0 })

function context(storage: Storage, overrides: Partial<PrepareContext> = {}): PrepareContext {
  return { defs, storage, runId: ME, runStarted: RUN_STARTED, keysOptions: {}, skipUpToDate: true, isAlive: () => true, pollMs: 5, ...overrides }
}

/** Records a materialization of `key[partitionKey]` by `runId` with the asset's current code, consuming `consumed`. */
async function build(s: Storage, key: string, partitionKey: string, runId: string, opts: { dataVersion?: string; endedAt?: number; consumed?: LineageEdge[]; codeVersion?: string } = {}) {
  return s.recordMaterialization(
    newMaterialization(key, runId, {
      partitionKey,
      codeVersion: opts.codeVersion ?? defs.byKey.get(key)!.codeVersion,
      dataVersion: opts.dataVersion ?? `${key}-${partitionKey}`,
      location: `objects/${key}/${partitionKey}.json`,
      startedAt: (opts.endedAt ?? 500) - 1,
      endedAt: opts.endedAt ?? 500,
    }),
    opts.consumed ?? [],
  )
}

const edgeTo = (m: { id: number; assetKey: string; partitionKey: string; dataVersion: string }): LineageEdge => ({
  upstreamMaterializationId: m.id,
  upstreamAssetKey: m.assetKey,
  upstreamPartitionKey: m.partitionKey,
  upstreamDataVersion: m.dataVersion,
  inputName: 'up',
})

/**
 * One of each decision: ready (never built, stale, a retry, a root),
 * up to date (early cut-off, or built by another run during this one),
 * failed (an input never materialized).
 */
async function seed(s: Storage): Promise<Array<{ step: PlannedStep; attempt: number }>> {
  for (const id of ['r0', 'other', ME]) await s.createRun(newRun(id, { startedAt: 0 }))
  const u: Record<string, Awaited<ReturnType<typeof build>>> = {}
  for (const d of ['01', '02', '04', '05', '07']) u[d] = await build(s, 'up', `2024-01-${d}`, 'r0')
  await build(s, 'down', '2024-01-02', 'r0', { consumed: [edgeTo(u['02']!)] })
  await build(s, 'down', '2024-01-04', 'r0', { consumed: [{ ...edgeTo(u['04']!), upstreamDataVersion: 'older' }] })
  await build(s, 'down', '2024-01-05', 'other', { endedAt: RUN_STARTED + 10, consumed: [edgeTo(u['05']!)] })
  await build(s, 'down', '2024-01-07', 'r0', { consumed: [edgeTo(u['07']!)] })
  return [
    { step: step('down', '2024-01-01'), attempt: 1 },
    { step: step('down', '2024-01-02'), attempt: 1 },
    { step: step('down', '2024-01-03'), attempt: 1 },
    { step: step('down', '2024-01-04'), attempt: 1 },
    { step: step('down', '2024-01-05'), attempt: 1 },
    { step: step('up', '2024-01-06'), attempt: 1 },
    { step: step('down', '2024-01-07'), attempt: 2 },
  ]
}

/** The parts of a result that do not depend on where an error was thrown. */
const comparable = (p: Prepared) => (p.kind === 'failed' ? { ...p, error: { ...p.error, stack: undefined } } : p)

const states = async (s: Storage) =>
  (await Promise.all(['up', 'down'].map((k) => s.getPartitionStates(k)))).flat().map((r) => [r.assetKey, r.partitionKey, r.state, r.runId, r.materializationId ?? null])

/** `storage` counting the calls of each method, and calling `before[method]` (once) before passing a call on. */
function counting(storage: Storage, before: Partial<Record<keyof Storage, () => Promise<void>>> = {}) {
  const calls = new Map<string, number>()
  const proxy = new Proxy(storage, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function' || typeof prop !== 'string') return value
      return async (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1)
        const hook = before[prop as keyof Storage]
        if (hook) {
          delete before[prop as keyof Storage]
          await hook()
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { storage: proxy, calls }
}

/**
 * Prepares down[2024-01-01] and down[2024-01-02] together and returns once
 * prepareSteps has told of a wait (failing if it finished without one), with
 * the holders it waited for and the result still to come.
 */
async function prepareUntilWait(storage: Storage): Promise<{ waited: SlotHolder[]; result: Promise<Prepared[]> }> {
  const waited: SlotHolder[] = []
  const result = prepareSteps(context(storage, { onWait: (h) => waited.push(h) }), [
    { step: step('down', '2024-01-01'), attempt: 1 },
    { step: step('down', '2024-01-02'), attempt: 1 },
  ])
  const finished = result.then((r) => {
    throw new Error(`prepared without waiting: ${JSON.stringify(r.map((p) => p.kind))}`)
  })
  // Once the wait was told, the result finishing later is what is expected, not a failure.
  finished.catch(() => {})
  await Promise.race([waitFor('a step to wait for the other run', () => waited.length > 0, 10_000), finished])
  return { waited, result }
}

forEachBackend((withStorage) => {
  for (const skipUpToDate of [true, false]) {
    test(`prepareSteps gives what prepareStep gives one step after the other (skipUpToDate: ${skipUpToDate}), and leaves the same claims`, () =>
      withStorage((one) =>
        withStorage(async (many) => {
          const items = await seed(one)
          await seed(many)
          const sequential: Prepared[] = []
          for (const { step, attempt } of items) sequential.push(await prepareStep(context(one, { skipUpToDate }), step, attempt))
          const together = await prepareSteps(context(many, { skipUpToDate }), items)

          assert.deepEqual(together.map(comparable), sequential.map(comparable))
          assert.deepEqual(
            together.map((p) => p.kind),
            skipUpToDate
              ? ['ready', 'up-to-date', 'failed', 'ready', 'up-to-date', 'ready', 'ready']
              : ['ready', 'ready', 'failed', 'ready', 'up-to-date', 'ready', 'ready'],
          )
          const builtByOther = together[4]
          assert.ok(builtByOther?.kind === 'up-to-date' && /run other materialized it during this run/.test(builtByOther.message))
          const failed = together[2]
          assert.ok(failed?.kind === 'failed' && failed.error.code === 'STRATA_MISSING_INPUT')
          assert.deepEqual(await states(many), await states(one))
          const mine = (await states(many)).filter((r) => r[2] === 'IN_PROGRESS' && r[3] === ME).map((r) => `${r[0]}[${r[1]}]`)
          assert.deepEqual(mine.sort(), together.flatMap((p, i) => (p.kind === 'ready' ? [items[i]!.step.id] : [])).sort())
        }),
      ))
  }

  test('N ready steps take one read and one claim transaction, and their claims are visible after', () =>
    withStorage(async (s) => {
      for (const id of ['r0', ME]) await s.createRun(newRun(id, { startedAt: 0 }))
      const keys = Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`)
      for (const k of keys) await build(s, 'up', k, 'r0')
      const { storage, calls } = counting(s)
      const result = await prepareSteps(context(storage), keys.map((k) => ({ step: step('down', k), attempt: 1 })))
      assert.deepEqual(new Set(result.map((p) => p.kind)), new Set(['ready']))
      assert.deepEqual(Object.fromEntries(calls), { readSlots: 1, claimSlotsMany: 1 })
      const claimed = (await s.getPartitionStates('down')).map((r) => [r.partitionKey, r.state, r.runId])
      assert.deepEqual(claimed, keys.map((k) => [k, 'IN_PROGRESS', ME]))
    }))

  test('a step another live run holds waits as prepareStep waits, after the others were claimed, then builds on that run', () =>
    withStorage(async (s) => {
      for (const id of ['r0', ME]) await s.createRun(newRun(id, { startedAt: 0 }))
      await s.createRun(newRun('live', { startedAt: 0, pid: process.pid, host: hostname() }))
      const u1 = await build(s, 'up', '2024-01-01', 'r0')
      await build(s, 'up', '2024-01-02', 'r0')
      assert.deepEqual(await s.claimSlots('live', [{ assetKey: 'down', partitionKey: '2024-01-01', basis: 0 }], 1), [])
      const { waited, result } = await prepareUntilWait(s)
      assert.deepEqual(waited.map((h) => [h.runId, h.assetKey, h.partitionKey]), [['live', 'down', '2024-01-01']])
      assert.deepEqual((await s.getPartitionStates('down')).map((r) => [r.partitionKey, r.runId]), [
        ['2024-01-01', 'live'],
        ['2024-01-02', ME],
      ])
      const theirs = await build(s, 'down', '2024-01-01', 'live', { endedAt: RUN_STARTED + 5, consumed: [edgeTo(u1)] })
      await s.finishRun('live', 'SUCCESS', RUN_STARTED + 6)
      const [first, second] = await result
      assert.deepEqual(first, { kind: 'up-to-date', dataVersion: theirs.dataVersion, message: 'Up to date: run live materialized it during this run, with the same code and inputs' })
      assert.equal(second?.kind, 'ready')
    }))

  test('a step whose claim another run beat between the read and the claim is decided again on its own', () =>
    withStorage(async (s) => {
      for (const id of ['r0', ME]) await s.createRun(newRun(id, { startedAt: 0 }))
      await s.createRun(newRun('rival', { startedAt: 0, pid: process.pid, host: hostname() }))
      await build(s, 'up', '2024-01-01', 'r0')
      const u2 = await build(s, 'up', '2024-01-02', 'r0')
      const { storage, calls } = counting(s, {
        // After the read, before the claim: the rival claims one of the slots.
        claimSlotsMany: async () => {
          assert.deepEqual(await s.claimSlots('rival', [{ assetKey: 'down', partitionKey: '2024-01-02', basis: 0 }], 2), [])
        },
      })
      const { waited, result } = await prepareUntilWait(storage)
      assert.equal(waited[0]?.runId, 'rival')
      await build(s, 'down', '2024-01-02', 'rival', { endedAt: RUN_STARTED + 5, consumed: [edgeTo(u2)] })
      await s.finishRun('rival', 'SUCCESS', RUN_STARTED + 6)
      const [first, second] = await result
      assert.equal(first?.kind, 'ready')
      assert.deepEqual(second, { kind: 'up-to-date', dataVersion: 'down-2024-01-02', message: 'Up to date: run rival materialized it during this run, with the same code and inputs' })
      assert.equal(calls.get('claimSlotsMany'), 1)
      assert.equal(calls.get('claimSlots') ?? 0, 0, 'the step decided again found nothing to claim')
      assert.deepEqual((await s.getPartitionStates('down')).map((r) => [r.partitionKey, r.state, r.runId]), [
        ['2024-01-01', 'IN_PROGRESS', ME],
        ['2024-01-02', 'MATERIALIZED', 'rival'],
      ])
    }))

  test('an aborted run prepares nothing', () =>
    withStorage(async (s) => {
      const { storage, calls } = counting(s)
      const ac = new AbortController()
      ac.abort()
      assert.deepEqual(await prepareSteps(context(storage, { signal: ac.signal }), [{ step: step('up', '2024-01-01'), attempt: 1 }]), [{ kind: 'canceled' }])
      assert.equal(calls.size, 0)
    }))
})
