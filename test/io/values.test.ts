// Every kind of value a compute may return comes back from the object store
// equal to what was returned (node:assert's deepStrictEqual, which tells a
// Date from its ISO string, a Map from {}, -0 from 0 and a Buffer from a
// Uint8Array), or storing it fails with STRATA_UNSUPPORTED_VALUE naming
// where inside the value the problem is.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadValue, storeValue } from '../../engine/io/object-store.js'

const home = mkdtempSync(join(tmpdir(), 'strata-io-'))
after(() => rmSync(home, { recursive: true, force: true }))

async function roundTrip(value: unknown): Promise<unknown> {
  const stored = await storeValue(home, value)
  assert.equal(stored.format, 'json')
  return loadValue(home, stored.location, stored.format)
}

async function storedText(value: unknown): Promise<string> {
  return readFileSync(join(home, (await storeValue(home, value)).location), 'utf8')
}

async function refusal(value: unknown): Promise<{ code: string; message: string; path: string }> {
  try {
    await storeValue(home, value)
  } catch (err) {
    const e = err as { code: string; message: string; details: { path: string } }
    return { code: e.code, message: e.message, path: e.details.path }
  }
  assert.fail('storing the value should have failed')
}

class Foo {
  x = 1
}

describe('values round-trip exactly through the object store', () => {
  const cases: Array<[string, unknown]> = [
    ['a Date', new Date('2024-03-05T06:07:08.009Z')],
    ['a Date inside an object', { when: new Date(0) }],
    ['a Date before 1970 and one past year 9999', [new Date(-1e12), new Date(8.64e15)]],
    ['a Map with string keys', new Map([['a', 1]])],
    ['a Map with object, number and Date keys, in insertion order', new Map<unknown, unknown>([[{ k: [1] }, 'obj'], [2, 'two'], [new Date(5), new Set([1])]])],
    ['a Set', new Set(['b', 'a', 3])],
    ['BigInts', { small: 1n, big: -123456789012345678901234567890n }],
    ['undefined inside objects and arrays', { u: undefined, list: [undefined, 1, undefined] }],
    ['undefined itself', undefined],
    ['NaN and ±Infinity', { x: NaN, y: Infinity, z: -Infinity }],
    ['-0', [-0, 0, { z: -0 }]],
    ['typed arrays, including NaN and -0 elements', [new Float64Array([1.5, NaN, -0, Infinity]), new Float32Array([0.1, -0]), new Int8Array([-128, 127]), new Uint8ClampedArray([255]), new Int16Array([-2]), new Uint16Array([65535]), new Int32Array([-1]), new Uint32Array([2 ** 32 - 1]), new BigInt64Array([-(2n ** 63n)]), new BigUint64Array([2n ** 64n - 1n])]],
    ['a typed array that is a view into a larger buffer', new Float64Array(new Float64Array([1, 2, 3, 4]).buffer, 8, 2)],
    ['a Uint8Array and a Buffer, each keeping its type', { u8: new Uint8Array([1, 2, 3]), buf: Buffer.from('héllo') }],
    ['an empty Map, Set, typed array and Buffer', [new Map(), new Set(), new Float32Array(0), Buffer.alloc(0)]],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1, d: new Date(1) })],
    ['an object whose own key is "$strata"', { $strata: 'Date', value: '2024-01-01' }],
    ['"$strata" keys next to a Date', { $strata: 'Map', value: [], nested: { $strata: 'undefined' }, when: new Date(2) }],
    ['a "__proto__" own key next to a Date', Object.assign(JSON.parse('{"__proto__": {"a": 1}}') as object, { when: new Date(3) })],
    ['nested combinations', { rows: [{ id: 1n, at: new Date(10), tags: new Set(['x']), scores: new Map([['a', [NaN, -0]]]), raw: Buffer.from([0, 255]) }] }],
    ['the same Date object twice', (() => { const d = new Date(7); return { a: d, b: d } })()],
    ['plain JSON', { a: [1, 'two', true, null, { b: 1.5 }], s: 'ü\u2028"' }],
  ]
  for (const [name, value] of cases) {
    it(name, async () => {
      assert.deepStrictEqual(await roundTrip(value), value)
    })
  }

  it('values nested deeper than the fast walks go', async () => {
    let tagged: unknown = new Date(9)
    for (let i = 0; i < 300; i++) tagged = i % 2 ? { next: tagged } : [tagged]
    assert.deepStrictEqual(await roundTrip(tagged), tagged)
    let plain: unknown = 'bottom'
    for (let i = 0; i < 1500; i++) plain = { next: plain }
    assert.equal(await storedText(plain), JSON.stringify(plain), 'a deep plain value is still stored as plain JSON')
  })

  it('an invalid Date comes back as an invalid Date', async () => {
    const back = (await roundTrip({ d: new Date(Number.NaN) })) as { d: Date }
    assert.ok(back.d instanceof Date)
    assert.ok(Number.isNaN(back.d.getTime()))
  })

  it('the downstream gets a real Date and Map it can call methods on', async () => {
    const back = (await roundTrip({ when: new Date(Date.UTC(2024, 1, 29)), m: new Map([['a', 1]]) })) as { when: Date; m: Map<string, number> }
    assert.equal(back.when.getUTCFullYear(), 2024)
    assert.equal(back.m.get('a'), 1)
  })
})

