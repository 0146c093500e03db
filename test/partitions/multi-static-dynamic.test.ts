import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  dailyPartitions,
  dynamicPartitions,
  isDynamicPartitions,
  isMultiPartitions,
  isStaticPartitions,
  isTimeWindowPartitions,
  multiPartitions,
  staticPartitions,
} from '../../assets/partitions/index.js'
import { isStrataError } from '../../assets/errors.js'

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => isStrataError(err) && err.code === code && (!message || message.test(err.message)))
}

describe('static partitions', () => {
  it('keeps declared order and validates keys', () => {
    const def = staticPartitions(['us', 'eu', 'apac'])
    assert.deepEqual(def.keys(), ['us', 'eu', 'apac'])
    assert.equal(def.has('eu'), true)
    assert.equal(def.has('EU'), false)
    assert.equal(def.id, 'static(["us","eu","apac"])')
    throwsCode(() => def.validateKey('mars'), 'STRATA_INVALID_PARTITION_KEY', /^Invalid partition key "mars" for static partitions: expected one of us, eu, apac\.$/)
    const keys = def.keys()
    keys.push('x')
    assert.deepEqual(def.keys(), ['us', 'eu', 'apac'])
    assert.ok(isStaticPartitions(def) && !isTimeWindowPartitions(def))
  })

  it('rejects duplicates, empty lists and non-string keys', () => {
    throwsCode(() => staticPartitions(['a', 'b', 'a', 'b', 'c']), 'STRATA_INVALID_PARTITIONS', /duplicate keys "a", "b"/)
    throwsCode(() => staticPartitions([]), 'STRATA_INVALID_PARTITIONS', /non-empty/)
    throwsCode(() => staticPartitions(['a', '']), 'STRATA_INVALID_PARTITIONS', /index 1/)
    throwsCode(() => staticPartitions(['a', 3 as unknown as string]), 'STRATA_INVALID_PARTITIONS', /index 1/)
  })
})

describe('dynamic partitions', () => {
  it('reads its keys from opts.dynamicKeys[name]', () => {
    const def = dynamicPartitions('customers')
    assert.deepEqual(def.keys(), [])
    assert.equal(def.has('acme'), false)
    const opts = { dynamicKeys: { customers: ['acme', 'globex', 'acme'], other: ['x'] } }
    assert.deepEqual(def.keys(opts), ['acme', 'globex'])
    assert.equal(def.has('globex', opts), true)
    assert.equal(def.has('x', opts), false)
    assert.equal(def.id, 'dynamic(customers)')
    assert.ok(isDynamicPartitions(def))
    throwsCode(() => def.validateKey('initech', opts), 'STRATA_INVALID_PARTITION_KEY', /dynamic partitions "customers": expected one of the keys added so far \(acme, globex\)/)
    throwsCode(() => def.validateKey('acme'), 'STRATA_INVALID_PARTITION_KEY', /no keys have been added yet/)
    throwsCode(() => dynamicPartitions(''), 'STRATA_INVALID_PARTITIONS')
  })
})

describe('multi partitions', () => {
  const now = new Date('2024-01-03T00:00:00Z')
  const date = dailyPartitions({ start: '2024-01-01' })
  const region = staticPartitions(['us', 'eu'])
  const kind = staticPartitions(['a', 'b', 'c'])
  const def = multiPartitions({ date, region, kind })

  it('lists the product of three dimensions, ordered by dimension name', () => {
    const keys = def.keys({ now })
    assert.equal(keys.length, 2 * 2 * 3)
    assert.deepEqual(keys.slice(0, 4), ['2024-01-01|a|us', '2024-01-01|a|eu', '2024-01-01|b|us', '2024-01-01|b|eu'])
    assert.equal(keys.at(-1), '2024-01-02|c|eu')
    assert.deepEqual(def.dimensions.map((d) => d.name), ['date', 'kind', 'region'])
    assert.deepEqual(def.declaredOrder, ['date', 'region', 'kind'])
    assert.equal(def.dimensions[0]!.partitions, date)
    assert.ok(isMultiPartitions(def))
    assert.equal(def.id, `multi(date=${date.id},kind=${kind.id},region=${region.id})`)
  })

  it('parses and builds keys', () => {
    assert.deepEqual(def.parseKey('2024-01-01|a|us'), { date: '2024-01-01', region: 'us', kind: 'a' })
    assert.equal(def.key({ kind: 'b', date: '2024-01-02', region: 'eu' }), '2024-01-02|b|eu')
    throwsCode(() => def.key({ date: '2024-01-02', region: 'eu' }), 'STRATA_INVALID_PARTITION_KEY', /"kind"/)
    throwsCode(() => def.parseKey('2024-01-01|us'), 'STRATA_INVALID_PARTITION_KEY', /got 2 parts instead of 3/)
  })

  it('validates each dimension and says which one is wrong', () => {
    assert.equal(def.has('2024-01-01|a|us', { now }), true)
    assert.equal(def.has('2024-01-01|z|us', { now }), false)
    assert.equal(def.has('2024-01-03|a|us', { now }), false)
    throwsCode(
      () => def.validateKey('2024-01-01|a|xx', { now }),
      'STRATA_INVALID_PARTITION_KEY',
      /^Invalid partition key "2024-01-01\|a\|xx" for multi partitions: expected <date>\|<kind>\|<region> \(parts in dimension-name order, e\.g\. 2024-01-01\|a\|us\); dimension "region": Invalid partition key "xx" for static partitions: expected one of us, eu\.$/,
    )
    throwsCode(() => def.validateKey('2024-13-01|a|us', { now }), 'STRATA_INVALID_PARTITION_KEY', /dimension "date".*expected YYYY-MM-DD between 2024-01-01 and 2024-01-02/)
  })

  it('works with dynamic dimensions', () => {
    const m = multiPartitions({ date, customer: dynamicPartitions('customers') })
    assert.deepEqual(m.keys({ now }), [])
    const opts = { now, dynamicKeys: { customers: ['acme'] } }
    assert.deepEqual(m.keys(opts), ['acme|2024-01-01', 'acme|2024-01-02'])
    assert.equal(m.has('acme|2024-01-02', opts), true)
    assert.deepEqual(m.parseKey('acme|2024-01-02', opts), { customer: 'acme', date: '2024-01-02' })
    throwsCode(() => m.parseKey('2024-01-02|acme', opts), 'STRATA_INVALID_PARTITION_KEY', /did you mean acme\|2024-01-02\?/)
  })

  it('rejects bad dimensions', () => {
    throwsCode(() => multiPartitions({ date }), 'STRATA_INVALID_PARTITIONS', /at least 2 dimensions/)
    throwsCode(() => multiPartitions({ date, inner: def }), 'STRATA_INVALID_PARTITIONS', /itself multi-dimensional/)
    throwsCode(() => multiPartitions({ date, 'a|b': region }), 'STRATA_INVALID_PARTITIONS', /dimension name/)
    throwsCode(() => multiPartitions({ date, 'a,b': region }), 'STRATA_INVALID_PARTITIONS', /dimension name/)
    throwsCode(() => multiPartitions({ date, bad: {} as never }), 'STRATA_INVALID_PARTITIONS', /not a partitions definition/)
  })
})
