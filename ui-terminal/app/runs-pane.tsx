/**
 * The runs pane: live runs and backfills with progress (done/total, rate,
 * ETA), finished ones below as history; the steps of the selected run with
 * their status; and the log lines of the selected step as they stream in.
 */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { escapeForTerminal } from '../cli/output.js'
import type { BackfillView, LogLine, RunDetail, RunView, StepView } from './model.js'
import { ProgressBar, progressText, rateOf } from './progress-bar.js'
import { age, BACKFILL_GLYPH, clip, clock, duration, fit, LOG_COLOUR, RUN_GLYPH, shortId, STEP_GLYPH } from './theme.js'
import { windowAround } from './windowing.js'

export type RunEntry = { kind: 'run'; id: string; live: boolean; run: RunView } | { kind: 'backfill'; id: string; live: boolean; backfill: BackfillView }

/**
 * Live runs and backfills first (newest first), then finished ones. A
 * backfill's runs are not listed on their own: the backfill's entry shows its
 * progress and its latest run's steps.
 */
export function runEntries(runs: readonly RunView[], backfills: readonly BackfillView[]): RunEntry[] {
  const live: RunEntry[] = []
  const history: RunEntry[] = []
  const listed = new Set(backfills.map((b) => b.backfillId))
  const items: Array<{ at: number; entry: RunEntry }> = [
    ...backfills.map((b) => ({ at: b.createdAt, entry: { kind: 'backfill' as const, id: `backfill:${b.backfillId}`, live: b.status === 'RUNNING' || b.status === 'REQUESTED', backfill: b } })),
    ...runs.filter((r) => !r.backfillId || !listed.has(r.backfillId)).map((r) => ({ at: r.startedAt, entry: { kind: 'run' as const, id: `run:${r.runId}`, live: r.status === 'RUNNING', run: r } })),
  ]
  items.sort((a, b) => b.at - a.at)
  for (const { entry } of items) (entry.live ? live : history).push(entry)
  return [...live, ...history]
}

/** The run whose steps and logs show for an entry: the run itself, or a backfill's latest run. */
export const runIdOf = (entry: RunEntry | undefined): string | undefined =>
  entry?.kind === 'run' ? entry.run.runId : entry?.kind === 'backfill' ? entry.backfill.runIds[entry.backfill.runIds.length - 1] : undefined

/** The step shown when the user has not picked one: the latest started running step, else the last failure, else the last finished. */
export function defaultStep(steps: readonly StepView[]): number {
  let best = -1
  let bestAt = -1
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!
    if ((s.status === 'RUNNING' || s.status === 'RETRYING') && (s.startedAt ?? 0) >= bestAt) {
      best = i
      bestAt = s.startedAt ?? 0
    }
  }
  if (best >= 0) return best
  const failed = steps.findIndex((s) => s.status === 'FAILURE')
  if (failed >= 0) return failed
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.status !== 'PENDING') return i
  return steps.length ? 0 : -1
}

export interface RunsPaneProps {
  entries: readonly RunEntry[]
  selected: number
  detail?: RunDetail
  /** Selected step index in detail.steps, -1 for none. */
  step: number
  width: number
  height: number
  now: number
  focused: boolean
}

