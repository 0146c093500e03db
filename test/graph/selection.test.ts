import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defineDefinitions, StrataError } from '../../assets/index.js'
import { AssetGraph, editDistance, parseSelection, resolveSelection, suggestKeys } from '../../engine/graph/index.js'
import { assertEdgesForward, assertTopological, chainDefinitions, layeredDefinitions, mk, sorted } from './helpers.js'

/**
 * src -> left -> sink -> report
 * src -> right -> sink          lone
 * Declared out of order on purpose, so results must be sorted, not filtered by declaration.
 */
function fixture() {
  const defs = defineDefinitions({
    assets: [
      mk('mart/report', ['mart/sink'], { group: 'mart' }),
      mk('lone', [], { group: 'misc', tags: { kind: 'scratch' } }),
      mk('mart/sink', ['mid/left', 'mid/right'], { group: 'mart', tags: { owner: 'ann' } }),
      mk('mid/right', ['raw/src'], { group: 'mid' }),
      mk('mid/left', ['raw/src'], { group: 'mid', tags: { owner: 'bob' } }),
      mk('raw/src', [], { group: 'raw', tags: { owner: 'ann', pii: '' } }),
    ],
  })
  return { defs, graph: AssetGraph.fromDefinitions(defs) }
}

const ALL = ['lone', 'mart/report', 'mart/sink', 'mid/left', 'mid/right', 'raw/src']

function select(text: string | string[] | undefined): string[] {
  const { defs, graph } = fixture()
  const keys = resolveSelection(text, graph, defs)
  assertTopological(keys, graph)
  return keys
}

function selectSet(text: string | string[] | undefined): string[] {
  return sorted(select(text))
}

