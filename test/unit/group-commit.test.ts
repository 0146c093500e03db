// GroupCommit on its own: when a batch is written, what shares it, and that
// every queued step is settled whatever fails.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { EventWriter } from '../../engine/execution/event-writer.js'
import { GroupCommit } from '../../engine/execution/group-commit.js'
import type { MaterializationToRecord, NewEvent, Storage } from '../../engine/storage/types.js'

const entry = (assetKey: string): MaterializationToRecord => ({
  materialization: { assetKey, partitionKey: '', runId: 'r', codeVersion: 'v', dataVersion: 'd', location: 'l', format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0 },
  consumed: [],
})

/** A storage that keeps each recordMaterializations call (keys and preceding events), failing those `fail` says to. */
function fakes(opts: { fail?: (keys: string[]) => boolean; takeFails?: number } = {}) {
  const calls: Array<{ keys: string[]; preceding: string[] }> = []
  let nextId = 1
  let buffered: NewEvent[] = [{ runId: 'r', ts: 0, type: 'STEP_START', assetKey: 'x', partitionKey: '' }]
  let takeFails = opts.takeFails ?? 0
  const given: NewEvent[][] = []
  const storage = {
    recordMaterializations: async (batch: readonly MaterializationToRecord[], o?: { precedingEvents?: NewEvent[] }) => {
      const keys = batch.map((r) => r.materialization.assetKey)
      if (opts.fail?.(keys)) throw new Error(`cannot store ${keys.join(',')}`)
      calls.push({ keys, preceding: (o?.precedingEvents ?? []).map((e) => e.type) })
      return batch.map((r) => ({ ...r.materialization, id: nextId++ }))
    },
  } as unknown as Storage
  const events = {
    take: async () => {
      if (takeFails-- > 0) throw new Error('events could not be written')
      const out = buffered
      buffered = []
      return out
    },
    giveBack: (batch: NewEvent[]) => given.push(batch),
  } as unknown as EventWriter
  return { storage, events, calls, given }
}

describe('GroupCommit', () => {
  it('writes queued steps together on flush, with the buffered events first, and resolves each with its own records', async () => {
    const f = fakes()
    const commits = new GroupCommit(f.storage, f.events, { maxDelayMs: 10_000 })
    const a = commits.record([entry('a')])
    const b = commits.record([entry('b1'), entry('b2')])
    assert.equal(commits.pending, 2)
    assert.equal(f.calls.length, 0, 'nothing is written before a flush')
    await commits.flush()
    assert.deepEqual(f.calls, [{ keys: ['a', 'b1', 'b2'], preceding: ['STEP_START'] }])
    assert.deepEqual((await a).map((r) => [r.assetKey, r.id]), [['a', 1]])
    assert.deepEqual((await b).map((r) => [r.assetKey, r.id]), [['b1', 2], ['b2', 3]])
    assert.equal(commits.commits, 1)
    assert.equal(commits.pending, 0)
  })

  it('flushes by itself when the batch is full, and after maxDelayMs otherwise', async () => {
    const f = fakes()
    const commits = new GroupCommit(f.storage, f.events, { maxBatch: 3, maxDelayMs: 30 })
    const full = [commits.record([entry('a')]), commits.record([entry('b'), entry('c')])]
    await Promise.all(full)
    assert.deepEqual(f.calls.map((c) => c.keys), [['a', 'b', 'c']])
    const t = performance.now()
    await commits.record([entry('d')])
    assert.ok(performance.now() - t >= 25, 'a lone record waits for others up to maxDelayMs')
    assert.deepEqual(f.calls.map((c) => c.keys), [['a', 'b', 'c'], ['d']])
  })

  it('a failed batch is retried step by step: only the step that cannot be stored rejects, and the events go back', async () => {
    const f = fakes({ fail: (keys) => keys.includes('bad') })
    const commits = new GroupCommit(f.storage, f.events, { maxDelayMs: 10_000 })
    const good = commits.record([entry('good')])
    const bad = commits.record([entry('bad')])
    const other = commits.record([entry('other')])
    await commits.flush()
    assert.deepEqual((await good).map((r) => r.assetKey), ['good'])
    await assert.rejects(bad, /cannot store bad/)
    assert.deepEqual((await other).map((r) => r.assetKey), ['other'])
    assert.deepEqual(f.calls.map((c) => c.keys), [['good'], ['other']])
    assert.deepEqual(f.given.map((b) => b.map((e) => e.type)), [['STEP_START']], 'the buffered events were given back to their writer')
  })

  it('when the events cannot be taken, the batch rejects and later batches are still written', async () => {
    const f = fakes({ takeFails: 1 })
    const commits = new GroupCommit(f.storage, f.events, { maxDelayMs: 10_000 })
    const first = commits.record([entry('a')])
    await commits.flush()
    await assert.rejects(first, /events could not be written/)
    const second = commits.record([entry('b')])
    await commits.flush()
    assert.deepEqual((await second).map((r) => r.assetKey), ['b'])
  })
})