export function RunsPane({ entries, selected, detail, step, width, height, now, focused }: RunsPaneProps) {
  const liveCount = entries.filter((e) => e.live).length
  const listLines: ReactNode[] = []
  let selectedLine = 0
  entries.forEach((e, i) => {
    if (i === 0 && e.live) listLines.push(<Text bold>{`Live (${liveCount})`}</Text>)
    if (!e.live && (i === 0 || entries[i - 1]!.live)) listLines.push(<Text bold>{`History (${entries.length - liveCount})`}</Text>)
    if (i === selected) selectedLine = listLines.length
    listLines.push(<EntryLine entry={e} selected={i === selected} focused={focused} width={width} now={now} />)
  })
  if (entries.length === 0) listLines.push(<Text dimColor>{clip('No runs yet: press m to materialize the selected asset, s for everything stale.', width)}</Text>)

  const steps = detail?.steps ?? []
  const listHeight = Math.max(3, Math.min(listLines.length, Math.floor(height * 0.4)))
  const stepsHeight = detail ? Math.max(2, Math.min(steps.length + 1, Math.floor(height * 0.3))) : 0
  const logHeight = Math.max(0, height - listHeight - stepsHeight - (detail ? 1 : 0))

  const listTop = windowAround(selectedLine, listHeight, listLines.length)
  const lines: ReactNode[] = listLines.slice(listTop, listTop + listHeight)
  while (lines.length < listHeight) lines.push(<Text> </Text>)

  if (detail) {
    const run = detail.run
    lines.push(
      <Text wrap="truncate">
        <Text bold>{`Steps of run ${shortId(run.runId)} `}</Text>
        <Text dimColor>{clip(`${steps.length} step(s)${focused ? ' · ←/→ pick a step' : ''}`, Math.max(0, width - 22))}</Text>
      </Text>,
    )
    const stepRows = stepsHeight - 1
    const stepTop = windowAround(Math.max(0, step), stepRows, steps.length)
    for (const [i, s] of steps.slice(stepTop, stepTop + stepRows).entries()) lines.push(<StepLine step={s} selected={stepTop + i === step} width={width} now={now} />)
    for (let i = Math.min(stepRows, steps.length); i < stepRows; i++) lines.push(<Text dimColor>{i === 0 ? (detail.loading ? 'reading events…' : 'no steps') : ' '}</Text>)
    const current = steps[step]
    const log = current ? detail.logs(current.id) : detail.runLog
    lines.push(
      <Text wrap="truncate">
        <Text bold>{current ? `Log of ${clip(escapeForTerminal(current.id), width - 10)}` : 'Run log'}</Text>
        <Text dimColor>{clip(`${log.length ? ` (${log.length})` : ''}${focused ? ' · ⏎ whole log' : ''}`, Math.max(0, width - 10))}</Text>
      </Text>,
    )
    const tail: LogLine[] = log.slice(Math.max(0, log.length - (logHeight - 1)))
    // A failure or retry is in the log itself (with its stack); other errors (skipped: upstream failed) are not.
    const logged = log.some((l) => l.kind !== undefined)
    if (current?.error && !logged && tail.length < logHeight - 1) lines.push(<Text color={current.status === 'FAILURE' ? 'red' : 'yellow'}>{clip(current.error, width)}</Text>)
    for (const line of tail) lines.push(<LogRow line={line} width={width} />)
    if (tail.length === 0 && !current?.error) lines.push(<Text dimColor>{current ? (current.status === 'PENDING' ? 'not started' : 'no log lines') : ' '}</Text>)
  }

  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height).map((line, i) => (
        <Box key={i} height={1} width={width}>
          {line}
        </Box>
      ))}
    </Box>
  )
}

const BAR = 14

