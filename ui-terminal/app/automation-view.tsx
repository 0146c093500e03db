/**
 * The automation view (`a`): the daemon holding the home, schedules and
 * sensors with their next tick and last result, conditions with their last
 * evaluation, recent ticks (what each requested, or why it skipped) and the
 * runs requested, one of them selected (Enter opens it in the runs view).
 * The data is the engine's overview (`strata automation list`) and ticks.
 * Sections share the height: the longest gives up lines first.
 */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import type { AutomationOverview, AutomationTickRecord, RequestView, TickView } from '../../engine/index.js'
import { escapeForTerminal } from '../cli/output.js'
import type { AutomationView } from './model.js'
import { age, clip, fit, shortId, type Colour } from './theme.js'

export interface AutomationPaneProps {
  data: AutomationView | undefined
  /** Index of the selected request in `data.overview.requests`. */
  selected: number
  width: number
  height: number
  now: number
}

const esc = (s: string) => escapeForTerminal(s)
const TICK_COLOUR: Record<string, Colour | undefined> = { REQUESTED: 'green', FAILED: 'red', SKIPPED: undefined, EVALUATED: undefined }
const REQUEST_COLOUR: Record<string, Colour | undefined> = { SUCCESS: 'green', FAILURE: 'red', CANCELED: 'yellow', QUEUED: 'cyan', LAUNCHED: 'blue' }

/** `in 5m`, `in 3h`: how long until `ts`. */
export function until(ts: number, now: number): string {
  const s = Math.max(0, Math.round((ts - now) / 1000))
  if (s < 60) return `in ${s}s`
  if (s < 3600) return `in ${Math.floor(s / 60)}m`
  if (s < 86400) return `in ${Math.floor(s / 3600)}h`
  return `in ${Math.floor(s / 86400)}d`
}

/** The index of the selected request: the one with `requestId`, else the newest. */
export function selectedRequest(requests: readonly { requestId: number }[], requestId: number | undefined): number {
  if (requests.length === 0) return -1
  const i = requestId === undefined ? -1 : requests.findIndex((r) => r.requestId === requestId)
  return i >= 0 ? i : 0
}

interface Section {
  title: string
  rows: ReactNode[]
  /** Shown under the title when there are no rows. */
  empty: string
  /** Row that must stay visible (the selected request). */
  keep?: number
}

