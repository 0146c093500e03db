/**
 * What each key does: a pure function from (state, key, what is on screen) to
 * the next state and the effects to run on the model. The App only renders
 * and executes effects, so key handling is testable without a terminal.
 */
import type { Key } from 'ink'
import { graphKey, toggleGraph } from './graph/graph-keys.js'
import type { GraphState, Scene, SceneInput } from './graph/scene.js'
import type { View } from './help.js'
import { expandedKey, type ScrollSize } from './expand-keys.js'
import { cursorOf, cursorTo, listTopAt, setFolded, stepOverOpenHeader, toggleAll } from './list-nav.js'
import { logKey, type LogKeyContext, type LogState } from './log-keys.js'
import type { AssetRow, BackfillRequest, CancelTarget, FilterResult, MaterializeRequest, StepView } from './model.js'
import { defaultStep, runIdOf, type RunEntry } from './runs-pane.js'
import { selectedRequest } from './automation-view.js'
import type { SearchResult } from './search.js'
import type { ListLines } from './windowing.js'

export interface FilterEdit {
  /** Text in the filter line (while editing: as typed). */
  text: string
  editing: boolean
  error?: string
  /** Keys the current text selects (undefined: no filter). */
  keys?: ReadonlySet<string>
  /** A text search's ranking of `keys` (undefined for a selection). */
  ranked?: SearchResult
  /** The filter in force when editing started (Esc goes back to it). */
  applied: string
  appliedKeys?: ReadonlySet<string>
  appliedRanked?: SearchResult
}

export interface UiState {
  view: View
  help: boolean
  lineage: boolean
  filter: FilterEdit
  selectedKey?: string
  selectedIndex: number
  /** Set while the list's cursor is on this group's header (list-nav.ts). */
  cursorGroup?: string
  folded: ReadonlySet<string>
  listTop: number
  /** The detail pane expanded into every check result and metadata entry of `key`, from line `top`. */
  expanded?: { key: string; top: number }
  /** The log view, opened from the runs view. */
  log?: LogState
  /** Partition cursor of one asset; another asset starts at its last partition. */
  part?: { key: string; cursor: number; anchor?: number; anchorBy?: 'shift' | 'v' }
  /** Selected run/backfill entry id; undefined follows the newest. */
  runId?: string
  runIndex: number
  /** Picked step; undefined follows the running one. */
  stepId?: string
  quitArmed: boolean
  /** The graph view, when open (over the assets or detail view). */
  graph?: GraphState
  /** Selected run request of the automation view; undefined follows the newest. */
  requestId?: number
}

export const initialState: UiState = {
  view: 'assets',
  help: false,
  lineage: false,
  filter: { text: '', editing: false, applied: '' },
  selectedIndex: 0,
  folded: new Set(),
  listTop: 0,
  runIndex: 0,
  quitArmed: false,
}

export type Effect =
  | { type: 'materialize'; req: MaterializeRequest }
  | { type: 'stale' }
  | { type: 'backfill'; req: BackfillRequest }
  | { type: 'cancel'; target: CancelTarget }
  | { type: 'reload' }
  | { type: 'quit' }
  | { type: 'message'; level: 'info' | 'warn' | 'error'; text: string }

export interface KeyContext {
  /** Rows after the filter, in display order. */
  visible: readonly AssetRow[]
  lines: ListLines
  listHeight: number
  /** Partition keys of an asset, when partitioned. */
  partitionKeysOf(key: string): readonly string[] | undefined
  entries: readonly RunEntry[]
  /** Steps of the run shown for an entry. */
  stepsOf(entry: RunEntry): readonly StepView[]
  ownActive: number
  filter(text: string): FilterResult
  /** What the graph view draws for a state (undefined before definitions load). */
  graphScene?(g: GraphState): Scene | undefined
  graphInput?(): SceneInput | undefined
  /** Lines of the expanded detail pane and how many show. */
  expandedSize?: ScrollSize
  /** The log view's screen lines and height. */
  log?: LogKeyContext
  /** Whether there is an automation view (the model has one). */
  automation?: boolean
  /** Run requests listed in the automation view, newest first. */
  requests?: readonly AutomationRequestRef[]
}

/** What the automation view's keys need of a run request. */
export interface AutomationRequestRef {
  requestId: number
  runId: string
  /** QUEUED (its run has not started), LAUNCHED or DONE. */
  status: string
}

// --- what is selected, derived from state and what is shown ---------------------

/** The selected asset's row, -1 when none is (an empty list, or the cursor on a group header). */
export function selectedRow(s: UiState, ctx: Pick<KeyContext, 'visible' | 'lines'>): number {
  return cursorOf(s, ctx.visible, ctx.lines).row
}

