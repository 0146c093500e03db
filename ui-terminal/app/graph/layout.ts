/**
 * A layered (Sugiyama) layout for drawing a DAG left to right in a terminal:
 *
 * 1. Longest-path layering: a node's column is one more than its deepest
 *    upstream; sources move right next to their first downstream, so an input
 *    used only late in the graph does not drag a long edge across it.
 * 2. Edges spanning several columns are cut by dummy nodes, one per column
 *    crossed, so every edge joins adjacent columns.
 * 3. Crossing reduction: barycentric sweeps (each column sorted by the mean
 *    position of its neighbours in the column before, then after), then
 *    adjacent swaps that remove crossings; the ordering with the fewest
 *    crossings wins.
 * 4. Rows: each node is pulled toward the mean row of its neighbours, keeping
 *    the column's order and a minimum gap, by isotonic regression (pool
 *    adjacent violators), sweeping down and up.
 *
 * Edges that would close a cycle (possible once groups are collapsed) are
 * left out and reported in `dropped`.
 */

export interface LayoutEdge {
  from: string
  to: string
}

export interface LaidEdge {
  /** Index of the edge in the input. */
  index: number
  /** `from`, the dummy nodes it passes, `to`: one element per column. */
  chain: string[]
}

export interface Layout {
  /** Node ids per column, top to bottom; dummies included. */
  layers: string[][]
  layerOf: ReadonlyMap<string, number>
  rowOf: ReadonlyMap<string, number>
  edges: LaidEdge[]
  /** Input edges not drawn because they point against the flow (a cycle). */
  dropped: number[]
  /** Rows used. */
  height: number
  crossings: number
}

const DUMMY = '\u0001'
export const isDummy = (id: string) => id.startsWith(DUMMY)

const SWEEPS = 16
const ROW_SWEEPS = 6
const GAP = 2

/** Lays out `nodes` (in the order ties keep, e.g. topological) and `edges` between them. */
export function layoutGraph(nodes: readonly string[], edges: readonly LayoutEdge[]): Layout {
  const index = new Map(nodes.map((n, i) => [n, i]))
  const { forward, dropped } = acyclic(nodes, edges, index)

  // 1. Layers.
  const preds: number[][] = nodes.map(() => [])
  const succs: number[][] = nodes.map(() => [])
  for (const i of forward) {
    const e = edges[i]!
    preds[index.get(e.to)!]!.push(index.get(e.from)!)
    succs[index.get(e.from)!]!.push(index.get(e.to)!)
  }
  const order = topological(nodes.length, preds, succs)
  const layer = new Int32Array(nodes.length)
  for (const v of order) for (const u of preds[v]!) layer[v] = Math.max(layer[v]!, layer[u]! + 1)
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k]!
    if (preds[v]!.length === 0 && succs[v]!.length > 0) layer[v] = Math.min(...succs[v]!.map((w) => layer[w]!)) - 1
  }
  const depth = nodes.length ? Math.max(...layer) + 1 : 0

  // 2. Dummies; every link joins adjacent layers.
  const layerOf = new Map<string, number>()
  nodes.forEach((n, i) => layerOf.set(n, layer[i]!))
  const up = new Map<string, string[]>(nodes.map((n) => [n, []]))
  const down = new Map<string, string[]>(nodes.map((n) => [n, []]))
  const link = (a: string, b: string) => {
    down.get(a)!.push(b)
    up.get(b)!.push(a)
  }
  const laid: LaidEdge[] = []
  for (const i of forward) {
    const e = edges[i]!
    const chain = [e.from]
    for (let l = layerOf.get(e.from)! + 1; l < layerOf.get(e.to)!; l++) {
      const d = `${DUMMY}${i}.${l}`
      layerOf.set(d, l)
      up.set(d, [])
      down.set(d, [])
      chain.push(d)
    }
    chain.push(e.to)
    for (let k = 1; k < chain.length; k++) link(chain[k - 1]!, chain[k]!)
    laid.push({ index: i, chain })
  }

  // 3. Order: first by a sweep from the left, then barycentric sweeps and swaps, keeping the best.
  let layers: string[][] = Array.from({ length: depth }, () => [])
  for (const n of nodes) layers[layerOf.get(n)!]!.push(n)
  for (const e of laid) for (const d of e.chain.slice(1, -1)) layers[layerOf.get(d)!]!.push(d)
  const pos = new Map<string, number>()
  const place = (ls: string[][]) => ls.forEach((l) => l.forEach((n, i) => pos.set(n, i)))
  place(layers)
  for (let l = 1; l < depth; l++) sortByBarycenter(layers[l]!, up, pos)
  place(layers)
  let best = layers.map((l) => [...l])
  let bestCrossings = totalCrossings(layers, down, pos)
  for (let sweep = 0, stale = 0; sweep < SWEEPS && bestCrossings > 0 && stale < 4; sweep++) {
    const downward = sweep % 2 === 0
    for (let k = 1; k < depth; k++) {
      const l = downward ? k : depth - 1 - k
      sortByBarycenter(layers[l]!, downward ? up : down, pos)
      layers[l]!.forEach((n, i) => pos.set(n, i))
    }
    transpose(layers, up, down, pos)
    const c = totalCrossings(layers, down, pos)
    if (c < bestCrossings) {
      bestCrossings = c
      best = layers.map((l) => [...l])
      stale = 0
    } else stale++
  }
  layers = best
  place(layers)

  // 4. Rows.
  const rowOf = assignRows(layers, up, down)
  let height = 0
  for (const r of rowOf.values()) height = Math.max(height, r + 1)
  return { layers, layerOf, rowOf, edges: laid, dropped, height, crossings: bestCrossings }
}

