// One rule for every partition key, static or dynamic (and custom time-window
// formats): no "|", ",", line breaks or control characters, each named in
// the error with the key.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions, dynamicPartitions, staticPartitions } from '../../assets/partitions/index.js'
import { partitionKeyProblem, quoteKey } from '../../assets/partitions/key-rules.js'
import { isStrataError } from '../../assets/errors.js'
import { withStorage } from '../storage/helpers.js'

const BAD: Array<[char: string, label: string]> = [
  [',', '","'],
  ['|', '"|"'],
  ['\n', 'a line break (\\n)'],
  ['\r', 'a line break (\\r)'],
  ['\u2028', 'a line break (\\u2028)'],
  ['\t', 'control character U+0009'],
  ['\u0000', 'control character U+0000'],
  ['\u001b', 'control character U+001B'],
  ['\u007f', 'control character U+007F'],
  ['\u0085', 'control character U+0085'],
]

describe('partition key characters', () => {
  it('names the first forbidden character and where it is', () => {
    assert.deepEqual(partitionKeyProblem('a,b|c'), { char: ',', index: 1, label: '","' })
    assert.equal(quoteKey('a\u2028b\u0085c\nd'), '"a\\u2028b\\u0085c\\nd"', 'keys print on one line')
    for (const ok of ['us', 'héllo wörld', ' spaced ', 'a/b:c', '2021-11-07-01:00-0500', 'é😀', 'a_b-c.d']) assert.equal(partitionKeyProblem(ok), undefined, ok)
  })

  it('static keys with a forbidden character are definition errors naming the key and the character', () => {
    for (const [char, label] of BAD) {
      const key = `a${char}b`
      assert.throws(
        () => staticPartitions(['ok', key]),
        (e: unknown) => {
          assert.ok(isStrataError(e))
          assert.equal(e.code, 'STRATA_INVALID_PARTITIONS')
          assert.ok(e.message.startsWith(`staticPartitions(): partition key ${quoteKey(key)} contains ${label}; keys must not contain "|", ",", line breaks or control characters.`), e.message)
          assert.deepEqual(e.details, { key, char, index: 1 })
          return true
        },
        JSON.stringify(char),
      )
    }
    assert.throws(() => staticPartitions(['a,b']), /Rename the key, e\.g\. "a-b"\./)
  })

  it('dynamic keys follow the same rule, with the same words, when added and when validated', () =>
    withStorage(async (storage) => {
      for (const [char, label] of BAD) {
        const key = `a${char}b`
        await assert.rejects(storage.addDynamicPartitions('customers', ['ok', key], 1), (e: unknown) => {
          assert.ok(isStrataError(e))
          assert.equal(e.code, 'STRATA_STORAGE')
          assert.equal(e.message, `addDynamicPartitions(customers): partition key ${quoteKey(key)} contains ${label}; keys must not contain "|", ",", line breaks or control characters.`)
          return true
        })
        assert.throws(
          () => dynamicPartitions('customers').validateKey(key, { dynamicKeys: { customers: ['ok'] } }),
          (e: unknown) => isStrataError(e) && e.code === 'STRATA_INVALID_PARTITION_KEY' && e.message.includes(`contains ${label}`) && e.message.includes('can never be added'),
        )
      }
      assert.deepEqual(await storage.getDynamicPartitions(), {}, 'nothing of a rejected batch is added')
    }))

  it('a custom time-window format that writes a forbidden character is rejected', () => {
    assert.throws(
      () => dailyPartitions({ start: '2024-01-01', fmt: 'yyyy|MM|dd' }),
      (e: unknown) => isStrataError(e) && e.code === 'STRATA_INVALID_PARTITIONS' && /fmt "yyyy\|MM\|dd" writes keys such as "2024\|01\|01": partition key "2024\|01\|01" contains "\|"/.test(e.message),
    )
    assert.throws(() => dailyPartitions({ start: '2024-01-01', fmt: 'yyyy,MM,dd' }), /contains ","/)
    assert.equal(dailyPartitions({ start: '2024-01-01', fmt: 'yyyy/MM/dd' }).keys({ now: new Date('2024-01-02T00:00:00Z') })[0], '2024/01/01')
  })
})
