// The graph view's layered layout and drawing on small fixed graphs: which
// column each node lands in and in what order, and the edges read back from
// the drawn characters (test/ui/graph-trace.ts).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isDummy, layoutGraph, type LayoutEdge } from '../../ui-terminal/app/graph/layout.js'
import { drawGraph, type CanvasEdge } from '../../ui-terminal/app/graph/render.js'
import { columns, traceEdges } from './graph-trace.js'

const edges = (...pairs: string[]): CanvasEdge[] =>
  pairs.map((p) => {
    const [from, to] = p.split('>') as [string, string]
    return { from, to }
  })
const expected = (list: readonly LayoutEdge[]) => list.map((e) => `${e.from} -> ${e.to}`).sort()

function draw(nodes: string[], list: CanvasEdge[], hot?: Set<number>) {
  const layout = layoutGraph(nodes, list)
  const canvas = drawGraph(layout, list, (id) => `● ${id}`, hot)
  const lines = canvas.rows.map((runs) => runs.map((r) => r.text).join(''))
  return { layout, canvas, lines, text: lines.map((l) => l.trimEnd()).join('\n') }
}

describe('graph layout and drawing', () => {
  it('draws a diamond in three columns with its four edges', () => {
    const list = edges('a>b', 'a>c', 'b>d', 'c>d')
    const { layout, lines, text } = draw(['a', 'b', 'c', 'd'], list)
    assert.deepEqual(layout.layers, [['a'], ['b', 'c'], ['d']])
    assert.equal(layout.crossings, 0)
    assert.equal(text, ['     ┌─▶ ● b ─┐', '● a ─┤        ├─▶ ● d', '     └─▶ ● c ─┘'].join('\n'))
    assert.deepEqual(traceEdges(lines, ['a', 'b', 'c', 'd']), expected(list))
  })

  it('draws a fan-in of 10 as one bus into the target, centred on its inputs', () => {
    const sources = Array.from({ length: 10 }, (_, i) => `s${i}`)
    const list = sources.map((s) => ({ from: s, to: 't' }))
    const { layout, lines } = draw([...sources, 't'], list)
    assert.deepEqual(columns(lines, [...sources, 't']), [sources, ['t']])
    const rows = sources.map((s) => layout.rowOf.get(s)!)
    assert.deepEqual(rows, rows.map((_, i) => 2 * i), 'inputs two rows apart, in order')
    assert.equal(layout.rowOf.get('t'), 9, 'the target at the middle of its inputs')
    assert.deepEqual(traceEdges(lines, [...sources, 't']), expected(list))
    // One bus: every input joins the same vertical line, which ends in the target's arrow.
    const bus = lines[0]!.indexOf('┐')
    assert.ok(bus > 0, lines.join('\n'))
    for (let r = 1; r < 18; r++) assert.match(lines[r]![bus]!, /[│┤├]/, `row ${r}:\n${lines.join('\n')}`)
    assert.equal(lines[18]![bus], '┘')
    assert.match(lines[9]!, /├─▶ ● t$/)
  })

  it('removes the crossings of a 3-layer graph given in a crossing order', () => {
    const list = edges('a1>b3', 'a2>b2', 'a3>b1', 'b3>c1', 'b2>c2', 'b1>c2')
    const nodes = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2']
    const { layout, lines } = draw(nodes, list)
    assert.equal(layout.crossings, 0)
    assert.deepEqual(layout.layers, [['a1', 'a2', 'a3'], ['b3', 'b2', 'b1'], ['c1', 'c2']])
    assert.deepEqual(columns(lines, nodes), [['a1', 'a2', 'a3'], ['b3', 'b2', 'b1'], ['c1', 'c2']])
    assert.deepEqual(traceEdges(lines, nodes), expected(list))
    assert.ok(!lines.some((l) => l.includes('┼')), `no line crosses another:\n${lines.join('\n')}`)
  })

  it('keeps an unavoidable crossing and counts it', () => {
    // b and c both feed d and e; in any order one pair of edges crosses.
    const list = edges('a>b', 'a>c', 'b>e', 'c>d', 'b>d', 'c>e', 'x>e')
    const { layout } = draw(['a', 'x', 'b', 'c', 'd', 'e'], list)
    assert.equal(layout.crossings, 1)
  })

  it('routes an edge that skips a column through a dummy, drawn as a straight line', () => {
    const list = edges('a>b', 'b>c', 'a>c')
    const { layout, lines } = draw(['a', 'b', 'c'], list)
    assert.deepEqual(layout.layers.map((l) => l.filter((n) => !isDummy(n))), [['a'], ['b'], ['c']])
    assert.equal(layout.layers[1]!.length, 2, 'a dummy beside b')
    assert.deepEqual(traceEdges(lines, ['a', 'b', 'c']), expected(list))
  })

  it('puts a source in the column just before its first downstream', () => {
    const { layout } = draw(['a', 'b', 'c', 'late'], edges('a>b', 'b>c', 'late>c'))
    assert.equal(layout.layerOf.get('late'), 1)
  })

  it('labels a partitioned edge on its own stretch of line', () => {
    const list: CanvasEdge[] = [
      { from: 'raw', to: 'features', label: '-7..-1 days' },
      { from: 'raw', to: 'other' },
    ]
    const { lines } = draw(['raw', 'features', 'other'], list)
    const row = lines.find((l) => l.includes('● features'))!
    assert.match(row, /─ -7\.\.-1 days ─▶ ● features/)
    assert.deepEqual(traceEdges(lines.map((l) => l.replace(' -7..-1 days ', '─'.repeat(13))), ['raw', 'features', 'other']), expected(list))
  })

  it('highlights the edges of the selected node', () => {
    const list = edges('a>b', 'a>c')
    const { canvas } = draw(['a', 'b', 'c'], list, new Set([0]))
    const hot = canvas.rows.flatMap((r, y) => r.filter((run) => run.style === 'hot').map(() => y))
    assert.ok(hot.length > 0)
    assert.ok(hot.every((y) => y <= canvas.boxes.get('a')!.y), 'only the edge to b (above) is highlighted')
  })

  it('leaves out edges that close a cycle and says which', () => {
    const { layout } = draw(['g1', 'g2'], edges('g1>g2', 'g2>g1'))
    assert.deepEqual(layout.dropped, [1])
    assert.deepEqual(layout.edges.map((e) => e.index), [0])
  })
})