/** Edges that keep the graph acyclic (a DFS's back edges go), in input order. */
function acyclic(nodes: readonly string[], edges: readonly LayoutEdge[], index: Map<string, number>): { forward: number[]; dropped: number[] } {
  const out: number[][] = nodes.map(() => [])
  edges.forEach((e, i) => {
    const a = index.get(e.from)
    if (a !== undefined && index.has(e.to) && e.from !== e.to) out[a]!.push(i)
  })
  const state = new Uint8Array(nodes.length) // 0 new, 1 on the stack, 2 done
  const back = new Set<number>()
  for (let s = 0; s < nodes.length; s++) {
    if (state[s]) continue
    const stack: Array<[number, number]> = [[s, 0]]
    state[s] = 1
    while (stack.length) {
      const top = stack[stack.length - 1]!
      const [v, k] = top
      if (k === out[v]!.length) {
        state[v] = 2
        stack.pop()
        continue
      }
      top[1]++
      const i = out[v]![k]!
      const w = index.get(edges[i]!.to)!
      if (state[w] === 1) back.add(i)
      else if (state[w] === 0) {
        state[w] = 1
        stack.push([w, 0])
      }
    }
  }
  const forward: number[] = []
  const dropped: number[] = []
  edges.forEach((e, i) => {
    if (!index.has(e.from) || !index.has(e.to) || e.from === e.to) return
    ;(back.has(i) ? dropped : forward).push(i)
  })
  return { forward, dropped }
}

function topological(n: number, preds: number[][], succs: number[][]): number[] {
  const indeg = preds.map((p) => p.length)
  const queue: number[] = []
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i)
  for (let h = 0; h < queue.length; h++) for (const w of succs[queue[h]!]!) if (--indeg[w]! === 0) queue.push(w)
  return queue
}

/** Stable sort of a layer by the mean position of each node's neighbours; a node without any keeps its place. */
function sortByBarycenter(layer: string[], neighbours: Map<string, string[]>, pos: Map<string, number>): void {
  const key = new Map<string, number>()
  layer.forEach((n, i) => {
    const ns = neighbours.get(n)!
    key.set(n, ns.length ? ns.reduce((s, m) => s + pos.get(m)!, 0) / ns.length : i)
  })
  const at = new Map(layer.map((n, i) => [n, i]))
  layer.sort((a, b) => key.get(a)! - key.get(b)! || at.get(a)! - at.get(b)!)
}

