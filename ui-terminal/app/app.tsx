/**
 * The terminal UI's top-level component: header, filter line, the asset list
 * with the detail pane (or the runs pane; or the automation view), optional dev events, status line
 * and key footer. Everything it shows comes from a `UiModel`; keys are turned
 * into state changes and model actions by `handleKey`.
 *
 * `strata ui` renders it over a workspace model; `strata dev` renders the
 * same component over a DevModel (dev-model.ts) and passes the session's
 * events, as panel lines (dev-feed.ts), as `devEvents`.
 */
import { Box, useApp, useInput, type Key } from 'ink'
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { AssetList } from './asset-list.js'
import { AutomationPane, selectedRequest } from './automation-view.js'
import { Header, StatusLine, statusLineHeight } from './chrome.js'
import { expandedLines } from './detail-extras.js'
import { DetailPane, expandedHeight } from './detail-pane.js'
import { DevEventsPanel, DEV_PANEL_LINES, type DevEvent } from './dev-events.js'
import { FilterBar, filterBarHeight } from './filter-bar.js'
import { GraphView } from './graph/graph-view.js'
import { useGraphScenes } from './graph/use-graph.js'
import { Footer, HelpScreen } from './help.js'
import { handleKey, initialState, listTopFor, partitionSelection, selectedEntry, selectedStep, type Effect, type KeyContext, type UiState } from './keys.js'
import { cursorOf, visibleRows } from './list-nav.js'
import { logDisplayLines, logOf, LogView } from './log-view.js'
import type { StatusMessage, UiModel } from './model.js'
import { parseMouse } from './mouse.js'
import { handleMouse, type MouseLayout } from './mouse-keys.js'
import { runEntries, runIdOf, RunsPane } from './runs-pane.js'
import { buildLines } from './windowing.js'

export interface AppProps {
  model: UiModel
  width: number
  height: number
  /** Events to show in a panel above the status line (watch mode). */
  devEvents?: readonly DevEvent[]
  /** Height of the dev events panel, its title included. @defaultValue DEV_PANEL_LINES */
  devPanelHeight?: number
  /** Called after `q`, once the app has unmounted its input handling. */
  onQuit?: () => void
  /** Clock for ages and ETAs; tests pin it. @defaultValue Date.now, ticking every second */
  now?: number
}

/** Width of the asset list beside a pane. */
export const listWidthFor = (width: number) => Math.max(30, Math.min(72, Math.floor(width * 0.45)))