function strataError(code: string, ...fragments: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof StrataError, `expected a StrataError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    for (const f of fragments) assert.ok(err.message.includes(f), `message should mention ${JSON.stringify(f)}: ${err.message}`)
    return true
  }
}

describe('parseSelection', () => {
  it('parses keys and every operator', () => {
    const cases: Array<[string, number, number]> = [
      ['a', 0, 0],
      ['*a', Infinity, 0],
      ['a*', 0, Infinity],
      ['+a', 1, 0],
      ['++a', 2, 0],
      ['+++a', 3, 0],
      ['a+', 0, 1],
      ['a++', 0, 2],
      ['*a*', Infinity, Infinity],
      ['*a+', Infinity, 1],
      ['+a*', 1, Infinity],
      ['++a+', 2, 1],
    ]
    for (const [text, up, down] of cases) {
      assert.deepEqual(parseSelection(text).terms, [{ kind: 'key', text, key: 'a', up, down }], text)
    }
  })

  it('accepts keys with slashes, digits, dots, dashes and underscores', () => {
    const [term] = parseSelection('*raw/orders_v2.daily-eu/9x+').terms
    assert.deepEqual(term, { kind: 'key', text: '*raw/orders_v2.daily-eu/9x+', key: 'raw/orders_v2.daily-eu/9x', up: Infinity, down: 1 })
  })

  it('parses all, group and tag terms', () => {
    assert.deepEqual(parseSelection('* group:raw tag:owner=ann tag:pii tag:empty= tag:k=v=w').terms, [
      { kind: 'all', text: '*' },
      { kind: 'group', text: 'group:raw', group: 'raw' },
      { kind: 'tag', text: 'tag:owner=ann', tagKey: 'owner', tagValue: 'ann' },
      { kind: 'tag', text: 'tag:pii', tagKey: 'pii' },
      { kind: 'tag', text: 'tag:empty=', tagKey: 'empty', tagValue: '' },
      { kind: 'tag', text: 'tag:k=v=w', tagKey: 'k', tagValue: 'v=w' },
    ])
  })

  it('splits on whitespace and commas', () => {
    const keys = parseSelection(' a,b  c,\n\t*d ,, e+ ').terms.map((t) => t.text)
    assert.deepEqual(keys, ['a', 'b', 'c', '*d', 'e+'])
  })

  it('returns no terms for empty input', () => {
    assert.deepEqual(parseSelection('').terms, [])
    assert.deepEqual(parseSelection('  , ').terms, [])
    assert.deepEqual(parseSelection(undefined).terms, [])
  })

  it('rejects malformed terms, naming the term and the valid syntax', () => {
    const bad: Array<[string, string]> = [
      ['**a', 'single *'],
      ['a**', 'single *'],
      ['a**b', 'start or end'],
      ['a*b', 'start or end'],
      ['a+b', 'start or end'],
      ['group:', 'group name is missing'],
      ['tag:', 'tag key is missing'],
      ['tag:=x', 'tag key is missing'],
      ['+', 'needs an asset key'],
      ['++', 'needs an asset key'],
      ['**', 'needs an asset key'],
      ['*+a', 'mixes * and +'],
      ['a+*', 'mixes * and +'],
      ['foo:bar', 'unknown prefix "foo:"'],
      ['*group:raw', 'asset keys only'],
      ['raw>orders', 'not ">"'],
      ['/a', 'not an asset key'],
      ['a//b', 'not an asset key'],
      ['a/', 'not an asset key'],
      ['-a', 'not an asset key'],
      ['a$', 'not an asset key'],
    ]
    for (const [term, reason] of bad) {
      assert.throws(() => parseSelection(`ok ${term}`), strataError('STRATA_INVALID_SELECTION', `"${term}"`, reason, 'Valid terms', 'group:NAME', 'tag:K=V'), term)
    }
  })

  it('rejects a non-string selection', () => {
    assert.throws(() => parseSelection(42 as unknown as string), strataError('STRATA_INVALID_SELECTION'))
  })
})

describe('resolveSelection', () => {
  it('selects a single key', () => {
    assert.deepEqual(select('mart/sink'), ['mart/sink'])
  })

  it('selects everything for *, empty text, undefined and an empty list', () => {
    for (const text of ['*', '', '  ', undefined, [], ['*'], 'lone *']) {
      assert.deepEqual(selectSet(text), ALL, JSON.stringify(text))
    }
    const { graph } = fixture()
    assert.deepEqual(select('*'), graph.topologicalOrder())
  })

  it('defaults defs to the graph definitions', () => {
    const { graph } = fixture()
    assert.deepEqual(resolveSelection('group:mid', graph), ['mid/right', 'mid/left'])
  })

  it('*key adds all upstream, key* all downstream', () => {
    assert.deepEqual(select('*mart/sink'), ['raw/src', 'mid/right', 'mid/left', 'mart/sink'])
    assert.deepEqual(select('mart/sink*'), ['mart/sink', 'mart/report'])
    assert.deepEqual(selectSet('raw/src*'), ['mart/report', 'mart/sink', 'mid/left', 'mid/right', 'raw/src'])
    assert.deepEqual(select('*raw/src'), ['raw/src'])
    assert.deepEqual(select('mart/report*'), ['mart/report'])
  })

  it('+ adds one level per plus, by shortest distance', () => {
    assert.deepEqual(selectSet('+mart/sink'), ['mart/sink', 'mid/left', 'mid/right'])
    assert.deepEqual(selectSet('++mart/sink'), ['mart/sink', 'mid/left', 'mid/right', 'raw/src'])
    assert.deepEqual(selectSet('++mart/report'), ['mart/report', 'mart/sink', 'mid/left', 'mid/right'])
    assert.deepEqual(selectSet('+++mart/report'), ['mart/report', 'mart/sink', 'mid/left', 'mid/right', 'raw/src'])
    assert.deepEqual(selectSet('raw/src+'), ['mid/left', 'mid/right', 'raw/src'])
    assert.deepEqual(selectSet('raw/src++'), ['mart/sink', 'mid/left', 'mid/right', 'raw/src'])
    assert.deepEqual(selectSet('+lone+'), ['lone'])
  })

  it('combines prefix and suffix operators', () => {
    assert.deepEqual(select('*mart/sink+'), ['raw/src', 'mid/right', 'mid/left', 'mart/sink', 'mart/report'])
    assert.deepEqual(selectSet('+mid/left*'), ['mart/report', 'mart/sink', 'mid/left', 'raw/src'])
    assert.deepEqual(selectSet('+mart/sink+'), ['mart/report', 'mart/sink', 'mid/left', 'mid/right'])
    // Both sides of key, not the downstream of its upstream: mid/right is not reached from mid/left.
    assert.deepEqual(selectSet('*mid/left*'), ['mart/report', 'mart/sink', 'mid/left', 'raw/src'])
  })

  it('selects by group', () => {
    assert.deepEqual(select('group:mid'), ['mid/right', 'mid/left'])
    assert.deepEqual(select('group:mart'), ['mart/sink', 'mart/report'])
  })

  it('selects by tag key or tag key and value', () => {
    assert.deepEqual(select('tag:owner=ann'), ['raw/src', 'mart/sink'])
    assert.deepEqual(selectSet('tag:owner'), ['mart/sink', 'mid/left', 'raw/src'])
    assert.deepEqual(select('tag:pii'), ['raw/src'])
    assert.deepEqual(select('tag:pii='), ['raw/src'])
    assert.deepEqual(select('tag:kind=scratch'), ['lone'])
  })

  it('unions overlapping terms without duplicates, in topological order', () => {
    const keys = select('mart/report, *mart/sink mid/left+ group:mid tag:owner=ann mart/sink')
    assert.deepEqual(keys, ['raw/src', 'mid/right', 'mid/left', 'mart/sink', 'mart/report'])
    assert.deepEqual(select(['mart/report lone', '+mid/left', 'mid/left']), ['lone', 'raw/src', 'mid/left', 'mart/report'])
  })

  it('orders picks respecting paths through unselected assets', () => {
    // report is declared first; raw/src reaches it only through unselected assets.
    assert.deepEqual(select('mart/report raw/src'), ['raw/src', 'mart/report'])
  })

  it('reports an unknown key with close suggestions', () => {
    const { defs, graph } = fixture()
    assert.throws(() => resolveSelection('mart/snk*', graph, defs), strataError('STRATA_UNKNOWN_ASSET', '"mart/snk"', 'Did you mean "mart/sink"'))
    // Last segment alone is enough to find the key.
    assert.throws(() => resolveSelection('sink', graph, defs), strataError('STRATA_UNKNOWN_ASSET', 'Did you mean "mart/sink"'))
    try {
      resolveSelection('+mid/lft', graph, defs)
      assert.fail('should throw')
    } catch (err) {
      assert.ok(err instanceof StrataError)
      assert.deepEqual(err.details?.suggestions, { 'mid/lft': ['mid/left'] })
    }
  })

  it('offers no suggestion when nothing is close', () => {
    const { defs, graph } = fixture()
    assert.throws(
      () => resolveSelection('zzzzzzzzzz', graph, defs),
      (err: unknown) => err instanceof StrataError && err.code === 'STRATA_UNKNOWN_ASSET' && !err.message.includes('Did you mean'),
    )
  })

  it('names every unknown key at once', () => {
    const { defs, graph } = fixture()
    assert.throws(() => resolveSelection('lone mart/snk raw/scr', graph, defs), strataError('STRATA_UNKNOWN_ASSET', '2 unknown assets', '"mart/snk"', '"raw/scr"', '"raw/src"'))
  })

  it('reports malformed terms before unknown keys', () => {
    const { defs, graph } = fixture()
    assert.throws(() => resolveSelection(['nope', '**a'], graph, defs), strataError('STRATA_INVALID_SELECTION', '"**a"'))
  })

  it('reports a group or tag that matches nothing, listing what exists', () => {
    const { defs, graph } = fixture()
    assert.throws(
      () => resolveSelection('group:stage', graph, defs),
      strataError('STRATA_INVALID_SELECTION', 'no asset has group "stage"', '(groups: mart, mid, misc, raw)'),
    )
    assert.throws(
      () => resolveSelection('tag:owner=zed', graph, defs),
      strataError('STRATA_INVALID_SELECTION', 'no asset has tag owner=zed', 'tags: kind=scratch, owner=ann, owner=bob, pii'),
    )
    assert.throws(() => resolveSelection('tag:team', graph, defs), strataError('STRATA_INVALID_SELECTION', 'no asset has tag "team"'))
  })
})

describe('resolveSelection at scale', () => {
  it('resolves closures on a 10,000-asset layered graph', () => {
    const defs = layeredDefinitions(1000, 10)
    const graph = AssetGraph.fromDefinitions(defs)
    const up = resolveSelection('*l999/n0', graph, defs)
    assert.equal(up.length, 54 + 990 * 10 + 1)
    assertEdgesForward(up, graph)
    assert.equal(up[up.length - 1], 'l999/n0')
    assert.equal(resolveSelection('l0/n0*', graph, defs).length, 54 + 990 * 10 + 1)
    assert.equal(resolveSelection('++l500/n3', graph, defs).length, 1 + 2 + 3)
    assert.equal(resolveSelection('+l500/n3++', graph, defs).length, 1 + 2 + 2 + 3)
    assert.equal(resolveSelection('*', graph, defs).length, 10_000)
    assert.equal(resolveSelection('*l999/n0 l0/n0*', graph, defs).length, 10_000)
  })

  it('resolves on a 20,000-long chain without overflowing the stack', () => {
    const n = 20_000
    const defs = chainDefinitions(n, true)
    const graph = AssetGraph.fromDefinitions(defs)
    const keys = resolveSelection(`*c${n - 1}`, graph, defs)
    assert.equal(keys.length, n)
    assert.equal(keys[0], 'c0')
    assert.equal(keys[n - 1], `c${n - 1}`)
    assert.deepEqual(resolveSelection('+c10000+', graph, defs), ['c9999', 'c10000', 'c10001'])
    assert.equal(resolveSelection('c0*', graph, defs).length, n)
  })
})

describe('suggestKeys / editDistance', () => {
  it('computes Levenshtein distance', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('abc', 'abc'), 0)
    assert.equal(editDistance('abcdef', 'x', 2), 3)
  })

  it('returns up to three closest keys, nearest first', () => {
    const keys = ['raw/customers', 'raw/orders_v2', 'raw/orders', 'raw/order', 'mart/revenue']
    assert.deepEqual(suggestKeys('raw/ordrs', keys), ['raw/orders', 'raw/order', 'raw/orders_v2'])
    assert.deepEqual(suggestKeys('orders', keys), ['raw/orders', 'raw/order'])
    assert.deepEqual(suggestKeys('qqqqqq', keys), [])
  })
})
