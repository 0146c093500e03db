/**
 * Draws a layout on a character canvas: nodes as labels in columns by depth,
 * edges with box-drawing characters, left to right.
 *
 * Between two columns, the edges run on vertical "buses": a node with
 * several inputs there gets its own bus (fan-in: its inputs join it), and
 * the other edges of a source share one (fan-out). Each edge is drawn as a
 * path — along its source's row to its bus, along the bus to its target's
 * row, along that row into the target — and the paths' unions make the
 * junctions (┬ ┤ ┼ …). Buses are ordered so that few lines cross and a row's
 * outgoing line ends before that row's incoming line starts. An edge's
 * mapping label sits on a stretch of line that is that edge's alone.
 */
import { isDummy, type Layout } from './layout.js'

export interface CanvasEdge {
  from: string
  to: string
  label?: string
}

export type RunStyle = 'space' | 'edge' | 'hot' | 'label' | 'hotLabel' | 'node'

export interface Run {
  text: string
  style: RunStyle
  /** The node drawn, for `node` runs. */
  node?: string
}

export interface Canvas {
  width: number
  height: number
  /** Runs of each row, left to right, covering the whole width. */
  rows: Run[][]
  /** Where each node's label is. */
  boxes: ReadonlyMap<string, { x: number; y: number; width: number }>
}

const N = 1
const E = 2
const S = 4
const W = 8
const GLYPH: Record<number, string> = {
  [E]: '─', [W]: '─', [E | W]: '─', [N]: '│', [S]: '│', [N | S]: '│',
  [E | S]: '┌', [W | S]: '┐', [E | N]: '└', [W | N]: '┘',
  [E | W | S]: '┬', [E | W | N]: '┴', [N | S | E]: '├', [N | S | W]: '┤', [N | E | S | W]: '┼',
}
export const ARROW = '▶'

/** Label text of each node, as drawn (clipped to its column). */
export type NodeText = (id: string) => string

interface Segment {
  from: string
  to: string
  edge: number
}

/**
 * `edges` are the layout's input edges (for labels); `hot` the indices of
 * edges drawn highlighted (those of the selected node).
 */
