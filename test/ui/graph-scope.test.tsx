// What the graph view draws: edges with their partition mapping labels read
// from real definitions, and the scope (the neighbourhood, cut to fit; the
// whole selection, collapsed by group past the limit).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { allMapping, asset, dailyPartitions, defineDefinitions, hourlyPartitions, lastMapping, staticPartitions, timeWindowMapping, type PartitionMapping } from '../../assets/index.js'
import { AssetGraph } from '../../engine/index.js'
import { DevModel } from '../../ui-terminal/app/dev-model.js'
import { graphDataOf, type GraphData } from '../../ui-terminal/app/graph/graph-data.js'
import { scopeGraph } from '../../ui-terminal/app/graph/scope.js'

function data(edges: Array<[string, string]>, groupOf: (k: string) => string = () => 'g'): GraphData {
  const keys = [...new Set(edges.flat())]
  const up = (k: string) => edges.filter(([, to]) => to === k).map(([from]) => ({ from, to: k }))
  const down = (k: string) => edges.filter(([from]) => from === k).map(([, to]) => ({ from: k, to }))
  return { keys, upstream: up, downstream: down, groupOf }
}

describe('graph data and scope', () => {
  it('labels edges from partitioned upstreams with their mappings', () => {
    const days = dailyPartitions({ start: '2024-01-01' })
    const raw = asset({ key: 'raw', partitions: days, compute: () => 1 })
    const hours = asset({ key: 'hours', partitions: hourlyPartitions({ start: '2024-01-01-00:00' }), compute: () => 1 })
    const plain = asset({ key: 'plain', compute: () => 1 })
    const custom: PartitionMapping = { kind: 'key-range', description: 'keyRangeMapping(training: 2024-01-01..2024-01-31)', upstreamFor: () => ({ keys: [], missing: [] }), downstreamFor: () => [] }
    const features = asset({
      key: 'features',
      partitions: days,
      ins: { today: raw, history: { asset: raw, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) }, hours, plain },
      compute: () => 1,
    })
    const yesterday = asset({ key: 'yesterday', partitions: days, ins: { raw: { asset: raw, mapping: timeWindowMapping({ endOffset: -1 }) } }, compute: () => 1 })
    const summary = asset({ key: 'summary', ins: { all: { asset: features, mapping: allMapping() }, last: { asset: yesterday, mapping: lastMapping() } }, compute: () => 1 })
    const training = asset({ key: 'training', ins: { rows: { asset: features, mapping: custom } }, compute: () => 1 })
    const colours = staticPartitions(['red', 'blue'])
    const paint = asset({ key: 'paint', partitions: colours, compute: () => 1 })
    const dry = asset({ key: 'dry', partitions: colours, deps: [paint], compute: () => 1 })
    const defs = defineDefinitions({ assets: [raw, hours, plain, features, yesterday, summary, training, paint, dry] })
    const g = graphDataOf(AssetGraph.fromDefinitions(defs), defs)
    const label = (from: string, to: string) => g.upstream(to).find((e) => e.from === from)?.label
    assert.equal(label('raw', 'features'), 'same day, -7..-1 days', 'two inputs from one upstream: both mappings')
    assert.equal(label('hours', 'features'), 'within the day')
    assert.equal(label('plain', 'features'), undefined, 'an unpartitioned upstream has no mapping')
    assert.equal(label('raw', 'yesterday'), '-1 day')
    assert.equal(label('features', 'summary'), 'all')
    assert.equal(label('yesterday', 'summary'), 'last')
    assert.equal(label('features', 'training'), 'training: 2024-01-01..2024-01-31', 'a custom mapping: what its description names')
    assert.equal(label('paint', 'dry'), 'same key', 'a deps entry: the default mapping')
    assert.deepEqual(g.downstream('raw').map((e) => e.to), ['features', 'yesterday'])
    assert.equal(g.groupOf('raw'), 'default')
  })

  it('under strata dev, the graph comes from the assets a reload reports (no definitions imported)', () => {
    const model = new DevModel({ home: '/nonexistent', title: 'definitions.ts' })
    assert.equal(model.graphData(), undefined, 'nothing before the first good reload')
    const dev = (key: string, group: string, upstream: string[]) => ({ key, group, upstream, codeVersion: 'v1', codeVersionSource: 'auto' as const, tags: {} })
    model.ingest({ type: 'reload-ok', reloadId: 1, at: 0, defsPath: 'definitions.ts', assetCount: 3, durationMs: 1, assets: [dev('a', 'raw', []), dev('b', 'work', ['a']), dev('c', 'work', ['a', 'b'])] } as never)
    const g = model.graphData()!
    assert.deepEqual(g.keys, ['a', 'b', 'c'])
    assert.deepEqual(g.upstream('c'), [{ from: 'a', to: 'c' }, { from: 'b', to: 'c' }])
    assert.deepEqual(g.downstream('a').map((e) => e.to), ['b', 'c'])
    assert.equal(g.groupOf('b'), 'work')
  })

  it('around an asset: upstream and downstream up to the depth, with the edges among them', () => {
    const d = data([['a', 'b'], ['b', 'c'], ['c', 'd'], ['x', 'c'], ['c', 'y']])
    const s = scopeGraph(d, { focus: 'c', mode: 'around', depth: 1, expanded: new Set(), groupOf: d.groupOf, max: 60 })
    assert.deepEqual(s.nodes.map((n) => n.id).sort(), ['b', 'c', 'd', 'x', 'y'])
    assert.deepEqual(s.edges.map((e) => `${e.from}>${e.to}`).sort(), ['b>c', 'c>d', 'c>y', 'x>c'])
    const two = scopeGraph(d, { focus: 'c', mode: 'around', depth: 2, expanded: new Set(), groupOf: d.groupOf, max: 60 })
    assert.ok(two.nodes.some((n) => n.id === 'a'))
    assert.equal(two.depth, 2)
  })

  it('cuts a neighbourhood too big to draw: fewer levels, or the nearest assets and a stand-in for the rest', () => {
    const edges: Array<[string, string]> = []
    for (let i = 0; i < 100; i++) edges.push([`u${i}`, 'hub'], ['hub', `d${i}`])
    edges.push(['top', 'u0'])
    const d = data(edges)
    const s = scopeGraph(d, { focus: 'hub', mode: 'around', depth: 2, expanded: new Set(), groupOf: d.groupOf, max: 20 })
    assert.equal(s.depth, 1)
    assert.ok(s.nodes.length <= 20, `${s.nodes.length} nodes`)
    const more = s.nodes.filter((n) => n.kind === 'more')
    assert.deepEqual(more.map((n) => n.name).sort(), ['91 more downstream', '92 more upstream'])
    assert.ok(s.edges.some((e) => e.from === 'more:up' && e.to === 'hub'))
    assert.ok(!s.nodes.some((n) => n.id === 'top'))
  })

  it('the whole selection: assets when it fits, else one node per group with the edges between groups', () => {
    const edges: Array<[string, string]> = [['r1', 'f1'], ['r2', 'f1'], ['f1', 'm1'], ['r1', 'm1']]
    const d = data(edges, (k) => ({ r: 'raw', f: 'features', m: 'models' })[k[0]!]!)
    const small = scopeGraph(d, { focus: 'r1', mode: 'all', depth: 2, expanded: new Set(), groupOf: d.groupOf, max: 60 })
    assert.equal(small.nodes.length, 4)
    const collapsed = scopeGraph(d, { focus: 'r1', mode: 'all', depth: 2, expanded: new Set(), groupOf: d.groupOf, max: 3 })
    assert.deepEqual(collapsed.nodes.map((n) => `${n.id}:${n.members?.length}`), ['group:raw:2', 'group:features:1', 'group:models:1'])
    assert.deepEqual(collapsed.edges.map((e) => `${e.from}>${e.to}`), ['group:raw>group:features', 'group:features>group:models', 'group:raw>group:models'])
    const open = scopeGraph(d, { focus: 'r1', mode: 'all', depth: 2, expanded: new Set(['raw']), groupOf: d.groupOf, max: 3 })
    assert.deepEqual(open.nodes.map((n) => n.id), ['r1', 'group:features', 'r2', 'group:models'])
    const selected = scopeGraph(d, { focus: 'r1', mode: 'all', depth: 2, selection: new Set(['r1', 'm1']), expanded: new Set(), groupOf: d.groupOf, max: 60 })
    assert.deepEqual(selected.edges.map((e) => `${e.from}>${e.to}`), ['r1>m1'], 'only edges within the selection')
  })
})
