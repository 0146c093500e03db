/** The key help: a footer with the keys of the current view, and the full help screen (`?`). */
import { Box, Text } from 'ink'
import { clip } from './theme.js'

export type View = 'assets' | 'detail' | 'runs' | 'automation'

export interface FooterContext {
  view: View
  help: boolean
  editingFilter: boolean
  partitioned: boolean
  rangeActive: boolean
  filterApplied: boolean
  /** The graph view is open. */
  graph?: boolean
  /** The log view is open; `logSearch` while its search is typed. */
  log?: boolean
  logSearch?: boolean
  /** The detail pane shows every check and metadata entry. */
  expanded?: boolean
  /** The list's cursor is on a group header. */
  onGroup?: boolean
  /** The model has an automation view (not in watch mode). */
  automation?: boolean
}

/** [key, what it does] pairs for the current view, most useful first. */
export function footerKeys(c: FooterContext): Array<[string, string]> {
  if (c.help) return [['? / Esc', 'close help'], ['q', 'quit']]
  if (c.editingFilter) return [['⏎', 'keep'], ['Esc', 'cancel'], ['text', 'searches keys, groups, descriptions, tags'], ['selection', '*key  key+  group:raw  tag:k=v']]
  if (c.logSearch) return [['⏎', 'keep'], ['Esc', 'cancel'], ['q', 'quit']]
  if (c.log) return [['j/k', 'line'], ['PgUp/PgDn', 'page'], ['g/G', 'start/end (follow)'], ['/', 'search'], ['n/N', 'next/prev'], ['Esc', 'back'], ['q', 'quit']]
  if (c.graph) return [['←/→', 'upstream/downstream'], ['↑/↓', 'column'], ['⏎', 'details'], ['a', 'all/around'], ['+/-', 'depth'], ['Space', 'group'], ['g/Esc', 'list'], ['?', 'help'], ['q', 'quit']]
  if (c.view === 'runs') return [['j/k', 'run'], ['←/→', 'step'], ['⏎', 'whole log'], ['c', 'cancel'], ['s', 'stale'], ['r/Esc', 'assets'], ...(c.automation ? [['a', 'automation'] as [string, string]] : []), ['?', 'help'], ['q', 'quit']]
  if (c.view === 'automation') return [['j/k', 'request'], ['⏎', 'its run'], ['r', 'runs'], ['a/Esc', 'assets'], ['?', 'help'], ['q', 'quit']]
  if (c.expanded) return [['j/k', 'scroll'], ['PgUp/PgDn', 'page'], ['e/Esc', 'close'], ['m', 'materialize'], ['r', 'runs'], ['?', 'help'], ['q', 'quit']]
  const keys: Array<[string, string]> = [['j/k', c.view === 'detail' ? 'asset' : 'move']]
  if (c.onGroup) keys.push(['⏎/Space', 'fold'], ['z', 'fold all'])
  if (c.partitioned) keys.push(['←/→', 'partition'], [c.rangeActive ? 'v' : '⇧←/→ v', c.rangeActive ? 'end range' : 'range'])
  if (c.view === 'assets' && !c.onGroup) keys.push(['⏎', 'details'])
  if (c.view === 'assets') keys.push(['/', c.filterApplied ? 'search (Esc clears)' : 'search'])
  if (!c.onGroup) keys.push(['e', 'checks+metadata'])
  keys.push(['m', 'materialize'], ['M', '+downstream'], ['s', 'stale'])
  if (c.partitioned) keys.push(['b', 'backfill'])
  keys.push(['l', 'lineage'], ['r', 'runs'])
  if (c.view === 'detail') keys.push(['Esc', 'back'])
  if (c.automation) keys.push(['a', 'automation'])
  keys.push(['?', 'help'], ['q', 'quit'])
  return keys
}

export function Footer({ context, width }: { context: FooterContext; width: number }) {
  let used = 0
  const shown: Array<[string, string]> = []
  for (const [k, label] of footerKeys(context)) {
    const len = k.length + 1 + label.length + 2
    if (used + len > width) break
    shown.push([k, label])
    used += len
  }
  return (
    <Text wrap="truncate">
      {shown.map(([k, label], i) => (
        <Text key={i}>
          <Text color="cyan" bold>
            {k}
          </Text>
          <Text dimColor>{` ${label}  `}</Text>
        </Text>
      ))}
    </Text>
  )
}

