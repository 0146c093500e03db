// The run's ready queue: the order of a full sort by `order` (ties by
// arrival), named pools at their limit passed over, at heap cost.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MinHeap, ReadyQueue, type Ready } from '../../engine/execution/ready-queue.js'

/** A deterministic pseudo-random sequence (no flaky seeds). */
function lcg(seed: number): () => number {
  let x = seed
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

/** What run.ts did before: sort the whole array by order (stable), take the first whose pool has room. */
function reference<T>(queue: Array<Ready<T>>, hasRoom: (pool: string) => boolean): Ready<T> | undefined {
  queue.sort((a, b) => a.order - b.order)
  const i = queue.findIndex((r) => r.pool === undefined || hasRoom(r.pool))
  return i < 0 ? undefined : queue.splice(i, 1)[0]
}

describe('MinHeap', () => {
  it('pops in (order, arrival) order whatever the push order', () => {
    const rnd = lcg(7)
    const heap = new MinHeap<number>()
    const pushed: Array<{ order: number; seq: number }> = []
    for (let seq = 0; seq < 2000; seq++) {
      const order = Math.floor(rnd() * 300) // many ties
      heap.push({ item: seq, order, seq })
      pushed.push({ order, seq })
    }
    const expected = [...pushed].sort((a, b) => a.order - b.order || a.seq - b.seq).map((e) => e.seq)
    const popped: number[] = []
    for (let e = heap.pop(); e; e = heap.pop()) popped.push(e.item)
    assert.deepEqual(popped, expected)
    assert.equal(heap.size, 0)
    assert.equal(heap.pop(), undefined)
  })
})

describe('ReadyQueue', () => {
  it('takes steps in exactly the order the sorted array gave, across pools at their limits, with pushes in between', () => {
    const rnd = lcg(42)
    const limits: Record<string, number> = { db: 1, gpu: 2 }
    const pools = [undefined, undefined, 'db', 'gpu', 'unlimited']
    const running = new Map<string, number>()
    const hasRoom = (pool: string) => limits[pool] === undefined || (running.get(pool) ?? 0) < limits[pool]!
    const queue = new ReadyQueue<number>()
    const array: Array<Ready<number>> = []
    const taken: Array<Ready<number>> = []
    let next = 0
    for (let round = 0; round < 3000; round++) {
      const action = rnd()
      if (action < 0.45) {
        const r: Ready<number> = { item: next++, order: Math.floor(rnd() * 500), pool: pools[Math.floor(rnd() * pools.length)] }
        queue.push(r)
        array.push(r)
      } else if (action < 0.85) {
        const got = queue.take(hasRoom)
        const want = reference(array, hasRoom)
        assert.equal(got?.item, want?.item, `round ${round}`)
        if (got?.pool !== undefined) running.set(got.pool, (running.get(got.pool) ?? 0) + 1)
        if (got) taken.push(got)
      } else if (taken.length > 0) {
        // A running step ends and frees its pool's slot.
        const done = taken.splice(Math.floor(rnd() * taken.length), 1)[0]!
        if (done.pool !== undefined) running.set(done.pool, running.get(done.pool)! - 1)
      }
      assert.equal(queue.size, array.length)
    }
    assert.ok(next > 1000 && taken.length > 0)
  })

  it('returns nothing while every waiting step is in a full pool, and the pool field as pushed', () => {
    const queue = new ReadyQueue<string>()
    queue.push({ item: 'a', order: 2, pool: 'db' })
    queue.push({ item: 'b', order: 1, pool: 'db' })
    assert.equal(queue.take(() => false), undefined)
    assert.equal(queue.size, 2)
    assert.deepEqual(queue.take(() => true), { item: 'b', order: 1, pool: 'db' })
    queue.push({ item: 'c', order: 5 })
    assert.deepEqual(queue.take(() => false), { item: 'c', order: 5 })
    assert.deepEqual(
      queue.drain().map((r) => r.item),
      ['a'],
    )
    assert.equal(queue.size, 0)
  })

  it('drains everything lowest order first', () => {
    const queue = new ReadyQueue<number>()
    for (const [i, order] of [5, 3, 9, 1, 3].entries()) queue.push({ item: i, order, pool: i % 2 ? 'p' : undefined })
    assert.deepEqual(
      queue.drain().map((r) => r.order),
      [1, 3, 3, 5, 9],
    )
  })

  it('stays fast with 100,000 steps ready at once (no per-take scan of the queue)', () => {
    const queue = new ReadyQueue<number>()
    for (let i = 100_000; i > 0; i--) queue.push({ item: i, order: i })
    let last = 0
    let n = 0
    for (let r = queue.take(() => true); r; r = queue.take(() => true)) {
      assert.ok(r.order > last)
      last = r.order
      n++
    }
    assert.equal(n, 100_000)
  })
})
