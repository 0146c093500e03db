/**
 * The whole log of one step (or a run's own log), opened with Enter from the
 * runs pane: every line of every message and the stack of each failed
 * attempt, wrapped to the width, scrolled by keys (log-keys.ts). While nobody
 * scrolls up it follows the end, so a running step's new lines come into view.
 */
import { Box, Text } from 'ink'
import { memo } from 'react'
import { escapeForTerminal } from '../cli/output.js'
import type { LogLine, RunDetail, StepView } from './model.js'
import { logTop, type LogState } from './log-keys.js'
import { clip, clock, fit, LOG_COLOUR, shortId, STEP_GLYPH } from './theme.js'

/** One screen line of the log. */
export interface LogDisplayLine {
  text: string
  level: LogLine['level']
  /** Set on the first line of a message (its time and level are drawn before it). */
  ts?: number
  /** A stack frame (drawn dim). */
  stack?: boolean
}

/** Time and level before a message: `12:00:00 error `. */
const PREFIX = 15

/** Cuts a line into pieces of at most `width` columns, at a space when one is near the end. */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0) return []
  if (line.length <= width) return [line]
  const indent = /^\s*/.exec(line)![0].slice(0, Math.floor(width / 2))
  const out: string[] = []
  let rest = line
  let first = true
  while (rest.length > 0) {
    const room = first ? width : width - indent.length
    if (rest.length <= room) {
      out.push(first ? rest : indent + rest)
      break
    }
    let cut = rest.lastIndexOf(' ', room)
    if (cut < room / 2) cut = room
    out.push((first ? '' : indent) + rest.slice(0, cut).trimEnd())
    rest = rest.slice(cut).trimStart()
    first = false
  }
  return out
}

function displayLinesOf(line: LogLine, width: number): LogDisplayLine[] {
  const text = (s: string) => escapeForTerminal(s.replace(/\r\n?/g, '\n').replace(/\t/g, '  '), { multiline: true })
  const room = Math.max(10, width - PREFIX)
  const out: LogDisplayLine[] = []
  for (const part of text(line.message).split('\n')) for (const piece of wrapLine(part, room)) out.push({ text: piece, level: line.level })
  if (out.length === 0) out.push({ text: '', level: line.level })
  out[0]!.ts = line.ts
  if (line.stack) for (const part of text(line.stack).split('\n')) for (const piece of wrapLine(part, room)) out.push({ text: piece, level: line.level, stack: true })
  return out
}

interface Cached {
  width: number
  count: number
  first: LogLine | undefined
  lines: LogDisplayLine[]
}

const cache = new WeakMap<readonly LogLine[], Cached>()

/**
 * Screen lines of a log at a width. A step's log grows in place while it
 * runs: lines already wrapped are kept and only the new messages wrapped.
 */
export function logDisplayLines(log: readonly LogLine[], width: number): readonly LogDisplayLine[] {
  const c = cache.get(log)
  if (c && c.width === width && c.first === log[0] && c.count <= log.length) {
    for (let i = c.count; i < log.length; i++) c.lines.push(...displayLinesOf(log[i]!, width))
    c.count = log.length
    return c.lines
  }
  const lines: LogDisplayLine[] = []
  for (const line of log) lines.push(...displayLinesOf(line, width))
  cache.set(log, { width, count: log.length, first: log[0], lines })
  return lines
}

/** The log a log view shows: the step's, or the run's own when no step is named. */
export function logOf(detail: RunDetail | undefined, stepId: string | undefined): readonly LogLine[] {
  if (!detail) return []
  return stepId === undefined ? detail.runLog : detail.logs(stepId)
}

export interface LogViewProps {
  state: LogState
  detail?: RunDetail
  lines: readonly LogDisplayLine[]
  width: number
  height: number
}

