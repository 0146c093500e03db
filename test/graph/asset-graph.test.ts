import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, dailyPartitions, defineDefinitions, self, StrataError, timeWindowMapping } from '../../assets/index.js'
import type { Definitions } from '../../assets/index.js'
import { AssetGraph } from '../../engine/graph/index.js'
import { assertEdgesForward, assertTopological, chainDefinitions, layeredDefinitions, mk, sorted } from './helpers.js'

// a -> b -> d -> e, a -> c -> d (diamond), y -> z, x alone.
function diamond(): AssetGraph {
  const a = mk('a')
  const b = mk('b', ['a'])
  const c = mk('c', ['a'])
  const d = mk('d', ['b', 'c'])
  const e = mk('e', ['d'])
  return AssetGraph.fromDefinitions(defineDefinitions({ assets: [a, b, c, d, e, mk('x'), mk('y'), mk('z', ['y'])] }))
}

function isStrata(code: string) {
  return (err: unknown) => err instanceof StrataError && err.code === code
}

describe('AssetGraph basics', () => {
  it('lists keys in declaration order', () => {
    assert.deepEqual(diamond().keys(), ['a', 'b', 'c', 'd', 'e', 'x', 'y', 'z'])
    assert.equal(diamond().size, 8)
  })

  it('has() answers for canonical keys', () => {
    const g = diamond()
    assert.equal(g.has('d'), true)
    assert.equal(g.has('nope'), false)
  })

  it('gives direct upstream and downstream', () => {
    const g = diamond()
    assert.deepEqual(g.upstream('d'), ['b', 'c'])
    assert.deepEqual(g.upstream('a'), [])
    assert.deepEqual(g.downstream('a'), ['b', 'c'])
    assert.deepEqual(g.downstream('d'), ['e'])
    assert.deepEqual(g.downstream('e'), [])
    assert.deepEqual(g.roots(), ['a', 'x', 'y'])
    assert.deepEqual(g.leaves(), ['e', 'x', 'z'])
  })

  it('throws STRATA_UNKNOWN_ASSET for unknown keys', () => {
    const g = diamond()
    assert.throws(() => g.upstream('nope'), isStrata('STRATA_UNKNOWN_ASSET'))
    assert.throws(() => g.downstream('nope'), isStrata('STRATA_UNKNOWN_ASSET'))
    assert.throws(() => g.upstreamClosure(['a', 'nope']), isStrata('STRATA_UNKNOWN_ASSET'))
    assert.throws(() => g.topologicalOrder(['nope']), isStrata('STRATA_UNKNOWN_ASSET'))
    assert.throws(() => g.definition('nope'), isStrata('STRATA_UNKNOWN_ASSET'))
  })

  it('returns the definition for a key', () => {
    assert.equal(diamond().definition('d').key, 'd')
  })

  it('uses ins and deps as edges, but not self inputs', () => {
    const a = mk('a')
    const b = mk('b')
    const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' })
    const c = asset({ key: 'c', partitions: days, ins: { a, prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } }, deps: [b], codeVersion: '1', compute: () => 1 })
    const g = AssetGraph.fromDefinitions(defineDefinitions({ assets: [a, b, c] }))
    assert.deepEqual(g.upstream('c'), ['a', 'b'])
    assert.deepEqual(g.downstream('c'), [])
    assert.deepEqual(g.topologicalOrder(), ['a', 'b', 'c'])
  })

  it('exposes a graphology DirectedGraph with upstream -> downstream edges', () => {
    const g = diamond()
    const gg = g.graph
    assert.equal(gg.order, 8)
    assert.equal(gg.size, 6)
    assert.equal(gg.type, 'directed')
    assert.ok(gg.hasDirectedEdge('a', 'b'))
    assert.ok(!gg.hasDirectedEdge('b', 'a'))
    assert.deepEqual(sorted(gg.inNeighbors('d')), ['b', 'c'])
    assert.equal(g.graph, gg, 'built once')
  })

  it('rejects cycles in hand-built definitions', () => {
    const a = mk('a', ['b'])
    const b = mk('b', ['a'])
    const defs: Definitions = {
      __strataDefinitions: true,
      assets: [a, b],
      byKey: new Map([
        ['a', a],
        ['b', b],
      ]),
      pools: {},
      resources: {},
    }
    assert.throws(() => AssetGraph.fromDefinitions(defs), isStrata('STRATA_CYCLE'))
  })

  it('rejects edges to undeclared assets in hand-built definitions', () => {
    const a = mk('a', ['ghost'])
    const defs: Definitions = { __strataDefinitions: true, assets: [a], byKey: new Map([['a', a]]), pools: {}, resources: {} }
    assert.throws(() => AssetGraph.fromDefinitions(defs), isStrata('STRATA_UNKNOWN_DEP'))
  })

  it('handles empty definitions', () => {
    const g = AssetGraph.fromDefinitions(defineDefinitions({ assets: [] }))
    assert.deepEqual(g.keys(), [])
    assert.deepEqual(g.topologicalOrder(), [])
    assert.deepEqual(g.topologicalOrder([]), [])
  })
})