function EntryLine({ entry, selected, focused, width, now }: { entry: RunEntry; selected: boolean; focused: boolean; width: number; now: number }) {
  const mark = <Text color="cyan">{selected ? '›' : ' '}</Text>
  if (entry.kind === 'backfill') {
    const b = entry.backfill
    const g = BACKFILL_GLYPH[b.status]
    const title = escapeForTerminal(`backfill ${b.backfillId} ${b.selection} ${b.range}`)
    if (entry.live) {
      const text = `${progressText({ done: b.done, total: b.total, failed: b.failed, rate: b.rate })}${b.cancelRequested ? ' canceling' : ''}`
      const titleWidth = Math.max(8, width - BAR - text.length - 6)
      return (
        <Text wrap="truncate">
          {mark} <Text color={g.color}>{g.glyph}</Text> <Text inverse={selected && focused}>{fit(title, titleWidth)}</Text> <ProgressBar progress={{ done: b.done, total: b.total, failed: b.failed }} width={BAR} /> {text}
        </Text>
      )
    }
    const word = { REQUESTED: 'requested', RUNNING: 'running', COMPLETED_SUCCESS: 'completed', COMPLETED_FAILED: 'failed', CANCELED: 'canceled' }[b.status]
    const info = `${word}${b.interrupted ? ' (interrupted)' : ''} ${b.done}/${b.total}${b.failed ? ` · ${b.failed} failed` : ''} · ${age(b.endedAt ?? b.createdAt, now)}`
    return (
      <Text wrap="truncate">
        {mark} <Text color={g.color}>{g.glyph}</Text> <Text inverse={selected && focused}>{fit(title, Math.max(8, width - info.length - 6))}</Text> <Text dimColor>{info}</Text>
      </Text>
    )
  }
  const r = entry.run
  const g = RUN_GLYPH[r.status]
  const title = escapeForTerminal(`${shortId(r.runId)} ${r.selection}${r.own ? '' : r.pid ? ` (pid ${r.pid})` : ''}`)
  if (entry.live) {
    const text = progressText({ done: r.done, total: r.total, failed: r.failed, rate: rateOf(r.done, r.startedAt, now) })
    const titleWidth = Math.max(8, width - BAR - text.length - 6)
    return (
      <Text wrap="truncate">
        {mark} <Text color={g.color}>{g.glyph}</Text> <Text inverse={selected && focused}>{fit(title, titleWidth)}</Text> <ProgressBar progress={{ done: r.done, total: r.total, failed: r.failed }} width={BAR} /> {text}
      </Text>
    )
  }
  const info = `${r.total} step(s)${r.failed ? ` · ${r.failed} failed` : ''}${r.endedAt ? ` · ${duration(r.endedAt - r.startedAt)}` : ''} · ${age(r.endedAt ?? r.startedAt, now)}`
  return (
    <Text wrap="truncate">
      {mark} <Text color={g.color}>{g.glyph}</Text> <Text inverse={selected && focused}>{fit(title, Math.max(8, width - info.length - 6))}</Text> <Text dimColor>{info}</Text>
    </Text>
  )
}

function StepLine({ step, selected, width, now }: { step: StepView; selected: boolean; width: number; now: number }) {
  const g = STEP_GLYPH[step.status]
  const info =
    step.status === 'RUNNING'
      ? `running ${duration(now - (step.startedAt ?? now))}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}`
      : step.status === 'RETRYING'
        ? `retrying: ${step.error ?? ''}`
        : step.status === 'FAILURE'
          ? `failed: ${step.error ?? ''}`
          : step.status === 'SUCCESS'
            ? `${step.durationMs !== undefined ? duration(step.durationMs) : 'done'}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}`
            : step.status === 'UP_TO_DATE'
              ? 'up to date'
              : step.status === 'PENDING'
                ? 'pending'
                : step.status === 'CANCELED'
                  ? 'canceled'
                  : (step.error ?? 'skipped')
  const idWidth = Math.max(8, Math.min(40, width - 4 - Math.min(info.length, 24)))
  return (
    <Text wrap="truncate">
      <Text color="cyan">{selected ? '›' : ' '}</Text> <Text color={g.color}>{g.glyph}</Text> <Text bold={selected}>{fit(escapeForTerminal(step.id), idWidth)}</Text>{' '}
      <Text color={step.status === 'FAILURE' ? 'red' : undefined} dimColor={step.status !== 'FAILURE'}>
        {clip(info, Math.max(0, width - idWidth - 5))}
      </Text>
    </Text>
  )
}

function LogRow({ line, width }: { line: LogLine; width: number }) {
  const level = fit(line.level, 5)
  return (
    <Text wrap="truncate">
      <Text dimColor>{clock(line.ts)} </Text>
      <Text color={LOG_COLOUR[line.level]}>{level}</Text> {clip(escapeForTerminal(line.message.replace(/\s*\n\s*/g, ' ⏎ ')), Math.max(0, width - 16))}
    </Text>
  )
}
