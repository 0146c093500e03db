/**
 * What the mouse does, given where things are on screen: over the asset list
 * the wheel scrolls and a click moves the cursor (from the runs view it also
 * gives the list the keys again); over the expanded detail pane and in the
 * log view the wheel scrolls. Everything else ignores the mouse.
 */
import type { KeyContext, UiState } from './keys.js'
import { cursorOf, listMouse, WHEEL_LINES } from './list-nav.js'
import { logTop } from './log-keys.js'
import type { MouseEvent } from './mouse.js'

export interface MouseLayout {
  /** Screen row of the main area's first line. */
  mainTop: number
  mainHeight: number
  /** Columns of the asset list, when it is drawn (0 when not). */
  listWidth: number
}

const isWheel = (ev: MouseEvent) => ev.kind === 'wheelUp' || ev.kind === 'wheelDown'

export function handleMouse(s: UiState, ev: MouseEvent, ctx: KeyContext, layout: MouseLayout): UiState {
  if (s.help || s.filter.editing || s.graph) return s
  const y = ev.y - layout.mainTop
  if (y < 0 || y >= layout.mainHeight) return s
  const step = ev.kind === 'wheelDown' ? WHEEL_LINES : -WHEEL_LINES
  if (s.log) {
    if (!isWheel(ev) || !ctx.log) return s
    const total = ctx.log.lines.length
    const top = logTop(s.log, total, ctx.log.height) + step
    return { ...s, log: { ...s.log, top: top >= Math.max(0, total - ctx.log.height) ? undefined : Math.max(0, top) } }
  }
  const inList = ev.x < layout.listWidth
  if (!inList && isWheel(ev) && s.expanded && ctx.expandedSize) {
    const last = Math.max(0, ctx.expandedSize.total - ctx.expandedSize.height)
    return { ...s, expanded: { ...s.expanded, top: Math.min(Math.max(0, s.expanded.top + step), last) } }
  }
  if (!inList) return s
  const next = listMouse(s, ev, ctx.lines, cursorOf(s, ctx.visible, ctx.lines), ctx.listHeight, y)
  return next !== s && s.view === 'runs' && ev.kind === 'press' ? { ...next, view: 'assets' } : next
}