export function LogView({ state, detail, lines, width, height }: LogViewProps) {
  const step: StepView | undefined = state.stepId !== undefined ? detail?.steps.find((s) => s.id === state.stepId) : undefined
  const bodyHeight = Math.max(1, height - 2)
  const top = logTop(state, lines.length, bodyHeight)
  const shown = lines.slice(top, top + bodyHeight)
  const dropped = state.stepId !== undefined ? (detail?.droppedLines?.(state.stepId) ?? 0) : 0
  const search = state.search
  const g = step ? STEP_GLYPH[step.status] : undefined
  const where = lines.length === 0 ? 'empty' : `lines ${top + 1}–${top + shown.length} of ${lines.length}`
  const following = state.top === undefined
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        {g ? <Text color={g.color}>{g.glyph} </Text> : null}
        <Text bold>{clip(escapeForTerminal(state.stepId ?? 'Run log'), Math.max(8, width - 50))}</Text>
        <Text dimColor>{clip(`  run ${shortId(state.runId)} · ${where}${following ? ' · following' : ''}${dropped ? ` · ${dropped} earlier line(s) only in strata logs` : ''}`, Math.max(0, width - 10))}</Text>
      </Text>
      {shown.length === 0 ? <Text dimColor>{detail?.loading ? 'reading events…' : step?.status === 'PENDING' ? 'not started' : 'no log lines'}</Text> : null}
      {shown.map((line, i) => (
        <LogScreenLine key={top + i} line={line} width={width} find={search?.text} current={state.match === top + i} />
      ))}
      {shown.length < bodyHeight ? <Box flexGrow={1} /> : null}
      <SearchLine state={state} width={width} count={search?.text ? countMatches(lines, search.text) : 0} />
    </Box>
  )
}

function SearchLine({ state, width, count }: { state: LogState; width: number; count: number }) {
  const s = state.search
  if (!s) return <Text dimColor>{fit('', width)}</Text>
  return (
    <Text wrap="truncate">
      <Text color="cyan" bold>
        /
      </Text>
      <Text>{clip(escapeForTerminal(s.text), Math.max(1, width - 40))}</Text>
      {s.editing ? <Text color="cyan">▏</Text> : null}
      <Text dimColor>{s.text ? `  ${count} line(s) match${s.editing ? '' : ' · n/N next/previous'}` : ''}</Text>
      {s.text && count === 0 ? <Text color="yellow">{'  not found'}</Text> : null}
    </Text>
  )
}

/** Lines containing `text` (case-insensitive). */
export function countMatches(lines: readonly LogDisplayLine[], text: string): number {
  const q = text.toLowerCase()
  let n = 0
  for (const l of lines) if (l.text.toLowerCase().includes(q)) n++
  return n
}

const LogScreenLine = memo(function LogScreenLine({ line, width, find, current }: { line: LogDisplayLine; width: number; find?: string; current: boolean }) {
  const body = clip(line.text, Math.max(1, width - PREFIX))
  const colour = LOG_COLOUR[line.level]
  return (
    <Box height={1} width={width}>
      <Text wrap="truncate">
        {line.ts !== undefined ? (
          <Text>
            <Text dimColor>{clock(line.ts)} </Text>
            <Text color={colour}>{fit(line.level, 5)}</Text>{' '}
          </Text>
        ) : (
          <Text>{' '.repeat(PREFIX)}</Text>
        )}
        <Found text={body} find={find} colour={line.stack ? 'gray' : line.level === 'info' ? undefined : colour} bold={current} />
      </Text>
    </Box>
  )
})

/** Text with each occurrence of `find` highlighted. */
function Found({ text, find, colour, bold }: { text: string; find?: string; colour?: string; bold: boolean }) {
  if (!find) return <Text color={colour}>{text}</Text>
  const lower = text.toLowerCase()
  const q = find.toLowerCase()
  const parts: Array<{ text: string; hit: boolean }> = []
  let at = 0
  for (let i = lower.indexOf(q); i >= 0 && q; i = lower.indexOf(q, i + q.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), hit: false })
    parts.push({ text: text.slice(i, i + q.length), hit: true })
    at = i + q.length
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false })
  return (
    <Text bold={bold} color={colour}>
      {parts.map((p, i) =>
        p.hit ? (
          <Text key={i} inverse color="yellow">
            {p.text}
          </Text>
        ) : (
          <Text key={i}>{p.text}</Text>
        ),
      )}
    </Text>
  )
}
