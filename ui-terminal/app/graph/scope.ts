/**
 * What the graph view draws: never more than a screenful of nodes.
 *
 * - `all`: every asset of the current selection (the filter), or, when there
 *   are more than `max`, one node per group (groups the user expanded show
 *   their assets), with edges between groups.
 * - `around`: the selected asset with its upstream and downstream `depth`
 *   steps away. Levels are added while they fit; when even the first does
 *   not, the nearest ones are kept and a `… N more` node stands for the rest.
 */
import type { GraphData } from './graph-data.js'

export type ScopeMode = 'all' | 'around'

export interface ScopeNode {
  id: string
  kind: 'asset' | 'group' | 'more'
  /** Asset key, or the group's name, or what a `more` node stands for. */
  name: string
  /** Member keys of a group node. */
  members?: readonly string[]
  /** How many assets a `more` node stands for. */
  count?: number
}

export interface ScopeEdge {
  from: string
  to: string
  label?: string
}

export interface Scoped {
  nodes: ScopeNode[]
  edges: ScopeEdge[]
  mode: ScopeMode
  /** Depth shown around the focus (may be less than asked, to fit). */
  depth: number
  /** Assets the scope covers, collapsed ones included. */
  assets: number
}

export interface ScopeOptions {
  focus: string
  mode: ScopeMode
  depth: number
  /** Keys of the current selection (all when undefined). */
  selection?: ReadonlySet<string>
  /** Groups drawn as their assets when groups are collapsed. */
  expanded: ReadonlySet<string>
  groupOf: (key: string) => string
  max: number
}

export const groupId = (group: string) => `group:${group}`

export function scopeGraph(data: GraphData, o: ScopeOptions): Scoped {
  return o.mode === 'all' ? scopeAll(data, o) : scopeAround(data, o)
}

function scopeAll(data: GraphData, o: ScopeOptions): Scoped {
  const keys = o.selection ? data.keys.filter((k) => o.selection!.has(k)) : data.keys
  const inScope = o.selection ?? new Set(keys)
  if (keys.length <= o.max) {
    const nodes = keys.map((k): ScopeNode => ({ id: k, kind: 'asset', name: k }))
    return { nodes, edges: inducedEdges(data, keys, inScope), mode: 'all', depth: 0, assets: keys.length }
  }
  const members = new Map<string, string[]>()
  for (const k of keys) {
    const g = o.groupOf(k)
    if (o.expanded.has(g)) continue
    const list = members.get(g)
    if (list) list.push(k)
    else members.set(g, [k])
  }
  const nodeOf = (k: string) => (o.expanded.has(o.groupOf(k)) ? k : groupId(o.groupOf(k)))
  const nodes: ScopeNode[] = []
  const seen = new Set<string>()
  for (const k of keys) {
    const id = nodeOf(k)
    if (seen.has(id)) continue
    seen.add(id)
    nodes.push(id === k ? { id, kind: 'asset', name: k } : { id, kind: 'group', name: o.groupOf(k), members: members.get(o.groupOf(k))! })
  }
  const edges: ScopeEdge[] = []
  const pairs = new Set<string>()
  for (const k of keys) {
    for (const e of data.upstream(k)) {
      if (!inScope.has(e.from)) continue
      const from = nodeOf(e.from)
      const to = nodeOf(k)
      const pair = `${from}\u0000${to}`
      if (from === to || pairs.has(pair)) continue
      pairs.add(pair)
      edges.push(from === e.from && to === k && e.label ? { from, to, label: e.label } : { from, to })
    }
  }
  return { nodes, edges, mode: 'all', depth: 0, assets: keys.length }
}

function scopeAround(data: GraphData, o: ScopeOptions): Scoped {
  const included = new Set([o.focus])
  const extra: ScopeNode[] = []
  const extraEdges: ScopeEdge[] = []
  let frontierUp = [o.focus]
  let frontierDown = [o.focus]
  let depth = 0
  for (let d = 1; d <= o.depth; d++) {
    const up = nextLevel(frontierUp, (k) => data.upstream(k).map((e) => e.from), included)
    const down = nextLevel(frontierDown, (k) => data.downstream(k).map((e) => e.to), included)
    if (up.length + down.length === 0) break
    const room = o.max - included.size
    if (up.length + down.length > room) {
      if (d === 1) {
        // Keep the nearest in graph order, half the room each side; a stand-in node for the rest.
        const upRoom = Math.max(1, Math.min(up.length, Math.floor((room - 2) / 2)))
        const downRoom = Math.max(1, Math.min(down.length, room - 2 - upRoom))
        for (const [side, level, keep] of [['up', up, upRoom], ['down', down, downRoom]] as const) {
          for (const k of level.slice(0, keep)) included.add(k)
          const rest = level.length - keep
          if (rest <= 0) continue
          const id = `more:${side}`
          extra.push({ id, kind: 'more', name: `${rest} more ${side === 'up' ? 'upstream' : 'downstream'}`, count: rest })
          extraEdges.push(side === 'up' ? { from: id, to: o.focus } : { from: o.focus, to: id })
        }
        depth = 1
      }
      break
    }
    for (const k of [...up, ...down]) included.add(k)
    frontierUp = up
    frontierDown = down
    depth = d
  }
  const keys = data.keys.filter((k) => included.has(k))
  const nodes = keys.map((k): ScopeNode => ({ id: k, kind: 'asset', name: k }))
  return { nodes: [...nodes, ...extra], edges: [...inducedEdges(data, keys, included), ...extraEdges], mode: 'around', depth, assets: keys.length }
}

function nextLevel(frontier: readonly string[], next: (k: string) => readonly string[], seen: ReadonlySet<string>): string[] {
  const out = new Set<string>()
  for (const k of frontier) for (const n of next(k)) if (!seen.has(n)) out.add(n)
  return [...out]
}

function inducedEdges(data: GraphData, keys: readonly string[], inScope: ReadonlySet<string>): ScopeEdge[] {
  const edges: ScopeEdge[] = []
  for (const k of keys) for (const e of data.upstream(k)) if (inScope.has(e.from)) edges.push(e.label ? { from: e.from, to: k, label: e.label } : { from: e.from, to: k })
  return edges
}
