/** The key help: a footer with the keys of the current view, and the full help screen (`?`). */
import { Box, Text } from 'ink'
import { clip } from './theme.js'

export type View = 'assets' | 'detail' | 'runs'

export interface FooterContext {
  view: View
  help: boolean
  editingFilter: boolean
  partitioned: boolean
  rangeActive: boolean
  filterApplied: boolean
  /** The graph view is open. */
  graph?: boolean
}

/** [key, what it does] pairs for the current view, most useful first. */
export function footerKeys(c: FooterContext): Array<[string, string]> {
  if (c.help) return [['? / Esc', 'close help'], ['q', 'quit']]
  if (c.editingFilter) return [['⏎', 'apply'], ['Esc', 'cancel'], ['e.g.', 'group:raw  *key  key*  +key  tag:k=v']]
  if (c.graph) return [['←/→', 'upstream/downstream'], ['↑/↓', 'column'], ['⏎', 'details'], ['a', 'all/around'], ['+/-', 'depth'], ['Space', 'group'], ['g/Esc', 'list'], ['?', 'help'], ['q', 'quit']]
  if (c.view === 'runs') return [['j/k', 'run'], ['←/→', 'step'], ['c', 'cancel'], ['s', 'stale'], ['r/Esc', 'assets'], ['?', 'help'], ['q', 'quit']]
  const keys: Array<[string, string]> = [['j/k', c.view === 'detail' ? 'asset' : 'move']]
  if (c.partitioned) keys.push(['←/→', 'partition'], [c.rangeActive ? 'v' : '⇧←/→ v', c.rangeActive ? 'end range' : 'range'])
  if (c.view === 'assets') keys.push(['⏎', 'details'], ['/', c.filterApplied ? 'filter (Esc clears)' : 'filter'])
  keys.push(['m', 'materialize'], ['M', '+downstream'], ['s', 'stale'])
  if (c.partitioned) keys.push(['b', 'backfill'])
  keys.push(['l', 'lineage'], ['r', 'runs'])
  if (c.view === 'detail') keys.push(['Esc', 'back'])
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
      ['/', 'filter by selection: KEY, *KEY (with upstream), KEY* (downstream), +KEY, KEY+, group:NAME, tag:K=V'],
      ['', 'typing narrows the list; Enter keeps the filter, Esc drops it'],
      ['r', 'runs and backfills: live ones with progress, then history (r or Esc: back)'],
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
  lines.push({ text: 'Assets: ● fresh  ◐ stale  ○ missing  ▶ running  ✗ failed (last attempt)' })
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
