/**
 * Keys of the log view: ↑/↓ j/k a line, PgUp/PgDn (Space) a page, g/Home the
 * start, G/End the end, where it follows new lines again; `/` searches as
 * you type (Enter keeps the search, n/N go to the next/previous matching
 * line, Esc drops it); Esc closes the view. Pure: (state, key, lines) → state.
 */
import type { Key } from 'ink'

export interface LogState {
  runId: string
  /** The step whose log is shown; undefined: the run's own log. */
  stepId?: string
  /** First line shown; undefined follows the end. */
  top?: number
  search?: { text: string; editing: boolean }
  /** Line of the current match. */
  match?: number
}

export interface LogKeyContext {
  /** The text of each screen line. */
  lines: ReadonlyArray<{ text: string }>
  /** Lines the body shows. */
  height: number
}

/** The first line shown: the end while following, else the kept position (clamped). */
export function logTop(s: Pick<LogState, 'top'>, total: number, height: number): number {
  const last = Math.max(0, total - height)
  return s.top === undefined ? last : Math.min(Math.max(0, s.top), last)
}

/** Scrolled to `top`; reaching the end follows it again. */
function scrollTo(s: LogState, top: number, ctx: LogKeyContext): LogState {
  const last = Math.max(0, ctx.lines.length - ctx.height)
  return { ...s, top: top >= last ? undefined : Math.max(0, top) }
}

/** The next line at or after `from` (or before, going back) containing `text`, wrapping around. */
export function findLine(lines: LogKeyContext['lines'], text: string, from: number, dir: 1 | -1): number | undefined {
  const q = text.toLowerCase()
  const n = lines.length
  if (!q || n === 0) return undefined
  for (let k = 0; k < n; k++) {
    const i = (((from + dir * k) % n) + n) % n
    if (lines[i]!.text.toLowerCase().includes(q)) return i
  }
  return undefined
}

/** Shows line `match` a third of the way down (or the end, when it is near it). */
function showMatch(s: LogState, match: number | undefined, ctx: LogKeyContext): LogState {
  if (match === undefined) return { ...s, match: undefined }
  return scrollTo({ ...s, match }, match - Math.floor(ctx.height / 3), ctx)
}

/** The next state, or 'close' when the view is left. */
export function logKey(s: LogState, input: string, key: Key, ctx: LogKeyContext): LogState | 'close' {
  const search = s.search
  if (search?.editing) return editSearch(s, search.text, input, key, ctx)
  const top = logTop(s, ctx.lines.length, ctx.height)
  const page = Math.max(1, ctx.height - 1)
  if (key.escape) return search ? { ...s, search: undefined, match: undefined } : 'close'
  if (key.downArrow || input === 'j') return scrollTo(s, top + 1, ctx)
  if (key.upArrow || input === 'k') return scrollTo(s, top - 1, ctx)
  if (key.pageDown || input === ' ') return scrollTo(s, top + page, ctx)
  if (key.pageUp) return scrollTo(s, top - page, ctx)
  if (key.home || input === 'g' || input === '<') return scrollTo(s, 0, ctx)
  if (key.end || input === 'G' || input === '>') return { ...s, top: undefined }
  if (input === '/') return { ...s, search: { text: '', editing: true }, match: undefined }
  if ((input === 'n' || input === 'N') && search?.text) {
    const dir = input === 'n' ? 1 : -1
    const from = s.match !== undefined ? s.match + dir : dir === 1 ? top : top + ctx.height - 1
    return showMatch(s, findLine(ctx.lines, search.text, from, dir), ctx)
  }
  return s
}

function editSearch(s: LogState, text: string, input: string, key: Key, ctx: LogKeyContext): LogState {
  if (key.escape) return { ...s, search: undefined, match: undefined }
  if (key.return) return text ? { ...s, search: { text, editing: false } } : { ...s, search: undefined }
  let next = text
  if (key.backspace || key.delete) next = text.slice(0, -1)
  else if (key.ctrl && input === 'u') next = ''
  else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab) next += input
  else return s
  // As you type: the first match from the top of the screen on.
  const from = s.match ?? logTop(s, ctx.lines.length, ctx.height)
  const state = { ...s, search: { text: next, editing: true } }
  return next ? showMatch(state, findLine(ctx.lines, next, from, 1), ctx) : { ...state, match: undefined }
}
