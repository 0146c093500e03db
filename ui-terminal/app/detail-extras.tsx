/**
 * Check results and metadata in the detail pane. In the pane: a summary line
 * of the checks, the failing results first, passes counted per check (a
 * partitioned asset has one result per partition); `e` expands the pane into
 * every check result with its whole message and every metadata entry with its
 * whole value (JSON over several lines), scrolled with the keys.
 */
import { Text } from 'ink'
import type { ReactNode } from 'react'
import { escapeForTerminal } from '../cli/output.js'
import type { AssetDetail, CheckView, ChecksView } from './model.js'
import { age, clip, shortId, type Colour } from './theme.js'

export const CHECK_STYLE: Record<CheckView['status'], { glyph: string; color: Colour }> = {
  failed: { glyph: '✗', color: 'red' },
  warned: { glyph: '!', color: 'yellow' },
  passed: { glyph: '✓', color: 'green' },
}

const RANK: Record<CheckView['status'], number> = { failed: 0, warned: 1, passed: 2 }

/** Failing first (blocking failures, then warnings), newest first within each, then by name and partition. */
export function sortChecks(results: readonly CheckView[]): CheckView[] {
  return [...results].sort((a, b) => RANK[a.status] - RANK[b.status] || b.at - a.at || a.name.localeCompare(b.name) || a.partitionKey.localeCompare(b.partitionKey))
}

const esc = (s: string) => escapeForTerminal(s)
const where = (c: CheckView) => (c.partitionKey ? ` [${esc(c.partitionKey)}]` : '')

/** The checks section of the pane: a summary, then up to `limit` lines. */
export function checkLines(checks: ChecksView, width: number, now: number, limit: number): ReactNode[] {
  const out: ReactNode[] = []
  const results = checks.results
  if (!results) return [<Text dimColor>{clip(`Checks  ${checks.declared.length} declared · loading…`, width)}</Text>]
  const count = { failed: 0, warned: 0, passed: 0 }
  for (const r of results) count[r.status]++
  const parts = (['failed', 'warned', 'passed'] as const).filter((k) => count[k] > 0)
  out.push(
    <Text wrap="truncate">
      <Text bold>Checks </Text>
      {parts.length === 0 ? <Text dimColor>{clip(`${checks.declared.length} declared, no results yet`, width - 7)}</Text> : null}
      {parts.map((k) => (
        <Text key={k} color={CHECK_STYLE[k].color}>{` ${CHECK_STYLE[k].glyph} ${count[k]} ${k}`}</Text>
      ))}
    </Text>,
  )
  const body: ReactNode[] = []
  const sorted = sortChecks(results)
  for (const r of sorted) if (r.status !== 'passed') body.push(checkLine(r, width, now))
  // Passes say little one by one: one line per check.
  const passes = new Map<string, { n: number; latest: number }>()
  for (const r of sorted) {
    if (r.status !== 'passed') continue
    const p = passes.get(r.name)
    if (p) (p.n++, (p.latest = Math.max(p.latest, r.at)))
    else passes.set(r.name, { n: 1, latest: r.at })
  }
  for (const [name, p] of passes) {
    body.push(
      <Text wrap="truncate">
        <Text color="green">✓ </Text>
        {clip(esc(name), Math.max(1, width - 30))}
        <Text dimColor>{clip(`  passed${p.n > 1 ? ` on ${p.n} partitions` : ''} · ${age(p.latest, now)}`, Math.max(0, width - name.length - 2))}</Text>
      </Text>,
    )
  }
  const unrun = checks.declared.filter((n) => !results.some((r) => r.name === n))
  if (unrun.length) body.push(<Text dimColor>{clip(`no result yet: ${unrun.map(esc).join(', ')}`, width)}</Text>)
  if (body.length > limit) out.push(...body.slice(0, limit - 1), <Text dimColor>{clip(`… ${body.length - limit + 1} more: e shows every check and all metadata`, width)}</Text>)
  else out.push(...body)
  return out
}

function checkLine(r: CheckView, width: number, now: number): ReactNode {
  const st = CHECK_STYLE[r.status]
  const head = `${esc(r.name)}${where(r)}`
  return (
    <Text wrap="truncate">
      <Text color={st.color}>{st.glyph} </Text>
      {clip(head, Math.max(1, width - 12))}
      <Text dimColor>{clip(`  ${r.message ? esc(r.message.split('\n')[0]!) + ' · ' : ''}${age(r.at, now)}`, Math.max(0, width - head.length - 2))}</Text>
    </Text>
  )
}

/** One line of the expanded pane, as data: the App counts them to scroll. */
export interface PaneLine {
  text: string
  color?: Colour
  bold?: boolean
  dim?: boolean
}

/** Wraps text with line breaks to `width`, keeping indentation (JSON, stack-like messages). */
function wrapKeep(text: string, width: number, indent = ''): string[] {
  const out: string[] = []
  const room = Math.max(4, width - indent.length)
  for (const line of escapeForTerminal(text, { multiline: true }).split('\n')) {
    if (line.length <= room) out.push(indent + line)
    else for (let i = 0; i < line.length; i += room) out.push(indent + line.slice(i, i + room))
  }
  return out
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v
  try {
    return JSON.stringify(v, null, 2) ?? String(v)
  } catch {
    return String(v)
  }
}

/** Everything `e` shows: every metadata entry, whole, then every check result with its whole message. */
export function expandedLines(d: AssetDetail, width: number, now: number): PaneLine[] {
  const out: PaneLine[] = []
  const entries = Object.entries(d.metadata ?? {})
  out.push({ text: `Metadata (${entries.length})`, bold: true })
  if (d.materializedAt === undefined) out.push({ text: 'never materialized', dim: true })
  else if (!d.metadata) out.push({ text: 'loading…', dim: true })
  else if (entries.length === 0) out.push({ text: 'no metadata', dim: true })
  for (const [k, v] of entries) {
    out.push({ text: clip(esc(k), width), color: 'cyan' })
    for (const line of wrapKeep(valueText(v), width, '  ')) out.push({ text: line })
  }
  if (d.checks) {
    out.push({ text: ' ' })
    const results = d.checks.results
    out.push({ text: `Checks (${d.checks.declared.length} declared${results ? `, ${results.length} result(s)` : ''})`, bold: true })
    if (!results) out.push({ text: 'loading…', dim: true })
    for (const r of sortChecks(results ?? [])) {
      const st = CHECK_STYLE[r.status]
      out.push({ text: clip(`${st.glyph} ${esc(r.name)}${where(r)}  ${r.status} · ${age(r.at, now)} · run ${shortId(r.runId)}`, width), color: st.color })
      if (r.message) for (const line of wrapKeep(r.message, width, '  ')) out.push({ text: line, dim: r.status === 'passed' })
    }
    for (const n of d.checks.declared) if (results && !results.some((r) => r.name === n)) out.push({ text: clip(`· ${esc(n)}  no result yet`, width), dim: true })
  }
  return out
}

export function paneLine(l: PaneLine): ReactNode {
  return (
    <Text wrap="truncate" color={l.color} bold={l.bold} dimColor={l.dim}>
      {l.text || ' '}
    </Text>
  )
}