/** First line of the list shown, keeping the cursor's `line` in view. */
export function listTopFor(s: UiState, lines: ListLines, line: number, height: number): number {
  return listTopAt(s, lines, line, height)
}

export function partitionSelection(s: UiState, key: string | undefined, count: number): { cursor: number; anchor?: number } {
  if (count === 0) return { cursor: 0 }
  if (!s.part || s.part.key !== key) return { cursor: count - 1 }
  const clamp = (i: number) => Math.min(Math.max(0, i), count - 1)
  return { cursor: clamp(s.part.cursor), anchor: s.part.anchor === undefined ? undefined : clamp(s.part.anchor) }
}

export function selectedEntry(s: UiState, entries: readonly RunEntry[]): number {
  if (entries.length === 0) return -1
  const byId = s.runId !== undefined ? entries.findIndex((e) => e.id === s.runId) : -1
  return byId >= 0 ? byId : s.runId === undefined ? 0 : Math.min(s.runIndex, entries.length - 1)
}

export function selectedStep(s: UiState, steps: readonly StepView[]): number {
  const picked = s.stepId !== undefined ? steps.findIndex((st) => st.id === s.stepId) : -1
  return picked >= 0 ? picked : defaultStep(steps)
}

// --- keys -----------------------------------------------------------------------