export function App({ model, width, height, devEvents, devPanelHeight = DEV_PANEL_LINES, onQuit, now: fixedNow }: AppProps) {
  const snap = useSyncExternalStore(model.subscribe, model.getSnapshot)
  const [state, setState] = useState<UiState>(initialState)
  const stateRef = useRef(state)
  stateRef.current = state
  const [localMessage, setLocalMessage] = useState<StatusMessage>()
  const now = useClock(fixedNow)
  const { exit } = useApp()

  // A reload changes what selections resolve to.
  useEffect(() => {
    const f = stateRef.current.filter
    if (!f.applied) return
    const r = model.filter(f.applied)
    const next = r.ok ? { ...f, keys: r.keys, appliedKeys: r.keys, ranked: r.ranked, appliedRanked: r.ranked, error: undefined } : { ...f, error: r.error }
    setState((s) => ({ ...s, filter: next }))
  }, [snap.generation, model])

  const visible = useMemo(() => visibleRows(snap.rows, state.filter.keys, state.filter.ranked), [snap.rows, state.filter.keys, state.filter.ranked])
  const lines = useMemo(() => buildLines(visible, { folded: state.folded, flat: state.filter.ranked !== undefined }), [visible, state.folded, state.filter.ranked])
  const entries = useMemo(() => runEntries(snap.runs, snap.backfills), [snap.runs, snap.backfills])

  // Layout: header, filter line, main area, dev events, status line (wraps for long errors), footer.
  const message = !localMessage ? snap.message : !snap.message || localMessage.at >= snap.message.at ? localMessage : snap.message
  const filterLines = filterBarHeight(state.filter)
  const devLines = devEvents ? devPanelHeight : 0
  const mainHeight = Math.max(3, height - 1 - filterLines - devLines - statusLineHeight(message, width) - 1)
  const listWidth = listWidthFor(width)
  const paneWidth = Math.max(10, width - listWidth - 1)

  const cursor = cursorOf(state, visible, lines)
  const selected = cursor.row
  const row = selected >= 0 ? visible[selected] : undefined
  const listTop = listTopFor(state, lines, cursor.line, mainHeight)
  const header = cursor.row < 0 && cursor.line >= 0 ? lines.lines[cursor.line] : undefined
  const group = header?.kind === 'group' ? header : undefined
  const detail = row ? model.detail(row.key) : undefined
  const partitionKeys = detail?.partitions?.keys
  const part = partitionSelection(state, row?.key, partitionKeys?.length ?? 0)
  const partitionInfo = row && partitionKeys?.length ? model.partition(row.key, partitionKeys[part.cursor]!) : undefined

  const graph = useGraphScenes(model, snap.rows, state.filter.keys)
  const graphScene = state.graph && state.view !== 'runs' && state.view !== 'automation' ? graph.context.graphScene(state.graph) : undefined
  const automation = state.view === 'automation' ? model.automation?.() : undefined
  const requests = automation?.overview?.requests ?? []

  const entryIndex = selectedEntry(state, entries)
  const runId = runIdOf(entries[entryIndex])
  const runDetail = state.view === 'runs' && runId ? model.runDetail(runId) : undefined
  const steps = runDetail?.steps ?? []
  const step = selectedStep(state, steps)

  const expandedWidth = state.view === 'detail' ? width : paneWidth
  const expanded = state.expanded && detail && state.expanded.key === detail.key ? { top: state.expanded.top, lines: expandedLines(detail, expandedWidth, now) } : undefined
  const logDetail = state.log ? model.runDetail(state.log.runId) : undefined
  const logLines = state.log ? logDisplayLines(logOf(logDetail, state.log.stepId), width) : []
  const listShown = !state.help && !graphScene && !state.log && state.view !== 'detail' && state.view !== 'automation'
  const layout: MouseLayout = { mainTop: 1 + filterLines, mainHeight, listWidth: listShown ? listWidth : 0 }
  const layoutRef = useRef(layout)
  layoutRef.current = layout

  const ctx: KeyContext = {
    visible,
    lines,
    listHeight: mainHeight,
    partitionKeysOf: (key) => model.detail(key)?.partitions?.keys,
    entries,
    stepsOf: (entry) => {
      const id = runIdOf(entry)
      return (id && model.runDetail(id)?.steps) || []
    },
    ownActive: model.ownActive(),
    filter: (t) => model.filter(t),
    ...graph.context,
    expandedSize: expanded ? { total: expanded.lines.length, height: expandedHeight(mainHeight) } : undefined,
    log: state.log ? { lines: logLines, height: Math.max(1, mainHeight - 2) } : undefined,
    automation: model.automation !== undefined,
    requests,
  }
  const ctxRef = useRef(ctx)
  ctxRef.current = ctx

  useInput((input, key) => {
    const mouse = parseMouse(input)
    if (mouse) {
      stateRef.current = handleMouse(stateRef.current, mouse, ctxRef.current, layoutRef.current)
      setState(stateRef.current)
      return
    }
    // Keys typed faster than they are read arrive as one string ("jjM"): handle each.
    const chunked = input.length > 1 && !key.ctrl && !key.meta
    for (const ch of chunked ? [...input] : [input]) {
      const { state: next, effects } = handleKey(stateRef.current, ch, chunked ? plainKey(ch) : key, ctxRef.current)
      stateRef.current = next
      for (const e of effects) run(e)
    }
    setState(stateRef.current)
  })

  function run(e: Effect): void {
    switch (e.type) {
      case 'materialize':
        return model.materialize(e.req)
      case 'stale':
        return model.materializeStale()
      case 'backfill':
        return model.backfill(e.req)
      case 'cancel':
        return model.cancel(e.target)
      case 'reload':
        return model.reload()
      case 'message':
        return setLocalMessage({ level: e.level, text: e.text, at: Date.now() })
      case 'quit':
        exit()
        onQuit?.()
        return
    }
  }

  const filterView = {
    text: state.filter.text,
    editing: state.filter.editing,
    error: state.filter.error,
    matches: state.filter.keys ? visible.length : undefined,
    mode: state.filter.keys ? (state.filter.ranked ? ('search' as const) : ('selection' as const)) : undefined,
  }
  const liveRuns = entries.filter((e) => e.live).length
  const emptyText = snap.loading ? 'Loading…' : snap.rows.length === 0 ? 'No assets loaded.' : 'No assets match the filter.'

  let main
  if (state.help) main = <HelpScreen width={width} height={mainHeight} />
  else if (state.log) main = <LogView state={state.log} detail={logDetail} lines={logLines} width={width} height={mainHeight} />
  else if (state.view === 'automation') main = <AutomationPane data={automation} selected={selectedRequest(requests, state.requestId)} width={width} height={mainHeight} now={now} />
  else if (graphScene) main = <GraphView scene={graphScene} data={graph.data!} statusOf={graph.statusOf} width={width} height={mainHeight} />
  else if (state.view === 'detail')
    main = <DetailPane detail={detail} partition={{ ...part, info: partitionInfo }} lineage={state.lineage} width={width} height={mainHeight} now={now} focused expanded={expanded} group={group} />
  else
    main = (
      <Box flexDirection="row" height={mainHeight}>
        <AssetList lines={lines} selected={selected} top={listTop} width={listWidth} height={mainHeight} now={now} focused={state.view === 'assets'} emptyText={emptyText} cursorLine={group ? cursor.line : undefined} explain={state.filter.ranked?.explain} />
        <Box width={1} />
        {state.view === 'runs' ? (
          <RunsPane entries={entries} selected={entryIndex} detail={runDetail} step={step} width={paneWidth} height={mainHeight} now={now} focused />
        ) : (
          <DetailPane detail={detail} partition={{ ...part, info: partitionInfo }} lineage={state.lineage} width={paneWidth} height={mainHeight} now={now} focused={false} expanded={expanded} group={group} />
        )}
      </Box>
    )

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header title={snap.title} rows={snap.rows} liveRuns={liveRuns} loading={snap.loading} width={width} />
      <FilterBar filter={filterView} width={width} />
      {main}
      {devEvents ? <DevEventsPanel events={devEvents} width={width} height={devPanelHeight} /> : null}
      <StatusLine message={message} width={width} />
      <Footer
        width={width}
        context={{ view: state.view, help: state.help, graph: graphScene !== undefined, editingFilter: state.filter.editing, partitioned: (partitionKeys?.length ?? 0) > 0, rangeActive: part.anchor !== undefined, filterApplied: state.filter.applied !== '', log: state.log !== undefined, logSearch: state.log?.search?.editing, expanded: expanded !== undefined, onGroup: group !== undefined, automation: model.automation !== undefined }}
      />
    </Box>
  )
}

/** The Key of a plain character taken out of a chunk of input. */
function plainKey(ch: string): Key {
  return {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: ch === '\r' || ch === '\n',
    escape: false,
    ctrl: false,
    shift: /[A-Z]/.test(ch),
    tab: ch === '\t',
    backspace: ch === '\u007f' || ch === '\b',
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
  }
}

/** The current time at each render, re-rendering at least every second (or a fixed value). */
function useClock(fixed?: number): number {
  const [, setTick] = useState(0)
  useEffect(() => {
    if (fixed !== undefined) return
    const t = setInterval(() => setTick((n) => n + 1), 1000)
    return () => clearInterval(t)
  }, [fixed])
  // Read at render, not at the last tick: a step that started since then must not look like it starts in the future.
  return fixed ?? Date.now()
}