describe('AssetGraph closures', () => {
  it('upstream closure excludes the start key', () => {
    const g = diamond()
    assert.deepEqual(sorted(g.upstreamClosure(['d'])), ['a', 'b', 'c'])
    assert.deepEqual(sorted(g.upstreamClosure('e')), ['a', 'b', 'c', 'd'])
    assert.deepEqual(g.upstreamClosure(['a']), [])
  })

  it('downstream closure excludes the start key', () => {
    const g = diamond()
    assert.deepEqual(sorted(g.downstreamClosure(['a'])), ['b', 'c', 'd', 'e'])
    assert.deepEqual(g.downstreamClosure(['e']), [])
    assert.deepEqual(g.downstreamClosure(['y']), ['z'])
  })

  it('reports each key once in a diamond, nearest first', () => {
    const g = diamond()
    assert.deepEqual(g.upstreamClosure(['e']), ['d', 'b', 'c', 'a'])
    assert.deepEqual(g.downstreamClosure(['a']), ['b', 'c', 'd', 'e'])
  })

  it('limits depth by shortest distance', () => {
    const g = diamond()
    assert.deepEqual(g.upstreamClosure(['e'], 0), [])
    assert.deepEqual(g.upstreamClosure(['e'], 1), ['d'])
    assert.deepEqual(sorted(g.upstreamClosure(['e'], 2)), ['b', 'c', 'd'])
    assert.deepEqual(sorted(g.upstreamClosure(['e'], 3)), ['a', 'b', 'c', 'd'])
    assert.deepEqual(sorted(g.upstreamClosure(['e'], 99)), ['a', 'b', 'c', 'd'])
    assert.deepEqual(sorted(g.downstreamClosure(['a'], 1)), ['b', 'c'])
    assert.deepEqual(sorted(g.downstreamClosure(['a'], 2)), ['b', 'c', 'd'])
  })

  it('includes a start key only when reached from another start key', () => {
    const g = diamond()
    assert.deepEqual(sorted(g.upstreamClosure(['d', 'b'])), ['a', 'b', 'c'])
    assert.deepEqual(sorted(g.downstreamClosure(['a', 'd'], 1)), ['b', 'c', 'e'])
    assert.deepEqual(sorted(g.downstreamClosure(['a', 'd'], 2)), ['b', 'c', 'd', 'e'])
    assert.deepEqual(sorted(g.upstreamClosure(['e', 'z'])), ['a', 'b', 'c', 'd', 'y'])
  })

  it('rejects a negative depth', () => {
    assert.throws(() => diamond().upstreamClosure(['a'], -1), RangeError)
  })
})