export function handleKey(s: UiState, input: string, key: Key, ctx: KeyContext): { state: UiState; effects: Effect[] } {
  const effects: Effect[] = []
  const out = (state: UiState) => ({ state, effects })
  const message = (level: 'info' | 'warn' | 'error', text: string) => effects.push({ type: 'message', level, text })

  if (s.filter.editing) return out(editFilter(s, input, key, ctx))
  if (s.log?.search?.editing) return out(inLog(s, s.log, input, key, ctx))

  const quit = input === 'q' || (key.ctrl && input === 'c')
  if (quit) {
    if (ctx.ownActive > 0 && !s.quitArmed) {
      message('warn', `${ctx.ownActive} run(s) started here are still going: press q again to cancel them and quit.`)
      return out({ ...s, quitArmed: true })
    }
    effects.push({ type: 'quit' })
    return out(s)
  }
  s = s.quitArmed ? { ...s, quitArmed: false } : s

  if (s.help) return out(input === '?' || key.escape ? { ...s, help: false } : s)
  if (input === '?') return out({ ...s, help: true })
  if (s.log) return out(inLog(s, s.log, input, key, ctx))
  if (input === '/') return out({ ...s, filter: { ...s.filter, editing: true, text: s.filter.applied, error: undefined } })
  if (input === 'l') return out({ ...s, lineage: !s.lineage })
  if (input === 'r') return out({ ...s, view: s.view === 'runs' ? 'assets' : 'runs' })
  if (input === 's') {
    effects.push({ type: 'stale' })
    return out({ ...s, runId: undefined, stepId: undefined })
  }
  if (input === 'R') {
    effects.push({ type: 'reload' })
    return out(s)
  }

  // In the graph, a switches between the whole selection and the neighbourhood.
  if (input === 'a' && ctx.automation && !(s.graph && s.view !== 'runs' && s.view !== 'automation')) return out({ ...s, view: s.view === 'automation' ? 'assets' : 'automation' })
  if (s.view === 'runs') return out(runsKey(s, input, key, ctx, message, effects))
  if (s.view === 'automation') return out(automationKey(s, input, key, ctx, message))

  const cursor = cursorOf(s, ctx.visible, ctx.lines)
  const selected = cursor.row
  const row = selected >= 0 ? ctx.visible[selected] : undefined
  if (input === 'g') return out(toggleGraph(s, row?.key, ctx))
  if (s.graph) return out(graphKey(s, input, key, ctx, message))
  if (s.expanded && row?.key === s.expanded.key) {
    const top = expandedKey(s.expanded.top, input, key, ctx.expandedSize ?? { total: 0, height: 1 })
    if (top !== undefined) return out({ ...s, expanded: top === 'close' ? undefined : { key: row.key, top } })
  }
  if (input === 'e') return out(row ? { ...s, expanded: { key: row.key, top: 0 } } : s)
  const move = (line: number): UiState => cursorTo(s, ctx.lines, line, ctx.listHeight)
  const step = (delta: 1 | -1) => move(s.view === 'detail' ? stepOverOpenHeader(ctx.lines, cursor.line, delta) : cursor.line + delta)
  if (key.downArrow || input === 'j') return out(step(1))
  if (key.upArrow || input === 'k') return out(step(-1))
  if (key.pageDown) return out(move(cursor.line + Math.max(1, ctx.listHeight - 1)))
  if (key.pageUp) return out(move(cursor.line - Math.max(1, ctx.listHeight - 1)))
  if (input === '<') return out(move(0))
  if (input === 'G' || input === '>') return out(move(ctx.lines.lines.length - 1))
  if (input === 'z') {
    if (s.filter.ranked) message('info', 'Search results are not grouped: Esc clears the search, then z folds the groups.')
    return out(toggleAll(s, ctx.visible, cursor))
  }
  const header = cursor.row < 0 && cursor.line >= 0 ? ctx.lines.lines[cursor.line] : undefined
  if (header?.kind === 'group') {
    if (key.return || input === ' ') return out(setFolded(s, header.group, !header.folded))
    if (key.leftArrow || key.rightArrow) return out(setFolded(s, header.group, key.leftArrow))
  }
  if (key.return) return out(row ? { ...s, view: 'detail' } : s)
  if (key.escape) {
    if (s.part?.anchor !== undefined) return out({ ...s, part: { ...s.part, anchor: undefined, anchorBy: undefined } })
    if (s.view === 'detail') return out({ ...s, view: 'assets' })
    if (s.filter.applied) return out({ ...s, filter: { text: '', editing: false, applied: '' } })
    return out(s)
  }
  if (input === 'c') {
    message('info', 'c cancels a run: press r for the runs view, pick the run, then c.')
    return out(s)
  }
  if (!row) {
    if ('mMb'.includes(input) && input) message('warn', 'No asset selected.')
    return out(s)
  }

  const keys = ctx.partitionKeysOf(row.key) ?? []
  const part = partitionSelection(s, row.key, keys.length)
  const range = part.anchor !== undefined ? [Math.min(part.anchor, part.cursor), Math.max(part.anchor, part.cursor)] : [part.cursor, part.cursor]

  const partitionMove = key.leftArrow || key.rightArrow || input === '[' || input === ']' || key.home || key.end
  if (partitionMove || input === 'v') {
    if (keys.length === 0) {
      if (input === 'v' || key.leftArrow || key.rightArrow) message('info', `${row.key} is not partitioned.`)
      return out(s)
    }
    if (input === 'v') {
      const anchorOn = part.anchor === undefined
      return out({ ...s, part: { key: row.key, cursor: part.cursor, anchor: anchorOn ? part.cursor : undefined, anchorBy: anchorOn ? 'v' : undefined } })
    }
    const tenth = Math.max(1, Math.round(keys.length / 10))
    const delta = key.leftArrow ? -1 : key.rightArrow ? 1 : input === '[' ? -tenth : input === ']' ? tenth : 0
    const to = key.home ? 0 : key.end ? keys.length - 1 : part.cursor + delta
    const cursor = Math.min(Math.max(0, to), keys.length - 1)
    let anchor = part.anchor
    let anchorBy = s.part?.key === row.key ? s.part.anchorBy : undefined
    if (key.shift && (key.leftArrow || key.rightArrow)) {
      if (anchor === undefined) {
        anchor = part.cursor
        anchorBy = 'shift'
      }
    } else if (anchorBy === 'shift') {
      anchor = undefined
      anchorBy = undefined
    }
    return out({ ...s, part: { key: row.key, cursor, anchor, anchorBy } })
  }

  if (input === 'm' || input === 'M') {
    const partitions = keys.length ? keys.slice(range[0], range[1]! + 1) : undefined
    effects.push({ type: 'materialize', req: { key: row.key, downstream: input === 'M', partitions } })
    return out({ ...s, runId: undefined, stepId: undefined })
  }
  if (input === 'b') {
    if (keys.length === 0) {
      message('warn', `${row.key} is not partitioned: press m to materialize it.`)
      return out(s)
    }
    effects.push({ type: 'backfill', req: { key: row.key, from: keys[range[0]!]!, to: keys[range[1]!]! } })
    return out({ ...s, runId: undefined, stepId: undefined })
  }
  return out(s)
}

