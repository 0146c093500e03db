import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batchSize, MAX_BATCH, MIN_SPLIT_MS, StepTimes } from '../../engine/execution/batching.js'
import { GROW_AFTER_MS } from '../../engine/executors/thread-growth.js'

describe('batchSize', () => {
  it('is one while no step duration is known', () => {
    assert.equal(batchSize(undefined, 36_525, 2), 1)
  })

  it('fills batches up to the cap when thousands of tiny steps are ready', () => {
    assert.equal(batchSize(0.1, 36_525, 2), MAX_BATCH)
  })

  it('shares steps fairly among the free threads once each share is worth a thread', () => {
    assert.equal(batchSize(5, 10, 2), 5)
    assert.equal(batchSize(1, 40, 2), 20)
    assert.equal(batchSize(5, 4, 1), 4)
  })

  it('does not split under MIN_SPLIT_MS of work: it would only wait for the busy thread', () => {
    assert.equal(MIN_SPLIT_MS, GROW_AFTER_MS)
    // A size is an upper bound: all 10 ready steps go in one batch (1 ms, 4 ms, 10 ms of work in all).
    for (const ms of [0.1, 0.4, 1]) assert.ok(batchSize(ms, 10, 2) >= 10, `${ms} ms steps`)
  })

  it('keeps a batch within its time budget, and long steps alone', () => {
    assert.equal(batchSize(10, 100, 2), 2)
    assert.equal(batchSize(50, 100, 2), 1)
    assert.equal(batchSize(5_000, 100, 2), 1)
  })
})

describe('StepTimes', () => {
  it('follows recent durations and ignores nonsense', () => {
    const t = new StepTimes()
    assert.equal(t.mean, undefined)
    t.observe(300)
    assert.equal(t.mean, 300)
    for (let i = 0; i < 40; i++) t.observe(0.2)
    assert.ok(t.mean! < 1, `mean ${t.mean}`)
    t.observe(Number.NaN)
    t.observe(-5)
    assert.ok(t.mean! > 0 && t.mean! < 1)
  })
})
