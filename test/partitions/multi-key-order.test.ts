// Multi-partition keys order their parts by dimension name, whatever the
// declaration order, and parsing checks every part against its dimension.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyPartitions, dynamicPartitions, identityMapping, multiMapping, multiPartitions, staticPartitions, timeWindowMapping } from '../../assets/partitions/index.js'
import { compareNames } from '../../assets/partitions/multi.js'
import { isStrataError } from '../../assets/errors.js'

const now = new Date('2024-01-03T00:00:00Z')
const date = dailyPartitions({ start: '2024-01-01' })
const region = staticPartitions(['us', 'eu'])

function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isStrataError(e), `expected a StrataError, got ${String(e)}`)
    assert.equal(e.code, 'STRATA_INVALID_PARTITION_KEY')
    for (const re of patterns) assert.match(e.message, re)
    return true
  })
}

describe('multi-partition key order', () => {
  it('orders parts by dimension name: { region, date } has keys date|region', () => {
    const def = multiPartitions({ region, date })
    assert.deepEqual(def.parseKey('2024-01-01|us'), { date: '2024-01-01', region: 'us' })
    assert.equal(def.key({ region: 'us', date: '2024-01-01' }), '2024-01-01|us')
    assert.deepEqual(def.keys({ now }), ['2024-01-01|us', '2024-01-01|eu', '2024-01-02|us', '2024-01-02|eu'])
    assert.deepEqual(def.dimensions.map((d) => d.name), ['date', 'region'])
    assert.deepEqual(def.declaredOrder, ['region', 'date'])
  })

  it('declaration order changes no key and no id', () => {
    const a = multiPartitions({ region, date })
    const b = multiPartitions({ date, region })
    assert.deepEqual(a.keys({ now }), b.keys({ now }))
    assert.equal(a.id, b.id)
  })

  it('a key with its parts in the wrong order is an error naming the dimension, the part and the order', () => {
    const def = multiPartitions({ region, date })
    rejects(
      () => def.parseKey('us|2024-01-01'),
      /^Invalid partition key "us\|2024-01-01" for multi partitions: expected <date>\|<region> \(parts in dimension-name order, e\.g\. 2024-01-01\|us\); part 1, dimension "date": Invalid partition key "us" for daily partitions/,
      /Its parts look reordered: did you mean 2024-01-01\|us\?$/,
    )
    assert.equal(def.has('us|2024-01-01', { now }), false)
    rejects(() => def.validateKey('us|2024-01-01', { now }), /dimension "date"/, /did you mean 2024-01-01\|us\?/)
    rejects(() => def.parseKey('2024-01-01|mars'), /part 2, dimension "region": Invalid partition key "mars" for static partitions: expected one of us, eu\./)
    rejects(() => def.key({ region: '2024-01-01', date: 'us' }), /part "date": "us" is not a key of its time-window partitions/)
    rejects(() => def.key({ region: 'u,s', date: '2024-01-01' }), /part "region": partition key "u,s" contains ","/)
  })

  it('parses keys of partitions that do not exist yet, but not before the start', () => {
    const def = multiPartitions({ region, date })
    assert.deepEqual(def.parseKey('2030-01-01|eu', { now }), { date: '2030-01-01', region: 'eu' })
    rejects(() => def.validateKey('2030-01-01|eu', { now }), /dimension "date"/)
    rejects(() => def.parseKey('2023-12-31|eu'), /dimension "date"/)
  })

  it('sorts names by code point, as Python does', () => {
    assert.ok(compareNames('Zone', 'area') < 0, 'upper case sorts first')
    assert.ok(compareNames('\u{1F600}', '\uFFFD') > 0, 'astral code points sort after the BMP')
    assert.ok('\u{1F600}' < '\uFFFD', 'where UTF-16 order would differ')
    assert.ok(compareNames('date', 'date2') < 0)
    const def = multiPartitions({ '\u{1F600}': date, '\uFFFD': region })
    assert.deepEqual(def.dimensions.map((d) => d.name), ['\uFFFD', '\u{1F600}'])
    assert.equal(def.keys({ now })[0], 'us|2024-01-01')
  })

  it('assets declaring the same dimensions in different orders map by identity', () => {
    const up = multiPartitions({ region, date })
    const down = multiPartitions({ date, region })
    const ctx = { downstream: down, upstream: up, now }
    assert.deepEqual(identityMapping().upstreamFor(['2024-01-02|eu'], ctx), { keys: ['2024-01-02|eu'], missing: [] })
    assert.deepEqual(multiMapping({}).upstreamFor(['2024-01-02|eu'], ctx), { keys: ['2024-01-02|eu'], missing: [] })
    assert.deepEqual(multiMapping({ date: timeWindowMapping({ startOffset: -1, endOffset: -1 }) }).upstreamFor(['2024-01-02|eu'], ctx), { keys: ['2024-01-01|eu'], missing: [] })
  })

  it('dynamic dimensions are checked against the stored keys when given', () => {
    const def = multiPartitions({ date, customer: dynamicPartitions('customers') })
    assert.deepEqual(def.parseKey('acme|2024-01-01'), { customer: 'acme', date: '2024-01-01' })
    rejects(() => def.parseKey('zeta|2024-01-01', { now, dynamicKeys: { customers: ['acme'] } }), /dimension "customer"/, /acme/)
    rejects(() => def.parseKey('a,b|2024-01-01'), /dimension "customer"/)
  })
})