export function AutomationPane({ data, selected, width, height, now }: AutomationPaneProps) {
  const lines = paneLines(data, selected, width, height, now)
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

function paneLines(data: AutomationView | undefined, selected: number, width: number, height: number, now: number): ReactNode[] {
  const title = <Text bold>Automation</Text>
  if (data && !data.declared) {
    return [
      <Text wrap="truncate">
        {title}
        <Text dimColor>  no automation declared</Text>
      </Text>,
      <Text> </Text>,
      <Text dimColor>{clip('Declare it beside the assets: asset({ automation: eager() }), or schedules and sensors in defineDefinitions({ schedules, sensors });', width)}</Text>,
      <Text dimColor>{clip('then start the daemon with `strata daemon`.', width)}</Text>,
    ]
  }
  const o = data?.overview
  if (!data || !o) return [<Text wrap="truncate">{title}<Text dimColor>  loading…</Text></Text>]
  const head: ReactNode[] = [daemonLine(o, data.ticks, width, now)]
  // Only what is declared: a project with conditions alone has no empty Schedules and Sensors sections.
  const sections: Section[] = []
  if (o.schedules.length) sections.push({ title: `Schedules (${o.schedules.length})`, empty: '', rows: o.schedules.map((s) => scheduleRow(s, width, now)) })
  if (o.sensors.length) sections.push({ title: `Sensors (${o.sensors.length})`, empty: '', rows: o.sensors.map((s) => sensorRow(s, width, now)) })
  if (o.conditions.length) {
    const title = data.conditions > o.conditions.length ? `Conditions (${data.conditions}; ${o.conditions.length} read, those of recent requests first: strata automation list shows all)` : `Conditions (${data.conditions})`
    sections.push({ title, empty: '', rows: o.conditions.map((c) => conditionRow(c, width, now)) })
  }
  sections.push(
    { title: 'Recent ticks', empty: 'none yet', rows: data.ticks.map((t) => tickRow(t, width, now)) },
    { title: 'Requested runs  (⏎ opens the run)', empty: 'none yet', rows: o.requests.map((r, i) => requestRow(r, i === selected, width, now)), keep: selected },
  )
  return [...head, ...fitSections(sections, height - head.length, width)]
}

function daemonLine(o: AutomationOverview, ticks: readonly AutomationTickRecord[], width: number, now: number): ReactNode {
  const d = o.daemon
  let text: string
  let colour: Colour | undefined
  // Judged at render: a daemon killed without releasing its lease shows as gone once the lease expires.
  if (d && Date.parse(d.expires) > now) text = `daemon pid ${d.pid} on ${esc(d.host)} · heartbeat ${age(Date.parse(d.heartbeat), now)} · up to ${o.maxConcurrentRuns} run(s) at once`
  else if (ticks.length === 0 && !d) {
    text = 'daemon has not run yet: start it with `strata daemon`'
    colour = 'yellow'
  } else {
    const last = ticks[0]?.evaluatedAt ?? (d ? Date.parse(d.heartbeat) : undefined)
    text = `no daemon running on this home${last !== undefined ? ` (last tick ${age(last, now)})` : ''}: start one with \`strata daemon\``
    colour = 'yellow'
  }
  return (
    <Text wrap="truncate">
      <Text bold>Automation </Text>
      <Text color={colour} dimColor={!colour}>
        {clip(text, Math.max(1, width - 11))}
      </Text>
    </Text>
  )
}

function lastTick(t: TickView | null, now: number): ReactNode {
  if (!t) return <Text dimColor>never ran</Text>
  return (
    <Text>
      <Text dimColor>{`last ${age(Date.parse(t.at), now)} `}</Text>
      <Text color={TICK_COLOUR[t.status]}>{t.status}</Text>
      {t.message ? <Text dimColor>{` ${esc(t.message)}`}</Text> : null}
    </Text>
  )
}

function scheduleRow(s: AutomationOverview['schedules'][number], width: number, now: number): ReactNode {
  const next = s.nextTick ? `next ${until(Date.parse(s.nextTick), now)}` : 'no next tick'
  return (
    <Text wrap="truncate">
      {`  ${fit(esc(s.name), 16)} `}
      <Text dimColor>{fit(`${s.cron}${s.timezone !== 'UTC' ? ` ${s.timezone}` : ''} → ${esc(s.target)}`, Math.max(10, Math.floor(width * 0.3)))}</Text>
      {` ${fit(next, 12)} `}
      {lastTick(s.lastTick, now)}
    </Text>
  )
}

function sensorRow(s: AutomationOverview['sensors'][number], width: number, now: number): ReactNode {
  const next = s.nextEvaluation ? `next ${until(Date.parse(s.nextEvaluation), now)}` : ''
  return (
    <Text wrap="truncate">
      {`  ${fit(esc(s.name), 16)} `}
      <Text dimColor>{fit(`${s.kind} every ${s.intervalSeconds} s → ${esc(s.target)}`, Math.max(10, Math.floor(width * 0.3)))}</Text>
      {` ${fit(next, 12)} `}
      {lastTick(s.lastTick, now)}
      {s.failures ? <Text color="red">{` (${s.failures} failure(s) in a row)`}</Text> : null}
    </Text>
  )
}

function conditionRow(c: AutomationOverview['conditions'][number], width: number, now: number): ReactNode {
  const keyWidth = Math.max(12, Math.floor(width * 0.25))
  const e = c.lastEvaluation
  return (
    <Text wrap="truncate">
      {`  ${fit(esc(c.key), keyWidth)} `}
      <Text dimColor>{fit(esc(c.condition), Math.max(10, Math.floor(width * 0.25)))}</Text>
      {' '}
      {e ? (
        <Text>
          <Text dimColor>{`${age(Date.parse(e.at), now)} `}</Text>
          <Text color={e.requested ? 'green' : undefined}>{esc(e.summary)}</Text>
        </Text>
      ) : (
        <Text dimColor>not evaluated yet</Text>
      )}
    </Text>
  )
}

const sourceOf = (t: { sourceKind: string; sourceName: string }) => (t.sourceKind === 'conditions' ? 'conditions' : `${t.sourceKind} ${esc(t.sourceName)}`)

function tickRow(t: AutomationTickRecord, width: number, now: number): ReactNode {
  const what = t.message ? esc(t.message) : t.status === 'REQUESTED' ? `${t.requested} run request(s)` : t.status === 'EVALUATED' ? 'nothing to request' : ''
  return (
    <Text wrap="truncate">
      <Text dimColor>{`  ${fit(age(t.evaluatedAt, now), 8)} `}</Text>
      {fit(sourceOf(t), Math.max(12, Math.floor(width * 0.25)))}
      {' '}
      <Text color={TICK_COLOUR[t.status]}>{fit(t.status, 9)}</Text>
      {' '}
      <Text dimColor={t.status !== 'FAILED'} color={t.status === 'FAILED' ? 'red' : undefined}>
        {what}
      </Text>
    </Text>
  )
}

function requestRow(r: RequestView, selected: boolean, width: number, now: number): ReactNode {
  const state = r.runStatus ?? r.status
  const parts = r.partitionKeys?.length ? ` [${esc(r.partitionKeys.length > 2 ? `${r.partitionKeys[0]}…${r.partitionKeys.at(-1)} (${r.partitionKeys.length})` : r.partitionKeys.join(', '))}]` : ''
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text color="cyan">{selected ? '› ' : '  '}</Text>
      {`#${fit(String(r.requestId), 4)} `}
      <Text dimColor>{`${fit(age(Date.parse(r.createdAt), now), 8)} `}</Text>
      {clip(`${esc(r.source)}: ${esc(r.selection)}${parts}`, Math.max(10, width - 40))}
      <Text dimColor>{` → run ${shortId(r.runId)} `}</Text>
      <Text color={REQUEST_COLOUR[state]}>{state}</Text>
    </Text>
  )
}

