/**
 * The asset list's cursor and folding. The cursor is on a line: an asset row
 * or a group header (Enter, Space, ← and → fold and unfold a header's group;
 * `z` folds or unfolds them all). State keeps the selected asset's key and,
 * while the cursor is on a header, that header's group, so both survive a
 * filter or a reload that moves lines around. The mouse wheel scrolls the
 * list, a click puts the cursor on the line clicked.
 */
import type { AssetRow } from './model.js'
import type { MouseEvent } from './mouse.js'
import { windowTop, type ListLines } from './windowing.js'

export interface ListNavState {
  selectedKey?: string
  selectedIndex: number
  /** Set while the cursor is on this group's header. */
  cursorGroup?: string
  /** Groups shown folded. */
  folded: ReadonlySet<string>
  listTop: number
}

export interface ListCursor {
  /** Line of the cursor, -1 when the list is empty. */
  line: number
  /** Row index of the selected asset, -1 on a group header or an empty list. */
  row: number
}

export function cursorOf(s: ListNavState, visible: readonly AssetRow[], lines: ListLines): ListCursor {
  if (visible.length === 0 || lines.lines.length === 0) return { line: -1, row: -1 }
  if (s.cursorGroup !== undefined) {
    const line = lines.groupLine.get(s.cursorGroup)
    if (line !== undefined) return { line, row: -1 }
  }
  const byKey = s.selectedKey !== undefined ? lines.indexOf.get(s.selectedKey) : undefined
  const row = byKey ?? Math.min(Math.max(0, s.selectedIndex), visible.length - 1)
  const line = lines.lineOfRow[row]!
  // An asset inside a folded group is behind its header.
  return lines.lines[line]!.kind === 'group' ? { line, row: -1 } : { line, row }
}

/** First line shown so that the cursor's line is visible (with the group header above it when scrolling up). */
export function listTopAt(s: Pick<ListNavState, 'listTop'>, lines: ListLines, line: number, height: number): number {
  if (line < 0) return 0
  return windowTop(s.listTop, line, height, lines.lines.length, lines.lines[line - 1]?.kind === 'group')
}

/** The state with the cursor on `line` (clamped), the window following it. */
export function cursorTo<S extends ListNavState>(s: S, lines: ListLines, line: number, height: number): S {
  if (lines.lines.length === 0) return s
  const at = Math.min(Math.max(0, line), lines.lines.length - 1)
  const l = lines.lines[at]!
  const next: S = l.kind === 'group' ? { ...s, cursorGroup: l.group } : { ...s, cursorGroup: undefined, selectedKey: l.row.key, selectedIndex: l.index }
  return { ...next, listTop: listTopAt(next, lines, at, height) }
}

/** Folds or unfolds one group; the cursor goes to its header (an asset in it would be hidden). */
export function setFolded<S extends ListNavState>(s: S, group: string, fold: boolean): S {
  const folded = new Set(s.folded)
  if (fold) folded.add(group)
  else folded.delete(group)
  return { ...s, folded, cursorGroup: group }
}

/** `z`: folds every group when any is open, else unfolds them all. The cursor stays on (or moves to) its group's header. */
export function toggleAll<S extends ListNavState>(s: S, visible: readonly AssetRow[], cursor: ListCursor): S {
  const groups = new Set(visible.map((r) => r.group))
  const anyOpen = [...groups].some((g) => !s.folded.has(g))
  const group = s.cursorGroup ?? (cursor.row >= 0 ? visible[cursor.row]!.group : undefined)
  if (anyOpen) return { ...s, folded: new Set([...s.folded, ...groups]), cursorGroup: group }
  return { ...s, folded: new Set(), cursorGroup: cursor.row >= 0 ? undefined : group }
}

/** Lines the wheel scrolls per notch. */
export const WHEEL_LINES = 3

/**
 * The mouse over the list: the wheel scrolls the window (the cursor moves
 * only as far as needed to stay in it); a left click at `y` lines below the
 * list's top puts the cursor there.
 */
export function listMouse<S extends ListNavState>(s: S, ev: MouseEvent, lines: ListLines, cursor: ListCursor, height: number, y: number): S {
  const total = lines.lines.length
  if (total === 0) return s
  const top = listTopAt(s, lines, cursor.line, height)
  if (ev.kind === 'wheelUp' || ev.kind === 'wheelDown') {
    const maxTop = Math.max(0, total - height)
    const nextTop = Math.min(Math.max(0, top + (ev.kind === 'wheelDown' ? WHEEL_LINES : -WHEEL_LINES)), maxTop)
    const line = Math.min(Math.max(cursor.line, nextTop), nextTop + height - 1)
    const moved = line === cursor.line ? s : cursorTo(s, lines, line, height)
    return { ...moved, listTop: nextTop }
  }
  if (ev.kind === 'press' && ev.button === 0 && y >= 0 && top + y < total) return cursorTo({ ...s, listTop: top }, lines, top + y, height)
  return s
}

const rowsByKey = new WeakMap<readonly AssetRow[], Map<string, AssetRow>>()

/** Rows the list shows: every row, the ones a selection keeps (in group order), or a search's matches best first. */
export function visibleRows(rows: readonly AssetRow[], keys: ReadonlySet<string> | undefined, ranked: { keys: readonly string[] } | undefined): readonly AssetRow[] {
  if (ranked) {
    // Built once per snapshot of the rows, not per keystroke.
    let byKey = rowsByKey.get(rows)
    if (!byKey) rowsByKey.set(rows, (byKey = new Map(rows.map((r) => [r.key, r]))))
    const out: AssetRow[] = []
    for (const k of ranked.keys) {
      const r = byKey.get(k)
      if (r) out.push(r)
    }
    return out
  }
  return keys ? rows.filter((r) => keys.has(r.key)) : rows
}

/** Where a one-line move from `from` lands when open groups' headers are stepped over (the full detail view goes from asset to asset). */
export function stepOverOpenHeader(lines: ListLines, from: number, delta: 1 | -1): number {
  const to = from + delta
  const l = lines.lines[to]
  if (l?.kind !== 'group' || l.folded) return to
  const beyond = to + delta
  return beyond >= 0 && beyond < lines.lines.length ? beyond : from
}
