import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, codeVersionOf } from '../../assets/index.js'
import { retryDelayMs } from '../../engine/execution/retry.js'

test('retry delays follow Dagster: constant, linear, exponential', () => {
  const constant = { maxRetries: 3, delayMs: 100 }
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs(constant, n)), [100, 100, 100])
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs({ ...constant, backoff: 'linear' }, n)), [100, 200, 300])
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs({ ...constant, backoff: 'exponential' }, n)), [100, 300, 700])
})

test('full jitter scales the delay by a random factor; plus_minus shifts it by ±delayMs', () => {
  const p = { maxRetries: 3, delayMs: 100, backoff: 'linear' as const }
  assert.equal(retryDelayMs({ ...p, jitter: 'full' }, 2, () => 0.25), 50)
  assert.equal(retryDelayMs({ ...p, jitter: true }, 2, () => 0.5), 100)
  assert.equal(retryDelayMs({ ...p, jitter: 'plus_minus' }, 2, () => 0), 100)
  assert.equal(retryDelayMs({ ...p, jitter: 'plus_minus' }, 2, () => 1), 300)
  assert.equal(retryDelayMs({ maxRetries: 1, delayMs: 100, jitter: 'plus_minus' }, 1, () => 0), 0)
})

test('the automatic code version follows the compute source and ignores re-indentation', () => {
  const v1 = asset({ key: 'a', compute: () => [1, 2, 3] }).codeVersion
  const v2 = asset({ key: 'a', compute: () => [1, 2, 4] }).codeVersion
  const v3 = asset({ key: 'a', compute: () =>   [1, 2, 3] }).codeVersion
  assert.notEqual(v1, v2)
  assert.equal(v1, v3)
  assert.match(v1, /^[0-9a-f]{16}$/)
  assert.equal(codeVersionOf(() => 1), codeVersionOf(() => 1))
})

test('an explicit codeVersion overrides the hash', () => {
  const a = asset({ key: 'a', codeVersion: 'v7', compute: () => 1 })
  assert.equal(a.codeVersion, 'v7')
  assert.equal(a.codeVersionSource, 'explicit')
  assert.equal(asset({ key: 'a', compute: () => 1 }).codeVersionSource, 'auto')
})

test('invalid retry policies are rejected with a specific message', () => {
  assert.throws(() => asset({ key: 'a', retry: { maxRetries: -1 }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /maxRetries/ })
  assert.throws(() => asset({ key: 'a', retry: { backoff: 'quadratic' as never }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /backoff/ })
})