/** Swaps adjacent nodes while that removes crossings with both neighbouring layers. */
function transpose(layers: string[][], up: Map<string, string[]>, down: Map<string, string[]>, pos: Map<string, number>): void {
  for (let pass = 0, improved = true; improved && pass < 4; pass++) {
    improved = false
    for (const layer of layers) {
      for (let i = 0; i + 1 < layer.length; i++) {
        const a = layer[i]!
        const b = layer[i + 1]!
        const now = pairCrossings(a, b, up, pos) + pairCrossings(a, b, down, pos)
        const swapped = pairCrossings(b, a, up, pos) + pairCrossings(b, a, down, pos)
        if (swapped < now) {
          layer[i] = b
          layer[i + 1] = a
          pos.set(b, i)
          pos.set(a, i + 1)
          improved = true
        }
      }
    }
  }
}

/** Crossings between edges of `a` and of `b` on one side, with `a` placed above `b`. */
function pairCrossings(a: string, b: string, neighbours: Map<string, string[]>, pos: Map<string, number>): number {
  let c = 0
  for (const x of neighbours.get(a)!) for (const y of neighbours.get(b)!) if (pos.get(x)! > pos.get(y)!) c++
  return c
}

/** Crossings between every pair of adjacent layers, counted as inversions (Fenwick tree). */
function totalCrossings(layers: string[][], down: Map<string, string[]>, pos: Map<string, number>): number {
  let total = 0
  for (let l = 0; l + 1 < layers.length; l++) {
    const ends: number[] = []
    for (const n of layers[l]!) {
      const targets = down.get(n)!.map((m) => pos.get(m)!).sort((x, y) => x - y)
      for (const t of targets) ends.push(t)
    }
    const size = layers[l + 1]!.length
    const tree = new Int32Array(size + 1)
    for (let k = 0; k < ends.length; k++) {
      // Edges seen so far ending below this one cross it.
      let above = 0
      for (let i = ends[k]! + 1; i > 0; i -= i & -i) above += tree[i]!
      total += k - above
      for (let i = ends[k]! + 1; i <= size; i += i & -i) tree[i]!++
    }
  }
  return total
}

/** Rows per node, two apart: a blank row between lines that run side by side keeps them apart. */
function assignRows(layers: string[][], up: Map<string, string[]>, down: Map<string, string[]>): Map<string, number> {
  const row = new Map<string, number>()
  for (const layer of layers) {
    let y = 0
    layer.forEach((n, i) => {
      if (i) y += GAP
      row.set(n, y)
    })
  }
  for (let sweep = 0; sweep < ROW_SWEEPS; sweep++) {
    const downward = sweep % 2 === 0
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[downward ? k : layers.length - 1 - k]!
      const want = layer.map((n) => {
        const ns = [...(downward ? up : down).get(n)!, ...(sweep >= 2 ? (downward ? down : up).get(n)! : [])]
        return ns.length ? ns.reduce((s, m) => s + row.get(m)!, 0) / ns.length : row.get(n)!
      })
      const weight = layer.map((n) => (isDummy(n) ? 2 : 1))
      const ys = isotonic(want, weight, layer.map((_, i) => (i ? GAP : 0)))
      layer.forEach((n, i) => row.set(n, ys[i]!))
    }
  }
  let min = Infinity
  for (const y of row.values()) min = Math.min(min, y)
  if (min !== 0 && Number.isFinite(min)) for (const [n, y] of row) row.set(n, y - min)
  return row
}

/**
 * Integer rows y closest (weighted least squares) to `want`, with
 * y[i] - y[i-1] >= gaps[i]: with offsets c[i] = sum of gaps, z = y - c must
 * not decrease, which pool-adjacent-violators solves exactly.
 */
function isotonic(want: number[], weight: number[], gaps: number[]): number[] {
  const offset: number[] = []
  let c = 0
  for (const g of gaps) offset.push((c += g))
  const blocks: Array<{ sum: number; w: number; n: number }> = []
  want.forEach((d, i) => {
    blocks.push({ sum: (d - offset[i]!) * weight[i]!, w: weight[i]!, n: 1 })
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!
      const a = blocks[blocks.length - 2]!
      if (a.sum / a.w <= b.sum / b.w) break
      blocks.pop()
      a.sum += b.sum
      a.w += b.w
      a.n += b.n
    }
  })
  const ys: number[] = []
  for (const b of blocks) {
    const z = Math.round(b.sum / b.w)
    for (let k = 0; k < b.n; k++) ys.push(z + offset[ys.length]!)
  }
  return ys
}