export function drawGraph(layout: Layout, edges: readonly CanvasEdge[], text: NodeText, hot: ReadonlySet<number> = new Set()): Canvas {
  const { layers, rowOf } = layout
  const width = layers.map((l) => Math.max(1, ...l.map((n) => (isDummy(n) ? 1 : text(n).length))))
  const segments: Segment[][] = layers.map(() => [])
  for (const e of layout.edges) {
    for (let k = 1; k < e.chain.length; k++) segments[layout.layerOf.get(e.chain[k - 1]!)!]!.push({ from: e.chain[k - 1]!, to: e.chain[k]!, edge: e.index })
  }
  const lastOf = new Map(layout.edges.map((e) => [e.index, e.chain[e.chain.length - 1]!]))

  // Plan each channel: buses, their order, label placement and width.
  const plans = segments.slice(0, -1).map((segs) => planChannel(segs, rowOf, edges, lastOf))
  const x: number[] = []
  let at = 0
  layers.forEach((_, l) => {
    x.push(at)
    at += width[l]! + (l < plans.length ? plans[l]!.width : 0)
  })
  const canvasWidth = Math.max(0, at)
  const height = layout.height
  const bits = Array.from({ length: height }, () => new Uint8Array(canvasWidth))
  const heat = Array.from({ length: height }, () => new Uint8Array(canvasWidth))
  const over = new Map<number, { ch: string; style: RunStyle }>()
  const put = (row: number, col: number, ch: string, style: RunStyle) => over.set(row * canvasWidth + col, { ch, style })
  const line = (row: number, a: number, b: number, hotLine: boolean) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    for (let c = lo; c <= hi; c++) {
      bits[row]![c]! |= (c > lo ? W : 0) | (c < hi ? E : 0)
      if (hotLine) heat[row]![c] = 1
    }
  }
  const column = (col: number, a: number, b: number, hotLine: boolean) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    for (let r = lo; r <= hi; r++) {
      bits[r]![col]! |= (r > lo ? N : 0) | (r < hi ? S : 0)
      if (hotLine) heat[r]![col] = 1
    }
  }

  const boxes = new Map<string, { x: number; y: number; width: number }>()
  layers.forEach((layer, l) => {
    for (const n of layer) {
      if (isDummy(n)) continue
      boxes.set(n, { x: x[l]!, y: rowOf.get(n)!, width: text(n).length })
    }
  })

  plans.forEach((plan, l) => {
    const start = x[l]! + width[l]!
    const end = x[l + 1]!
    const colOf = (bus: number) => start + 2 + plan.outLabel + plan.slot(bus)
    for (const s of segments[l]!) {
      const hotLine = hot.has(s.edge)
      const ya = rowOf.get(s.from)!
      const yb = rowOf.get(s.to)!
      const from = isDummy(s.from) ? x[l]! : x[l]! + text(s.from).length + 1
      const to = isDummy(s.to) ? end : end - 2
      const bus = plan.busOf.get(s)!
      if (ya === yb) line(ya, from, to, hotLine)
      else {
        const c = colOf(bus)
        line(ya, from, c, hotLine)
        column(c, ya, yb, hotLine)
        line(yb, c, to, hotLine)
      }
      if (!isDummy(s.to)) put(yb, end - 2, ARROW, hotLine ? 'hot' : 'edge')
      const label = plan.labels.get(s)
      if (label) {
        const lx = label.side === 'in' ? end - 2 - plan.inLabel : start + 2
        const ly = label.side === 'in' ? yb : ya
        for (let i = 0; i < label.text.length; i++) put(ly, lx + i, label.text[i]!, hotLine ? 'hotLabel' : 'label')
      }
    }
    // Dummies: the line passes straight through their column.
    for (const n of layers[l + 1]!) if (isDummy(n)) line(rowOf.get(n)!, x[l + 1]!, x[l + 1]! + width[l + 1]!, [...hot].some((i) => n.startsWith(`\u0001${i}.`)))
  })

  const rows: Run[][] = []
  for (let r = 0; r < height; r++) {
    const runs: Run[] = []
    const push = (textPart: string, style: RunStyle, node?: string) => {
      const last = runs[runs.length - 1]
      if (last && last.style === style && !node && !last.node) last.text += textPart
      else runs.push(node ? { text: textPart, style, node } : { text: textPart, style })
    }
    const nodesHere = [...boxes].filter(([, b]) => b.y === r).sort((a, b) => a[1].x - b[1].x)
    let c = 0
    for (const [id, b] of nodesHere) {
      for (; c < b.x; c++) pushCell(r, c)
      push(text(id), 'node', id)
      c = b.x + b.width
    }
    for (; c < canvasWidth; c++) pushCell(r, c)
    rows.push(runs)

    function pushCell(row: number, col: number): void {
      const o = over.get(row * canvasWidth + col)
      if (o) return push(o.ch, o.style)
      const b = bits[row]![col]!
      if (!b) return push(' ', 'space')
      push(GLYPH[b] ?? '┼', heat[row]![col] ? 'hot' : 'edge')
    }
  }
  return { width: canvasWidth, height, rows, boxes }
}

interface ChannelPlan {
  busOf: Map<Segment, number>
  /** Horizontal offset of a bus's vertical line within the bus area. */
  slot(bus: number): number
  labels: Map<Segment, { text: string; side: 'in' | 'out' }>
  outLabel: number
  inLabel: number
  width: number
}

const MAX_LABEL = 20

