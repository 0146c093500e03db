import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'node:test'
import { markStarted, newTaskProbe } from '../../engine/executors/task-probe.js'
import { GROW_AFTER_MS, LONG_TASK_MS, ThreadGrowth } from '../../engine/executors/thread-growth.js'

/** A gate over a fake pool whose thread count the test sets; `went` lists the probes in the order they were let go. */
function gate(maxThreads = 2) {
  const pool = { threads: 0 }
  const growth = new ThreadGrowth(() => pool.threads, maxThreads)
  const went: string[] = []
  const enter = (name: string, steps = 1, signal?: AbortSignal) => {
    const probe = newTaskProbe()
    void growth.enter(probe, steps, signal).then(() => {
      went.push(name)
      // Piscina rejects a task whose signal fired without giving it a thread, and starts a thread for one that finds none idle.
      if (signal?.aborted) return
      pool.threads = Math.max(pool.threads, Math.min(maxThreads, running.size + 1))
      running.add(probe)
    })
    return probe
  }
  const running = new Set<SharedArrayBuffer>()
  const leave = (probe: SharedArrayBuffer) => {
    running.delete(probe)
    growth.leave(probe)
  }
  return { pool, growth, went, enter, leave }
}

const tick = () => sleep(0)

/** A gate whose first task, `a`, went to the only thread and is computing, and whose second, `b`, just arrived. */
async function busyThenB() {
  const g = gate()
  const a = g.enter('a')
  await tick()
  markStarted(a)
  g.enter('b')
  return { g, a }
}

describe('ThreadGrowth (when the pool starts another thread)', () => {
  it('lets the first task go at once, and holds the next while the only thread is busy with short work', async () => {
    const { g, a } = await busyThenB()
    await sleep(30)
    assert.deepEqual(g.went, ['a'], 'b waits: nothing shows the work is long')
    assert.equal(g.growth.waiting, 1)
    g.leave(a)
    await tick()
    assert.deepEqual(g.went, ['a', 'b'], 'b takes the freed thread')
    assert.equal(g.pool.threads, 1, 'no second thread was started')
  })

  it('starts another thread once a running task has computed LONG_TASK_MS', async () => {
    const { g } = await busyThenB()
    await sleep(LONG_TASK_MS / 2)
    assert.deepEqual(g.went, ['a'])
    await sleep(LONG_TASK_MS)
    assert.deepEqual(g.went, ['a', 'b'])
    assert.equal(g.pool.threads, 2)
  })

  it('does not count a thread still importing the definitions as computing', async () => {
    const g = gate()
    g.enter('a')
    g.enter('b')
    await sleep(LONG_TASK_MS * 1.5)
    assert.deepEqual(g.went, ['a'], 'a never started computing')
    g.growth.releaseAll()
  })

  it('starts another thread at once for held work worth it, once a few step times are known', async () => {
    const g = gate()
    for (const ms of [40, 0.5, 0.5]) g.growth.observe(ms)
    const a = g.enter('a')
    await tick()
    markStarted(a)
    // 10 steps of ~0.5 ms: 5 ms, not worth a thread (the cold first 40 ms step does not count).
    g.enter('small', 10)
    await sleep(20)
    assert.deepEqual(g.went, ['a'])
    g.leave(a)
    await tick()
    assert.deepEqual(g.went, ['a', 'small'])
    // 64 steps of ~0.5 ms: 32 ms of work waiting, so it goes to a second thread.
    g.enter('big', Math.ceil((2 * GROW_AFTER_MS) / 0.5))
    await tick()
    assert.deepEqual(g.went, ['a', 'small', 'big'])
    assert.equal(g.pool.threads, 2)
  })

  it('lets everything go when an idle thread exists or the pool is at its limit', async () => {
    const g = gate(1)
    g.enter('a')
    g.enter('b')
    g.enter('c')
    await tick()
    assert.deepEqual(g.went, ['a', 'b', 'c'], 'at the limit piscina queues them itself')
    const h = gate(2)
    h.pool.threads = 2
    h.enter('a')
    h.enter('b')
    await tick()
    assert.deepEqual(h.went, ['a', 'b'], 'two threads are up: the second is idle')
  })

  it('lets a held task of a stopped run go at once, and keeps the order of the others', async () => {
    const g = gate()
    const a = g.enter('a')
    await tick()
    const stop = new AbortController()
    g.enter('b')
    g.enter('c', 1, stop.signal)
    g.enter('d')
    stop.abort()
    await sleep(10)
    assert.deepEqual(g.went, ['a', 'c'])
    g.leave(a)
    await tick()
    assert.deepEqual(g.went, ['a', 'c', 'b'], 'b before d, each as a thread frees up')
  })

  it('releaseAll lets every held task go (the pool is closing)', async () => {
    const g = gate()
    g.enter('a')
    g.enter('b')
    g.enter('c')
    await tick()
    g.growth.releaseAll()
    await tick()
    assert.deepEqual(g.went, ['a', 'b', 'c'])
    assert.equal(g.growth.waiting, 0)
  })
})