describe('how values are stored', () => {
  it('plain JSON is stored exactly as JSON.stringify writes it, so existing content hashes do not change', async () => {
    const value = { b: [1, 2.5, 'x'], a: { nested: null, t: true } }
    const text = JSON.stringify(value)
    assert.equal(await storedText(value), text)
    const stored = await storeValue(home, value)
    assert.equal(stored.contentHash, createHash('sha256').update(text).digest('hex'))
  })

  it('other values are readable JSON with tagged parts', async () => {
    const text = await storedText({ when: new Date(0), n: 1 })
    assert.deepEqual(JSON.parse(text), { $strata: 'tagged-json/1', value: { when: { $strata: 'Date', value: '1970-01-01T00:00:00.000Z' }, n: 1 } })
  })

  it('a plain value shaped like the envelope is not mistaken for one', async () => {
    const value = { $strata: 'tagged-json/1', value: { $strata: 'Date', value: 'x' } }
    assert.deepStrictEqual(await roundTrip(value), value)
  })

  it('objects written before tagging existed, even with "$strata" keys, load as they are', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs')
    mkdirSync(join(home, 'objects', 'ol'), { recursive: true })
    const old = { $strata: 'tagged-json/1', value: 1, other: 2 }
    writeFileSync(join(home, 'objects/ol/old.json'), JSON.stringify(old))
    assert.deepStrictEqual(await loadValue(home, 'objects/ol/old.json', 'json'), old)
  })

  it('equal values get equal content hashes, whatever objects they share', async () => {
    const d = new Date(1)
    const shared = await storeValue(home, { a: d, b: d, m: new Map([['k', new Set([1n])]]) })
    const copies = await storeValue(home, { a: new Date(1), b: new Date(1), m: new Map([['k', new Set([1n])]]) })
    assert.equal(shared.contentHash, copies.contentHash)
  })

  it('Map and Set order is part of the value', async () => {
    const ab = await storeValue(home, new Map([['a', 1], ['b', 2]]))
    const ba = await storeValue(home, new Map([['b', 2], ['a', 1]]))
    assert.notEqual(ab.contentHash, ba.contentHash)
    assert.deepStrictEqual([...((await loadValue(home, ba.location, 'json')) as Map<string, number>).keys()], ['b', 'a'])
  })

  it('symbol-keyed properties are not stored, as with structuredClone', async () => {
    const tag = Symbol('cache')
    assert.deepStrictEqual(await roundTrip({ a: 1, [tag]: 'x' }), { a: 1 })
    assert.deepStrictEqual(await roundTrip({ d: new Date(0), [tag]: 'x' }), { d: new Date(0) })
  })

  it('-0 and 0 are different values, with different hashes', async () => {
    assert.notEqual((await storeValue(home, [-0])).contentHash, (await storeValue(home, [0])).contentHash)
  })
})

