import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, defineDefinitions, normalizeKey } from '../../assets/index.js'

test('keys normalize from strings and arrays; bad segments are rejected', () => {
  assert.equal(normalizeKey(['raw', 'orders']), 'raw/orders')
  assert.equal(normalizeKey('raw/orders'), 'raw/orders')
  assert.throws(() => normalizeKey('raw//orders'), { code: 'STRATA_INVALID_KEY' })
  assert.throws(() => normalizeKey('raw/or ders'), { code: 'STRATA_INVALID_KEY' })
})

test('duplicate keys', () => {
  const a1 = asset({ key: 'a', compute: () => 1 })
  const a2 = asset({ key: ['a'], compute: () => 2 })
  assert.throws(() => defineDefinitions({ assets: [a1, a2] }), { code: 'STRATA_DUPLICATE_KEY', message: /Duplicate asset key "a"/ })
})

test('unknown ins and deps name the asset and the missing key', () => {
  const ghost = asset({ key: 'ghost', compute: () => 1 })
  const b = asset({ key: 'b', ins: { ghost }, compute: () => 1 })
  assert.throws(() => defineDefinitions({ assets: [b] }), { code: 'STRATA_UNKNOWN_DEP', message: /"b" reads input "ghost" from "ghost"/ })
  const c = asset({ key: 'c', deps: ['nowhere/x'], compute: () => 1 })
  assert.throws(() => defineDefinitions({ assets: [c] }), { code: 'STRATA_UNKNOWN_DEP', message: /"c" depends on "nowhere\/x"/ })
})

test('a cycle is reported with its path in data-flow order', () => {
  const x = asset({ key: 'x', deps: ['z'], compute: () => 1 })
  const y = asset({ key: 'y', deps: [x], compute: () => 1 })
  const z = asset({ key: 'z', deps: [y], compute: () => 1 })
  const err = (() => {
    try {
      defineDefinitions({ assets: [x, y, z] })
    } catch (e) {
      return e as Error & { code: string; details: { cycle: string[] } }
    }
  })()
  assert.equal(err?.code, 'STRATA_CYCLE')
  const cycle = err!.details.cycle
  assert.equal(cycle[0], cycle[cycle.length - 1])
  assert.equal(cycle.length, 4)
  // Each consecutive pair is a real edge upstream -> downstream.
  const edges = new Set(['z>x', 'x>y', 'y>z'])
  for (let i = 0; i + 1 < cycle.length; i++) assert.ok(edges.has(`${cycle[i]}>${cycle[i + 1]}`), cycle.join(' -> '))
  assert.match(err!.message, /Dependency cycle: \w -> \w -> \w -> \w/)
})

test('a self dependency in deps is a cycle', () => {
  assert.throws(() => asset({ key: 'a', deps: ['a'], compute: () => 1 }), { code: 'STRATA_CYCLE', message: /a -> a/ })
})

test('non-assets and bad pool limits are rejected', () => {
  assert.throws(() => defineDefinitions({ assets: [{} as never] }), { code: 'STRATA_INVALID_DEFINITIONS' })
  const a = asset({ key: 'a', pool: 'db', compute: () => 1 })
  assert.throws(() => defineDefinitions({ assets: [a], pools: { db: 0 } }), { code: 'STRATA_INVALID_DEFINITIONS', message: /Pool "db"/ })
})

test('an undefined input (declared later in the file) gets a hint', () => {
  assert.throws(() => asset({ key: 'b', ins: { a: undefined as never }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /move that declaration up/ })
})