/** Titles and rows within `height` lines: the longest section gives up rows first, ending with a `… N more` line. */
function fitSections(sections: Section[], height: number, width: number): ReactNode[] {
  const shown = sections.map((s) => Math.max(1, s.rows.length))
  const cost = () => shown.reduce((n, rows) => n + rows + 2, 0) // title, rows, blank line
  while (cost() > height) {
    let longest = 0
    for (let i = 1; i < shown.length; i++) if (shown[i]! > shown[longest]!) longest = i
    if (shown[longest]! <= 1) break
    shown[longest]!--
  }
  const out: ReactNode[] = []
  sections.forEach((s, i) => {
    out.push(<Text> </Text>, <Text bold>{clip(s.title, width)}</Text>)
    if (s.rows.length === 0) return void out.push(<Text dimColor>{clip(`  ${s.empty}`, width)}</Text>)
    const room = shown[i]!
    if (room >= s.rows.length) return void out.push(...s.rows)
    // Keep the selected row in view; the last line says what is left out.
    const visible = Math.max(1, room - 1)
    const from = s.keep !== undefined && s.keep >= visible ? s.keep - visible + 1 : 0
    out.push(...s.rows.slice(from, from + visible), <Text dimColor>{clip(`  … ${s.rows.length - visible} more`, width)}</Text>)
  })
  return out
}
