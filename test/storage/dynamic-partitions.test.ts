import { test } from 'node:test'
import assert from 'node:assert/strict'
import { storageErrorLike, newInstance, forEachBackend } from './helpers.js'

forEachBackend((withStorage, backend) => {
  test('addDynamicPartitions keeps insertion order, ignores existing keys and returns those added', () =>
    withStorage(async (s) => {
      assert.deepEqual(await s.getDynamicPartitions(), {})
      assert.deepEqual(await s.addDynamicPartitions('customers', ['zeta', 'acme', 'mid'], 1), ['zeta', 'acme', 'mid'])
      assert.deepEqual(await s.addDynamicPartitions('customers', ['acme', 'beta', 'beta', 'zeta', 'alpha'], 2), ['beta', 'alpha'])
      assert.deepEqual(await s.addDynamicPartitions('regions', ['eu', 'us'], 3), ['eu', 'us'])
      assert.deepEqual(await s.addDynamicPartitions('customers', [], 4), [])
      assert.deepEqual(await s.addDynamicPartitions('customers', ['acme'], 4), [])
      assert.deepEqual(await s.getDynamicPartitions(), {
        customers: ['zeta', 'acme', 'mid', 'beta', 'alpha'],
        regions: ['eu', 'us'],
      })
    }))

  test('deleteDynamicPartitions returns the keys removed; re-added keys go to the end', () =>
    withStorage(async (s) => {
      await s.addDynamicPartitions('customers', ['a', 'b', 'c', 'd'], 1)
      await s.addDynamicPartitions('other', ['b'], 1)
      assert.deepEqual(await s.deleteDynamicPartitions('customers', ['d', 'b', 'missing', 'b']), ['d', 'b'])
      assert.deepEqual(await s.deleteDynamicPartitions('customers', []), [])
      assert.deepEqual(await s.deleteDynamicPartitions('nobody', ['a']), [])
      assert.deepEqual(await s.getDynamicPartitions(), { customers: ['a', 'c'], other: ['b'] }, 'other definitions keep their keys')
      assert.deepEqual(await s.addDynamicPartitions('customers', ['b', 'd'], 2), ['b', 'd'])
      assert.deepEqual((await s.getDynamicPartitions()).customers, ['a', 'c', 'b', 'd'])
      assert.deepEqual(await s.deleteDynamicPartitions('customers', ['a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd'])
      assert.deepEqual(await s.getDynamicPartitions(), { other: ['b'] }, 'a definition without keys is not listed')
    }))

  test('dynamic partition misuse fails with STRATA_STORAGE and adds nothing', () =>
    withStorage(async (s) => {
      await assert.rejects(s.addDynamicPartitions('customers', ['ok', ''], 1), storageErrorLike(/addDynamicPartitions\(customers\): partition keys must not be empty/))
      await assert.rejects(s.addDynamicPartitions('customers', ['ok', 'a|b'], 1), storageErrorLike(/partition key "a\|b" contains "\|"; keys must not contain/))
      await assert.rejects(s.addDynamicPartitions('customers', ['ok', 'a,b'], 1), storageErrorLike(/partition key "a,b" contains ","/))
      await assert.rejects(s.addDynamicPartitions('customers', [7 as unknown as string], 1), storageErrorLike(/keys must be strings, got 7/))
      await assert.rejects(s.addDynamicPartitions('', ['ok'], 1), storageErrorLike(/addDynamicPartitions needs the non-empty name/))
      await assert.rejects(s.deleteDynamicPartitions(' ', ['ok']), storageErrorLike(/deleteDynamicPartitions needs the non-empty name/))
      assert.deepEqual(await s.getDynamicPartitions(), {}, 'a rejected batch adds none of its keys')
      // Unusual but legal keys and names survive as-is.
      assert.deepEqual(await s.addDynamicPartitions('__proto__', ['héllo wörld', ' spaced ', 'a/b:c'], 1), ['héllo wörld', ' spaced ', 'a/b:c'])
      const all = await s.getDynamicPartitions()
      assert.deepEqual(Object.keys(all), ['__proto__'])
      assert.deepEqual(all['__proto__'], ['héllo wörld', ' spaced ', 'a/b:c'])
    }))

  test('dynamic partitions persist across connections', async () => {
    const instance = newInstance(backend)
    try {
      const first = await instance.open()
      const second = await instance.open()
      try {
        await first.addDynamicPartitions('customers', ['a', 'b'], 1)
        assert.deepEqual(await second.addDynamicPartitions('customers', ['b', 'c'], 2), ['c'], 'keys added by another connection count as existing')
        assert.deepEqual(await first.getDynamicPartitions(), { customers: ['a', 'b', 'c'] })
      } finally {
        await first.close()
        await second.close()
      }
      const reopened = await instance.open()
      try {
        assert.deepEqual(await reopened.getDynamicPartitions(), { customers: ['a', 'b', 'c'] })
      } finally {
        await reopened.close()
      }
    } finally {
      await instance.cleanup()
    }
  })
})