function runsKey(s: UiState, input: string, key: Key, ctx: KeyContext, message: (level: 'info' | 'warn' | 'error', text: string) => void, effects: Effect[]): UiState {
  const i = selectedEntry(s, ctx.entries)
  const pick = (to: number): UiState => {
    if (ctx.entries.length === 0) return s
    const j = Math.min(Math.max(0, to), ctx.entries.length - 1)
    return { ...s, runIndex: j, runId: ctx.entries[j]!.id, stepId: undefined }
  }
  if (key.downArrow || input === 'j') return pick(i + 1)
  if (key.upArrow || input === 'k') return pick(i - 1)
  if (input === 'g' || input === '<') return pick(0)
  if (input === 'G' || input === '>') return pick(ctx.entries.length - 1)
  if (key.escape) return { ...s, view: 'assets' }
  if (key.return) {
    const entry = ctx.entries[i]
    const runId = runIdOf(entry)
    if (!entry || !runId) {
      message('info', entry ? 'This backfill has not started a run yet.' : 'No run selected.')
      return s
    }
    const steps = ctx.stepsOf(entry)
    return { ...s, log: { runId, stepId: steps[selectedStep(s, steps)]?.id } }
  }
  if (key.leftArrow || key.rightArrow) {
    const steps = ctx.entries[i] ? ctx.stepsOf(ctx.entries[i]!) : []
    if (steps.length === 0) return s
    const cur = selectedStep(s, steps)
    const j = Math.min(Math.max(0, cur + (key.leftArrow ? -1 : 1)), steps.length - 1)
    return { ...s, stepId: steps[j]!.id }
  }
  if (input === 'c') {
    const entry = ctx.entries[i]
    if (!entry) message('warn', 'No run selected.')
    else if (!entry.live) message('warn', `That ${entry.kind} already finished; nothing to cancel.`)
    else effects.push({ type: 'cancel', target: entry.kind === 'backfill' ? { kind: 'backfill', backfillId: entry.backfill.backfillId } : { kind: 'run', runId: entry.run.runId } })
    return s
  }
  if ('mMb'.includes(input) && input) message('info', 'Press r (or Esc) to go back to the assets, then materialize from there.')
  return s
}

/** The automation view: j/k pick a run request, Enter shows its run in the runs view. */
function automationKey(s: UiState, input: string, key: Key, ctx: KeyContext, message: (level: 'info' | 'warn' | 'error', text: string) => void): UiState {
  const requests = ctx.requests ?? []
  const i = selectedRequest(requests, s.requestId)
  const pick = (to: number): UiState => (requests.length === 0 ? s : { ...s, requestId: requests[Math.min(Math.max(0, to), requests.length - 1)]!.requestId })
  if (key.downArrow || input === 'j') return pick(i + 1)
  if (key.upArrow || input === 'k') return pick(i - 1)
  if (input === 'g' || input === '<') return pick(0)
  if (input === 'G' || input === '>') return pick(requests.length - 1)
  if (key.escape) return { ...s, view: 'assets' }
  if (key.return) {
    const r = requests[i]
    if (!r) {
      message('info', 'No run requested yet.')
      return s
    }
    if (r.status === 'QUEUED') {
      message('info', `Request #${r.requestId} is queued: its run ${r.runId.slice(0, 8)} starts when the daemon has a free slot.`)
      return s
    }
    const id = `run:${r.runId}`
    const j = ctx.entries.findIndex((e) => e.id === id)
    if (j < 0) {
      message('info', `Run ${r.runId.slice(0, 8)} is not among the runs listed: strata logs ${r.runId} shows it.`)
      return s
    }
    return { ...s, view: 'runs', runId: id, runIndex: j, stepId: undefined }
  }
  if ('mMb'.includes(input) && input) message('info', 'Press a (or Esc) to go back to the assets, then materialize from there.')
  return s
}

/** A key in the log view; closing it goes back to the runs view. */
function inLog(s: UiState, log: LogState, input: string, key: Key, ctx: KeyContext): UiState {
  const next = logKey(log, input, key, ctx.log ?? { lines: [], height: 1 })
  return next === 'close' ? { ...s, log: undefined } : { ...s, log: next }
}

function editFilter(s: UiState, input: string, key: Key, ctx: KeyContext): UiState {
  const f = s.filter
  if (key.escape) return { ...s, filter: { text: f.applied, editing: false, applied: f.applied, keys: f.appliedKeys, appliedKeys: f.appliedKeys, ranked: f.appliedRanked, appliedRanked: f.appliedRanked } }
  if (key.return) {
    if (f.text.trim() === '') return { ...s, filter: { text: '', editing: false, applied: '' } }
    const r = ctx.filter(f.text)
    if (!r.ok) return { ...s, filter: { ...f, error: r.error } }
    return { ...s, filter: { text: f.text, editing: false, applied: f.text, keys: r.keys, appliedKeys: r.keys, ranked: r.ranked, appliedRanked: r.ranked } }
  }
  let text = f.text
  if (key.backspace || key.delete) text = text.slice(0, -1)
  else if (key.ctrl && input === 'u') text = ''
  else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab) text += input
  else return s
  if (text.trim() === '') return { ...s, filter: { ...f, text, error: undefined, keys: undefined, ranked: undefined } }
  const r = ctx.filter(text)
  if (!r.ok) return { ...s, filter: { ...f, text, error: r.error } }
  const next = { ...s, filter: { ...f, text, error: undefined, keys: r.keys, ranked: r.ranked } }
  // A search puts the cursor on its best match as you type.
  return r.ranked ? { ...next, selectedKey: r.ranked.keys[0] ?? s.selectedKey, selectedIndex: 0, cursorGroup: undefined, listTop: 0 } : next
}