const SECTIONS: Array<[string, Array<[string, string]>]> = [
  [
    'Moving around',
    [
      ['↑/↓  j/k', 'move the selection (PgUp/PgDn a page, < / > or G first/last)'],
      ['Enter', 'open the detail view of the selected asset (Esc: back)'],
      ['/', 'search: keys, groups, descriptions and tags as you type, best match first (letters in order match)'],
      ['', 'selection syntax when the text is one: *KEY (with upstream), KEY* (downstream), +KEY, KEY+, group:NAME, tag:K=V'],
      ['', 'Enter keeps the search or selection, Esc drops it'],
      ['Enter/Space', 'on a group header: fold or unfold the group (← folds, → unfolds); z folds or unfolds all'],
      ['mouse', 'the wheel scrolls the list (and a log), a click selects a line; Shift+drag still selects text in most terminals'],
      ['e', 'the selected asset\'s check results and metadata in full (↑/↓ PgUp/PgDn scroll, e or Esc closes)'],
      ['r', 'runs and backfills: live ones with progress, then history (r or Esc: back)'],
      ['', 'Enter there opens the whole log of the step: PgUp/PgDn, g/G start/end (follows new lines), / search, n/N'],
      ['a', 'automation: the daemon, schedules and sensors (next tick, last result), conditions, recent ticks, requested runs'],
      ['', 'j/k pick a requested run, Enter opens it in the runs view (a or Esc: back)'],
      ['l', 'show or hide lineage (upstream and downstream) in the detail pane'],
    ],
  ],
  [
    'Graph (g opens it on the selected asset; g or Esc goes back)',
    [
      ['←/→', 'move along an edge to the nearest upstream / downstream asset'],
      ['↑/↓  j/k', 'move to the asset above / below in the same column'],
      ['a', 'the whole selection (groups collapsed past 60 assets) or the neighbourhood'],
      ['+/-', 'neighbourhood depth; Enter: details (a group: expand it); Space folds a group'],
    ],
  ],
  [
    'Partitions (partitioned assets)',
    [
      ['←/→', 'move the partition cursor ([ / ] jump a tenth, Home/End first/last)'],
      ['Shift+←/→', 'select a range: extends from where the cursor was'],
      ['v', 'start a range at the cursor, then move with ←/→ (v again or Esc ends it)'],
    ],
  ],
  [
    'Actions',
    [
      ['m', 'materialize the selected asset (partitioned: the cursor partition or the range)'],
      ['M', 'materialize it and everything downstream (KEY*)'],
      ['s', 'materialize everything missing or stale'],
      ['b', 'backfill the chosen partition range (resumable with strata backfill resume)'],
      ['c', 'in the runs view: cancel the selected run or backfill'],
      ['R', 'reload the definitions file'],
      ['q', 'quit (asks first while runs started here are going; Ctrl-C too)'],
    ],
  ],
]

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const lines: Array<{ key?: string; text: string; bold?: boolean }> = [{ text: 'Strata UI: keys', bold: true }, { text: '' }]
  for (const [title, rows] of SECTIONS) {
    lines.push({ text: title, bold: true })
    for (const [key, text] of rows) lines.push({ key, text })
    lines.push({ text: '' })
  }
  lines.push({ text: 'Assets: ● fresh  ◐ stale  ○ missing  ▶ running  ✗ failed (last attempt); a yellow !age: late for its freshness policy' })
  lines.push({ text: 'Partitions: green materialized, yellow stale, blue running, red failed, grey ░ missing' })
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height).map((l, i) =>
        l.key !== undefined ? (
          <Text key={i} wrap="truncate">
            <Text color="cyan" bold>
              {`  ${l.key}`.padEnd(14)}
            </Text>
            {clip(l.text, Math.max(0, width - 14))}
          </Text>
        ) : (
          <Text key={i} bold={l.bold} wrap="truncate">
            {l.text || ' '}
          </Text>
        ),
      )}
    </Box>
  )
}
