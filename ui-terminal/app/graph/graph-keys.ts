/**
 * Keys of the graph view: arrows move along edges (← upstream, → downstream)
 * and within a column (↑/↓), Enter opens an asset's details or expands a
 * group, Space folds a group, `a` switches between the whole selection and
 * the neighbourhood, +/- change its depth, `g`/Esc go back to the list.
 */
import type { Key } from 'ink'
import type { KeyContext, UiState } from '../keys.js'
import { effectiveMode, MAX_DEPTH, moveFrom, openGraph, type Direction, type GraphState, type Scene } from './scene.js'

type Message = (level: 'info' | 'warn' | 'error', text: string) => void

/** `g`: opens the graph on the selected asset, or closes it, selecting its focus in the list when listed. */
export function toggleGraph(s: UiState, selected: string | undefined, ctx: KeyContext): UiState {
  if (s.graph) return closeGraph(s, ctx)
  // Nothing to draw before the definitions load.
  if (!ctx.graphInput?.()) return s
  // On a group header: the group's first asset.
  const focus = selected ?? ctx.visible.find((r) => r.group === s.cursorGroup)?.key ?? ctx.visible[0]?.key
  if (focus === undefined) return s
  return { ...s, graph: openGraph(focus), help: false }
}

function closeGraph(s: UiState, ctx: KeyContext, view = s.view): UiState {
  const focus = ctx.graphScene?.(s.graph!)?.focus ?? s.graph!.focus
  const listed = ctx.lines.indexOf.get(focus)
  if (listed === undefined) return { ...s, graph: undefined, view }
  const folded = new Set(s.folded)
  folded.delete(ctx.visible[listed]!.group)
  return { ...s, graph: undefined, view, selectedKey: focus, selectedIndex: listed, cursorGroup: undefined, folded }
}

const MOVES: Array<[(input: string, key: Key) => boolean, Direction]> = [
  [(_, k) => k.leftArrow, 'upstream'],
  [(_, k) => k.rightArrow, 'downstream'],
  [(i, k) => k.upArrow || i === 'k', 'above'],
  [(i, k) => k.downArrow || i === 'j', 'below'],
]

const NO_MOVE: Record<Direction, string> = { upstream: 'no upstream', downstream: 'no downstream', above: 'nothing above it in this column', below: 'nothing below it in this column' }

export function graphKey(s: UiState, input: string, key: Key, ctx: KeyContext, message: Message): UiState {
  const g = s.graph!
  const scene = ctx.graphScene?.(g)
  if (input === 'g' || key.escape) return closeGraph(s, ctx)
  if (!scene) return s
  const node = scene.byId.get(scene.focus)
  const set = (next: Partial<GraphState>): UiState => ({ ...s, graph: { ...g, focus: scene.focus, ...next } })

  for (const [matches, dir] of MOVES) {
    if (!matches(input, key)) continue
    const to = moveFrom(scene, dir)
    if (to === undefined) {
      message('info', `${node?.name ?? scene.focus}: ${NO_MOVE[dir]} in the graph.`)
      return s
    }
    return set({ focus: to })
  }
  const sceneInput = ctx.graphInput?.()
  if (input === 'a') return set({ mode: sceneInput && effectiveMode(g, sceneInput) === 'all' ? 'around' : 'all' })
  if (input === '+' || input === '=' || input === '-') {
    const depth = Math.min(MAX_DEPTH, Math.max(1, scene.scoped.mode === 'around' ? scene.scoped.depth + (input === '-' ? -1 : 1) : g.depth))
    return set({ mode: 'around', depth })
  }
  if (!node) return s
  if (key.return) {
    if (node.kind === 'asset') {
      const closed = closeGraph({ ...s, graph: { ...g, focus: node.name } }, ctx, 'detail')
      // An asset outside the filter: drop the filter so the detail view shows it.
      return ctx.lines.indexOf.has(node.name) ? closed : { ...closed, filter: { text: '', editing: false, applied: '' }, selectedKey: node.name }
    }
    if (node.kind === 'group') return set({ expanded: [...g.expanded, node.name] })
    return set({ mode: 'all' })
  }
  if (input === ' ') {
    if (node.kind === 'group') return set({ expanded: [...g.expanded, node.name] })
    const group = node.kind === 'asset' ? ctx.graphInput?.()?.groupOf(node.name) : undefined
    if (group !== undefined && g.expanded.includes(group)) return set({ focus: `group:${group}`, expanded: g.expanded.filter((x) => x !== group) })
    message('info', 'Space folds a group when the graph shows groups (a: all assets).')
    return s
  }
  if ('mMbv'.includes(input) && input) message('info', 'Press g (or Esc) to go back to the list, then materialize from there.')
  return s
}