describe('AssetGraph topological order', () => {
  it('keeps declaration order when it is already topological', () => {
    assert.deepEqual(diamond().topologicalOrder(), ['a', 'b', 'c', 'd', 'e', 'x', 'y', 'z'])
  })

  it('orders assets declared out of order', () => {
    const g = AssetGraph.fromDefinitions(
      defineDefinitions({ assets: [mk('e', ['d']), mk('d', ['b', 'c']), mk('z', ['y']), mk('c', ['a']), mk('b', ['a']), mk('y'), mk('a')] }),
    )
    const order = g.topologicalOrder()
    assert.equal(order.length, 7)
    assertTopological(order, g)
    // Ties go to the asset declared first.
    assert.deepEqual(order, ['y', 'z', 'a', 'c', 'b', 'd', 'e'])
  })

  it('orders a subset consistently with paths outside it', () => {
    // e is declared before a; the only path a -> e runs through b, c, d.
    const g = AssetGraph.fromDefinitions(
      defineDefinitions({ assets: [mk('e', ['d']), mk('d', ['b', 'c']), mk('c', ['a']), mk('b', ['a']), mk('a')] }),
    )
    assert.deepEqual(g.topologicalOrder(['e', 'a']), ['a', 'e'])
    assert.deepEqual(g.topologicalOrder(new Set(['e', 'b', 'a'])), ['a', 'b', 'e'])
  })

  it('drops duplicates in a subset', () => {
    assert.deepEqual(diamond().topologicalOrder(['d', 'a', 'd', 'a']), ['a', 'd'])
  })

  it('uses the filter path for large subsets too', () => {
    const g = diamond()
    const all = g.topologicalOrder()
    assert.deepEqual(g.topologicalOrder([...all].reverse()), all)
    assert.deepEqual(g.topologicalOrder(['z', 'e', 'd', 'c', 'b', 'a']), ['a', 'b', 'c', 'd', 'e', 'z'])
  })

  it('returns copies that callers may mutate', () => {
    const g = diamond()
    const order = g.topologicalOrder()
    order.reverse()
    assert.deepEqual(g.topologicalOrder(), ['a', 'b', 'c', 'd', 'e', 'x', 'y', 'z'])
    const keys = g.keys()
    keys.pop()
    assert.equal(g.keys().length, 8)
  })
})

describe('AssetGraph at scale', () => {
  it('handles a 10,000-asset layered graph', () => {
    const defs = layeredDefinitions(1000, 10)
    const g = AssetGraph.fromDefinitions(defs)
    assert.equal(g.size, 10_000)
    const order = g.topologicalOrder()
    assert.equal(order.length, 10_000)
    assertEdgesForward(order, g)
    // From one node, layer l-k upstream holds min(10, k+1) nodes: 2+3+...+10 then 10 per layer.
    const expected = 54 + 990 * 10
    assert.equal(g.upstreamClosure(['l999/n0']).length, expected)
    assert.equal(g.downstreamClosure(['l0/n0']).length, expected)
    assert.equal(g.upstreamClosure(['l999/n0'], 3).length, 2 + 3 + 4)
    assert.equal(g.downstreamClosure(['l500/n5'], 2).length, 2 + 3)
    assert.equal(g.upstreamClosure(['l0/n3']).length, 0)
    // Two starts five apart: 4, 6, 8 nodes in the next three layers up, then whole layers.
    assert.equal(g.upstreamClosure(['l999/n0', 'l999/n5']).length, 4 + 6 + 8 + 996 * 10)
    assert.equal(g.topologicalOrder(g.upstreamClosure(['l10/n0'])).length, 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 10)
  })

  it('handles a 20,000-long chain without overflowing the stack', () => {
    const n = 20_000
    const g = AssetGraph.fromDefinitions(chainDefinitions(n))
    const order = g.topologicalOrder()
    assert.equal(order.length, n)
    assert.equal(order[0], 'c0')
    assert.equal(order[n - 1], `c${n - 1}`)
    assert.equal(g.upstreamClosure([`c${n - 1}`]).length, n - 1)
    assert.equal(g.downstreamClosure(['c0']).length, n - 1)
    assert.deepEqual(g.upstreamClosure([`c${n - 1}`], 2), [`c${n - 2}`, `c${n - 3}`])
  })

  it('sorts a 20,000-long chain declared in reverse', () => {
    const n = 20_000
    const g = AssetGraph.fromDefinitions(chainDefinitions(n, true))
    assert.equal(g.keys()[0], `c${n - 1}`)
    const order = g.topologicalOrder()
    for (let i = 0; i < n; i++) assert.equal(order[i], `c${i}`)
    assert.deepEqual(g.topologicalOrder([`c${n - 1}`, 'c0', 'c5']), ['c0', 'c5', `c${n - 1}`])
  })
})