function planChannel(segs: readonly Segment[], rowOf: ReadonlyMap<string, number>, edges: readonly CanvasEdge[], lastOf: ReadonlyMap<number, string>): ChannelPlan {
  // Buses: one per fan-in target, then one per source for the rest.
  const into = new Map<string, Segment[]>()
  const outOf = new Map<string, Segment[]>()
  for (const s of segs) {
    into.set(s.to, [...(into.get(s.to) ?? []), s])
    outOf.set(s.from, [...(outOf.get(s.from) ?? []), s])
  }
  const busOf = new Map<Segment, number>()
  const buses: Segment[][] = []
  for (const [to, list] of into) if (list.length > 1 && !isDummy(to)) buses.push(list)
  const bySource = new Map<string, Segment[]>()
  for (const s of segs) if (!(into.get(s.to)!.length > 1 && !isDummy(s.to))) bySource.set(s.from, [...(bySource.get(s.from) ?? []), s])
  for (const list of bySource.values()) buses.push(list)
  buses.forEach((list, i) => list.forEach((s) => busOf.set(s, i)))

  const rowsOf = (i: number) => buses[i]!.flatMap((s) => [rowOf.get(s.from)!, rowOf.get(s.to)!])
  const span = buses.map((_, i) => {
    const rs = rowsOf(i)
    return [Math.min(...rs), Math.max(...rs)] as const
  })
  const vertical = buses.map((_, i) => i).filter((i) => span[i]![0] !== span[i]![1])
  const order = orderBuses(vertical, buses, span, rowOf)
  const spacing = order.length > 8 ? 1 : 2
  const slotOf = new Map(order.map((b, k) => [b, k * spacing]))

  // Labels: on a stretch only the edge uses, just before its target or just after its source.
  const labels = new Map<Segment, { text: string; side: 'in' | 'out' }>()
  let inLabel = 0
  let outLabel = 0
  for (const s of segs) {
    const full = edges[s.edge]?.label
    if (!full || lastOf.get(s.edge) !== s.to) continue
    const text = ` ${full.length > MAX_LABEL ? `${full.slice(0, MAX_LABEL - 1)}…` : full} `
    if (into.get(s.to)!.length === 1) {
      labels.set(s, { text, side: 'in' })
      inLabel = Math.max(inLabel, text.length + 1)
    } else if (outOf.get(s.from)!.length === 1) {
      labels.set(s, { text, side: 'out' })
      outLabel = Math.max(outLabel, text.length + 1)
    }
  }
  const busWidth = order.length ? (order.length - 1) * spacing + 1 : 1
  return {
    busOf,
    slot: (bus) => slotOf.get(bus) ?? 0,
    labels,
    outLabel,
    inLabel,
    // a space and a cell of line, out labels, buses, a cell of line, in labels, arrow, space
    width: 2 + outLabel + busWidth + 1 + inLabel + 2,
  }
}

/**
 * Left-to-right order of the buses with a vertical line: a start by mean row,
 * then adjacent swaps while they lower the cost (lines crossing a bus,
 * a row's outgoing line overlapping its incoming one).
 */
function orderBuses(ids: number[], buses: Segment[][], span: ReadonlyArray<readonly [number, number]>, rowOf: ReadonlyMap<string, number>): number[] {
  const order = [...ids].sort((a, b) => span[a]![0] + span[a]![1] - (span[b]![0] + span[b]![1]) || a - b)
  if (order.length < 2) return order
  const outs = new Map<number, Set<number>>()
  const ins = new Map<number, number>()
  ids.forEach((b) => {
    for (const s of buses[b]!) {
      const ya = rowOf.get(s.from)!
      if (!outs.has(ya)) outs.set(ya, new Set())
      outs.get(ya)!.add(b)
      ins.set(rowOf.get(s.to)!, b)
    }
  })
  const cost = (o: number[]): number => {
    const pos = new Map(o.map((b, k) => [b, k]))
    let c = 0
    for (const b of o) {
      const p = pos.get(b)!
      const [lo, hi] = span[b]!
      for (let y = lo; y <= hi; y++) {
        const weight = y === lo || y === hi ? 3 : 1
        const out = outs.get(y)
        if (out && !out.has(b) && Math.max(...[...out].map((x) => pos.get(x)!)) > p) c += weight
        const inBus = ins.get(y)
        if (inBus !== undefined && inBus !== b && pos.get(inBus)! < p) c += weight
      }
    }
    for (const [y, out] of outs) {
      const inBus = ins.get(y)
      if (inBus === undefined) continue
      const reach = Math.max(...[...out].map((x) => pos.get(x)!))
      if (reach > pos.get(inBus)!) c += 5
    }
    return c
  }
  let best = cost(order)
  for (let pass = 0, improved = true; improved && pass < Math.min(order.length, 6); pass++) {
    improved = false
    for (let i = 0; i + 1 < order.length; i++) {
      ;[order[i], order[i + 1]] = [order[i + 1]!, order[i]!]
      const c = cost(order)
      if (c < best) {
        best = c
        improved = true
      } else [order[i], order[i + 1]] = [order[i + 1]!, order[i]!]
    }
  }
  return order
}