describe('values that cannot come back as they were are refused, naming where', () => {
  const cyclic = (): unknown => {
    const rows: Array<Record<string, unknown>> = [{ id: 1 }]
    rows[0]!.self = rows
    return { rows }
  }
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['a class instance deep inside', () => ({ rows: [1, 2, 3, { when: new Foo() }] }), 'value.rows[3].when', /class instance Foo cannot be stored/],
    ['a class instance next to a Date', () => ({ at: new Date(0), foo: new Foo() }), 'value.foo', /class instance Foo/],
    ['a function', () => ({ f: () => 1 }), 'value.f', /a function \(f\) cannot be stored/],
    ['a symbol', () => ({ tags: [Symbol('x')] }), 'value.tags[0]', /a symbol \(Symbol\(x\)\)/],
    ['a circular reference', cyclic, 'value.rows[0].self', /circular reference \(back to value\.rows\)/],
    ['a circular reference past the untracked depth', () => {
      const root: Record<string, unknown> = {}
      let at = root
      for (let i = 0; i < 250; i++) at = (at.n = {}) as Record<string, unknown>
      at.back = root
      return root
    }, `value${'.n'.repeat(250)}.back`, /circular reference \(back to value\)/],
    ['a WeakMap', () => ({ cache: new WeakMap() }), 'value.cache', /a WeakMap cannot be stored/],
    ['a Promise', () => ({ pending: Promise.resolve(1) }), 'value.pending', /a Promise cannot be stored; await it/],
    ['a RegExp', () => [/x/], 'value[0]', /a RegExp/],
    ['an Error', () => ({ err: new Error('x') }), 'value.err', /an Error cannot be stored/],
    ['a boxed number', () => ({ n: Object(1) as unknown }), 'value.n', /a Number/],
    ['an array hole', () => ({ xs: [1, , 3] }), 'value.xs[1]', /an array hole/],
    ['a bad Map key', () => ({ m: new Map([[new Foo(), 1]]) }), 'value.m.keys()[0]', /class instance Foo/],
    ['a bad Map value', () => ({ m: new Map([['k', () => 1]]) }), 'value.m.get("k")', /a function/],
    ['a bad Set item', () => new Set([1, new Foo()]), 'value.values()[1]', /class instance Foo/],
    ['a Map subclass', () => ({ m: new (class Registry extends Map {})() }), 'value.m', /class instance Registry/],
    ['an own property of a Date', () => ({ d: Object.assign(new Date(0), { tz: 'UTC' }) }), 'value.d.tz', /a property of a Date/],
    ['a property with a non-identifier name', () => ({ 'a b': new Foo() }), 'value["a b"]', /class instance Foo/],
  ]
  for (const [name, make, path, message] of cases) {
    it(name, async () => {
      const r = await refusal(make())
      assert.equal(r.code, 'STRATA_UNSUPPORTED_VALUE')
      assert.equal(r.path, path)
      assert.ok(r.message.startsWith(`${path}: `), r.message)
      assert.match(r.message, message)
    })
  }

  it('an Arrow table inside another value is refused with a hint to return it alone', async () => {
    const { tableFromArrays } = await import('apache-arrow')
    const r = await refusal({ t: tableFromArrays({ a: [1, 2] }) })
    assert.equal(r.path, 'value.t')
    assert.match(r.message, /an Arrow Table inside another value cannot be stored; return the Table itself/)
  })

  it('nothing is written for a refused value', async () => {
    const { readdirSync, existsSync } = await import('node:fs')
    const h = mkdtempSync(join(tmpdir(), 'strata-io-refused-'))
    try {
      await refusal({ when: new Date(0), foo: new Foo() })
      await assert.rejects(storeValue(h, { when: new Date(0), foo: new Foo() }), { code: 'STRATA_UNSUPPORTED_VALUE' })
      assert.ok(!existsSync(join(h, 'objects')) || readdirSync(join(h, 'objects')).length === 0)
    } finally {
      rmSync(h, { recursive: true, force: true })
    }
  })
})
