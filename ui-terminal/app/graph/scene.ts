/**
 * The graph view's state and what is drawn for it: the scope (which nodes),
 * their layout, and moves along the drawn edges. Pure, so keys and frames
 * are computed from the same scene.
 */
import type { RowStatus } from '../model.js'
import type { GraphData } from './graph-data.js'
import { isDummy, layoutGraph, type Layout } from './layout.js'
import { groupId, scopeGraph, type ScopeMode, type ScopeNode, type Scoped } from './scope.js'

export interface GraphState {
  /** The selected node: an asset key, `group:NAME` or a `more:` stand-in. */
  focus: string
  /** undefined: `all` when the selection fits, else `around`. */
  mode?: ScopeMode
  depth: number
  /** Groups shown as their assets while groups are collapsed. */
  expanded: readonly string[]
}

/** Nodes drawn at most; more are collapsed by group or cut to the neighbourhood. */
export const MAX_NODES = 60
export const DEFAULT_DEPTH = 2
export const MAX_DEPTH = 9
/** Widest node label, glyph included. */
export const NODE_WIDTH = 40

export interface Scene {
  scoped: Scoped
  layout: Layout
  byId: ReadonlyMap<string, ScopeNode>
  /** The focus as drawn (its group's node when the group is collapsed). */
  focus: string
  text(id: string): string
}

export interface SceneInput {
  data: GraphData
  groupOf(key: string): string
  /** Keys of the filter in force; undefined for none. */
  selection?: ReadonlySet<string>
}

export function openGraph(focus: string): GraphState {
  return { focus, depth: DEFAULT_DEPTH, expanded: [] }
}

export function effectiveMode(g: GraphState, input: SceneInput): ScopeMode {
  if (g.mode) return g.mode
  const count = input.selection ? input.selection.size : input.data.keys.length
  return count <= MAX_NODES ? 'all' : 'around'
}

/** The asset a node stands for when the view needs one (around mode centres on it). */
export function assetOf(g: GraphState, input: SceneInput): string | undefined {
  if (g.focus.startsWith('group:')) {
    const group = g.focus.slice(6)
    return input.data.keys.find((k) => input.groupOf(k) === group && (!input.selection || input.selection.has(k)))
  }
  return g.focus.startsWith('more:') ? undefined : g.focus
}

/** Scenes for one input; the layout is computed once per scope (in `all` mode, moving the focus only redraws). */
export function sceneBuilder(input: SceneInput): (g: GraphState) => Scene {
  const layouts = new Map<string, Omit<Scene, 'focus'> & { last?: Scene }>()
  return (g) => {
    const mode = effectiveMode(g, input)
    const center = mode === 'around' ? (assetOf(g, input) ?? input.data.keys[0] ?? '') : ''
    const id = JSON.stringify([mode, center, g.depth, g.expanded])
    let laid = layouts.get(id)
    if (!laid) {
      if (layouts.size > 32) layouts.clear()
      layouts.set(id, (laid = layOut(g, input, mode, center)))
    }
    const focus = focusOf(g, input, laid.byId, laid.layout)
    // The same object for the same focus: the view redraws only when something changed.
    if (laid.last?.focus !== focus) laid.last = { scoped: laid.scoped, layout: laid.layout, byId: laid.byId, text: laid.text, focus }
    return laid.last
  }
}

export function buildScene(g: GraphState, input: SceneInput): Scene {
  return sceneBuilder(input)(g)
}

function layOut(g: GraphState, input: SceneInput, mode: ScopeMode, center: string): Omit<Scene, 'focus'> {
  const scoped = scopeGraph(input.data, { focus: center, mode, depth: g.depth, selection: input.selection, expanded: new Set(g.expanded), groupOf: input.groupOf, max: MAX_NODES })
  const layout = layoutGraph(
    scoped.nodes.map((n) => n.id),
    scoped.edges,
  )
  const byId = new Map(scoped.nodes.map((n) => [n.id, n]))
  return { scoped, layout, byId, text: (id) => nodeText(byId.get(id)) }
}

/** The focus as drawn: the node itself, else the asset it stands for, else that asset's group, else the first node. */
function focusOf(g: GraphState, input: SceneInput, byId: ReadonlyMap<string, ScopeNode>, layout: Layout): string {
  let focus = g.focus
  if (!byId.has(focus)) {
    const asset = assetOf(g, input)
    const group = asset === undefined ? undefined : groupId(input.groupOf(asset))
    focus = asset !== undefined && byId.has(asset) ? asset : group !== undefined && byId.has(group) ? group : (layout.layers[0]?.[0] ?? '')
  }
  return focus
}

/** A node's label as drawn: one glyph cell, a space, the name (clipped). */
function nodeText(n: ScopeNode | undefined): string {
  if (!n) return ''
  const name = n.kind === 'group' ? `[${n.name}] ${n.members!.length} assets` : n.kind === 'more' ? n.name : n.name
  const full = `${n.kind === 'more' ? '…' : '●'} ${name}`
  return full.length > NODE_WIDTH ? `${full.slice(0, NODE_WIDTH - 1)}…` : full
}

export type Direction = 'upstream' | 'downstream' | 'above' | 'below'

/**
 * The node a key moves to: along an edge to the nearest upstream or
 * downstream node (nearest column, then row, then the upper one), or to the
 * next node above or below in the same column. undefined when there is none.
 */
export function moveFrom(scene: Scene, dir: Direction): string | undefined {
  const { layout, scoped } = scene
  const from = scene.focus
  const row = layout.rowOf.get(from)
  if (row === undefined) return undefined
  if (dir === 'above' || dir === 'below') {
    const column = layout.layers[layout.layerOf.get(from)!]!.filter((n) => !isDummy(n))
    const i = column.indexOf(from) + (dir === 'above' ? -1 : 1)
    return column[i]
  }
  const column = layout.layerOf.get(from)!
  const candidates = scoped.edges.filter((e) => (dir === 'upstream' ? e.to === from : e.from === from)).map((e) => (dir === 'upstream' ? e.from : e.to))
  // Nearest column first (a long edge's far end comes after the next step), then nearest row, then the upper one.
  const distance = (c: string) => [Math.abs(layout.layerOf.get(c)! - column), Math.abs(layout.rowOf.get(c)! - row), layout.rowOf.get(c)!]
  const ranked = candidates.filter((c) => layout.rowOf.has(c)).map((c) => ({ c, d: distance(c) }))
  ranked.sort((a, b) => a.d[0]! - b.d[0]! || a.d[1]! - b.d[1]! || a.d[2]! - b.d[2]!)
  return ranked[0]?.c
}

/** Worst status first: what a collapsed group shows. */
const SEVERITY: RowStatus[] = ['FAILED', 'RUNNING', 'STALE', 'MISSING', 'FRESH']

export function groupStatus(members: readonly string[], statusOf: (key: string) => RowStatus | undefined): RowStatus {
  let worst = SEVERITY.length - 1
  for (const m of members) {
    const s = statusOf(m)
    if (s) worst = Math.min(worst, SEVERITY.indexOf(s))
    if (worst === 0) break
  }
  return SEVERITY[worst]!
}
