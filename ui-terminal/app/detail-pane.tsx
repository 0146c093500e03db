/**
 * The detail pane of the selected asset: key, description, group, code and
 * data versions, last run, staleness reasons (worded as `strata why` does),
 * freshness, the partition timeline with its cursor/range, check results,
 * automation (automation-detail.tsx), lineage and metadata; `e` expands it
 * into every check result and metadata entry (detail-extras.tsx). With the cursor on a group header: the group.
 */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import type { PartitionDisplayStatus } from '../../engine/index.js'
import type { AssetDetail, PartitionInfo, ReasonLine } from './model.js'
import { escapeForTerminal } from '../cli/output.js'
import { automationLines, freshnessLine } from './automation-detail.js'
import { checkLines, paneLine, type PaneLine } from './detail-extras.js'
import { CellBar, cellOf, partitionCells, timelineMarker } from './partition-bar.js'
import { partitionLineageLines } from './partition-lineage.js'
import { age, clip, PARTITION_STYLE, ROW_GLYPH, shortId, shortVersion, showValue, wrapText } from './theme.js'

export interface PartitionSelection {
  cursor: number
  /** Other end of the range, when a range is being selected. */
  anchor?: number
  /** Status of the partition under the cursor. */
  info?: PartitionInfo
}

export interface DetailPaneProps {
  detail: AssetDetail | undefined
  partition?: PartitionSelection
  lineage: boolean
  width: number
  height: number
  now: number
  focused: boolean
  /** Every check result and metadata entry (`e`), from line `top`. */
  expanded?: { top: number; lines: readonly PaneLine[] }
  /** The group whose header the cursor is on (no asset is selected then). */
  group?: { group: string; count: number; notFresh: number; folded: boolean }
}

const METADATA_SHOWN = 6
const CHECKS_SHOWN = 6

/** Lines of the expanded pane's body at a height (the asset line and a title take two). */
export const expandedHeight = (height: number) => Math.max(1, height - 2)
const LINEAGE_SHOWN = 8

export function DetailPane({ detail, partition, lineage, width, height, now, focused, expanded, group }: DetailPaneProps) {
  const lines = detail && expanded ? expandedPane(detail, expanded, width, height) : detail ? detailLines(detail, partition, lineage, width, now, focused) : group ? groupLines(group, width) : [<Text dimColor>No asset selected.</Text>]
  const shown = lines.length > height ? [...lines.slice(0, Math.max(0, height - 1)), <Text dimColor>{clip(`… ${lines.length - height + 1} more line(s): press Enter for the full view`, width)}</Text>] : lines
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((line, i) => (
        <Box key={i} height={1} width={width}>
          {line}
        </Box>
      ))}
    </Box>
  )
}

function expandedPane(d: AssetDetail, { top, lines }: NonNullable<DetailPaneProps['expanded']>, width: number, height: number): ReactNode[] {
  const body = expandedHeight(height)
  const from = Math.min(Math.max(0, top), Math.max(0, lines.length - body))
  const shown = lines.slice(from, from + body)
  const g = ROW_GLYPH[d.status]
  return [
    <Text wrap="truncate">
      <Text color={g.color}>{g.glyph}</Text> <Text bold>{clip(escapeForTerminal(d.key), Math.max(1, width - 2))}</Text>
    </Text>,
    <Text dimColor wrap="truncate">
      {clip(`lines ${shown.length ? from + 1 : 0}–${from + shown.length} of ${lines.length} · ↑/↓ PgUp/PgDn scroll · e/Esc close`, width)}
    </Text>,
    ...shown.map(paneLine),
  ]
}

function groupLines(g: NonNullable<DetailPaneProps['group']>, width: number): ReactNode[] {
  return [
    <Text wrap="truncate">
      <Text bold color="cyan">
        {clip(`${g.folded ? '▸' : '▾'} group ${escapeForTerminal(g.group)}`, width)}
      </Text>
    </Text>,
    <Text dimColor>{clip(`${g.count} asset${g.count === 1 ? '' : 's'}${g.notFresh ? `, ${g.notFresh} not fresh` : ', all fresh'}`, width)}</Text>,
    <Text> </Text>,
    ...wrapText(`Enter or Space ${g.folded ? 'unfolds' : 'folds'} it (← folds, → unfolds); z folds or unfolds every group.`, width).map((line) => <Text dimColor>{line}</Text>),
  ]
}

function detailLines(d: AssetDetail, partition: PartitionSelection | undefined, lineage: boolean, width: number, now: number, focused: boolean): ReactNode[] {
  const out: ReactNode[] = []
  const g = ROW_GLYPH[d.status]
  const label = g.label.toUpperCase()
  out.push(
    <Text wrap="truncate">
      <Text color={g.color}>{g.glyph}</Text> <Text bold>{clip(escapeForTerminal(d.key), Math.max(1, width - label.length - 4))}</Text>{'  '}
      <Text color={g.color}>{label}</Text>
    </Text>,
  )
  for (const line of wrapText(d.description ?? '', width, 3)) if (line) out.push(<Text dimColor>{line}</Text>)
  out.push(
    <Text wrap="truncate">
      <Text dimColor>group </Text>
      {d.group}
      <Text dimColor> · code </Text>
      {shortVersion(d.codeVersion)}
      <Text dimColor>{d.codeVersionSource === 'auto' ? ' (from source)' : ' (pinned)'}</Text>
    </Text>,
  )
  out.push(
    d.materializedAt === undefined ? (
      <Text dimColor>never materialized</Text>
    ) : (
      <Text wrap="truncate">
        <Text dimColor>data </Text>
        {shortVersion(d.dataVersion)}
        <Text dimColor> · materialized </Text>
        {age(d.materializedAt, now)}
        <Text dimColor> · last run </Text>
        {d.runId ? shortId(d.runId) : '—'}
      </Text>
    ),
  )
  if (d.freshnessCheck) out.push(freshnessLine(d.freshnessCheck, width, now))
  const tags = Object.entries(d.tags)
  if (tags.length) out.push(<Text wrap="truncate">{clip(escapeForTerminal(`tags ${tags.map(([k, v]) => (v ? `${k}=${v}` : k)).join(', ')}`), width)}</Text>)

  if (d.partitions) out.push(...partitionLines(d.partitions, partition, width, now, focused), ...partitionLineageLines(partition?.info, lineage, width))

  out.push(<Text> </Text>)
  if (d.failure) out.push(...failureLines(d.failure, d.materializedAt !== undefined, width, now))
  if (d.status === 'FRESH') out.push(<Text color="green">{clip('Up to date: code and upstream data unchanged since the last materialization.', width)}</Text>)
  else if (d.reasons.length) {
    out.push(<Text bold>{(d.freshness ?? d.status) === 'MISSING' ? 'Why missing' : 'Why stale'}</Text>)
    out.push(...reasons(d.reasons, width))
  } else if (d.status === 'RUNNING') out.push(<Text color="blue">Materializing now.</Text>)
  else if (d.failure) out.push(<Text color="green">{clip('Its last good materialization is up to date (code and upstream unchanged).', width)}</Text>)
  else if (d.status === 'FAILED') out.push(<Text color="red">{clip('The last attempt failed: see the runs pane (r) for its logs.', width)}</Text>)

  if (d.checks) {
    out.push(<Text> </Text>)
    out.push(...checkLines(d.checks, width, now, CHECKS_SHOWN))
  }
  if (d.automation) {
    out.push(<Text> </Text>)
    out.push(...automationLines(d.automation, width, now))
  }

  out.push(<Text> </Text>)
  if (!lineage) {
    out.push(
      <Text wrap="truncate">
        <Text bold>Lineage </Text>
        <Text dimColor>{clip(`↑ ${d.upstream.length} upstream · ↓ ${d.downstream.length} downstream  (l to show)`, width - 8)}</Text>
      </Text>,
    )
  } else {
    out.push(<Text bold>Lineage</Text>)
    if (d.upstream.length === 0 && d.downstream.length === 0) out.push(<Text dimColor>no upstream or downstream assets</Text>)
    const consumed = new Map(d.consumed.map((c) => [c.key, c]))
    for (const up of d.upstream.slice(0, LINEAGE_SHOWN)) {
      const c = consumed.get(up.key)
      const ug = ROW_GLYPH[up.status]
      out.push(
        <Text wrap="truncate">
          <Text dimColor>↑ </Text>
          <Text color={ug.color}>{ug.glyph}</Text> {clip(escapeForTerminal(up.key), Math.max(1, width - 30))}
          <Text dimColor>{c ? `  consumed ${shortVersion(c.dataVersion)}${c.partitionKey ? ` [${escapeForTerminal(c.partitionKey)}]` : ''}` : ''}</Text>
        </Text>,
      )
    }
    if (d.upstream.length > LINEAGE_SHOWN) out.push(<Text dimColor>{`  … ${d.upstream.length - LINEAGE_SHOWN} more upstream`}</Text>)
    for (const down of d.downstream.slice(0, LINEAGE_SHOWN)) {
      const dg = ROW_GLYPH[down.status]
      out.push(
        <Text wrap="truncate">
          <Text dimColor>↓ </Text>
          <Text color={dg.color}>{dg.glyph}</Text> {clip(escapeForTerminal(down.key), width - 4)}
        </Text>,
      )
    }
    if (d.downstream.length > LINEAGE_SHOWN) out.push(<Text dimColor>{`  … ${d.downstream.length - LINEAGE_SHOWN} more downstream`}</Text>)
  }

  if (d.materializedAt !== undefined) {
    out.push(<Text> </Text>)
    const entries = Object.entries(d.metadata ?? {})
    if (!d.metadata) out.push(<Text dimColor>metadata loading…</Text>)
    else if (entries.length === 0) out.push(<Text dimColor>no metadata</Text>)
    else {
      out.push(<Text bold>Metadata</Text>)
      for (const [k, v] of entries.slice(0, METADATA_SHOWN)) {
        out.push(
          <Text wrap="truncate">
            <Text dimColor>{escapeForTerminal(k)} </Text>
            {clip(escapeForTerminal(showValue(v)), Math.max(1, width - k.length - 1))}
          </Text>,
        )
      }
      if (entries.length > METADATA_SHOWN) out.push(<Text dimColor>{clip(`… ${entries.length - METADATA_SHOWN} more: e shows all`, width)}</Text>)
    }
  }
  return out
}

/** The failed last attempt: when, which run, the error's first line; the whole error is in the run's logs. */
function failureLines(f: NonNullable<AssetDetail['failure']>, keptGood: boolean, width: number, now: number): ReactNode[] {
  const out: ReactNode[] = [
    <Text wrap="truncate">
      <Text bold color="red">
        Last attempt failed
      </Text>
      <Text dimColor>{clip(` ${age(f.at, now)} · run ${shortId(f.runId)}`, Math.max(0, width - 19))}</Text>
    </Text>,
  ]
  for (const line of wrapText(escapeForTerminal(f.message, { multiline: true }), width, 3)) out.push(<Text color="red">{line}</Text>)
  for (const line of wrapText(`${keptGood ? 'The last good materialization is kept. ' : ''}Logs: runs pane (r), Enter there for the whole log.`, width, 2)) out.push(<Text dimColor>{line}</Text>)
  out.push(<Text> </Text>)
  return out
}

function reasons(lines: readonly ReasonLine[], width: number): ReactNode[] {
  return lines.map((r) =>
    r.depth === 0 ? (
      <Text wrap="truncate">
        <Text color="yellow">• </Text>
        {clip(escapeForTerminal(r.text), width - 2)}
      </Text>
    ) : (
      <Text dimColor wrap="truncate">
        {clip(`    ${escapeForTerminal(r.text)}`, width)}
      </Text>
    ),
  )
}

function partitionLines(p: NonNullable<AssetDetail['partitions']>, sel: PartitionSelection | undefined, width: number, now: number, focused: boolean): ReactNode[] {
  const out: ReactNode[] = [<Text> </Text>]
  const n = p.keys.length
  out.push(
    <Text wrap="truncate">
      <Text bold>Partitions </Text>
      <Text dimColor>{clip(`${n} · ${escapeForTerminal(p.definition)}`, width - 11)}</Text>
    </Text>,
  )
  if (n === 0) {
    out.push(<Text dimColor>no partitions exist yet</Text>)
    return out
  }
  const cursor = Math.min(Math.max(0, sel?.cursor ?? n - 1), n - 1)
  const anchor = sel?.anchor
  const cells = partitionCells(p.statuses, width)
  out.push(<CellBar cells={cells} cursor={cellOf(cursor, n, cells.length)} />)
  out.push(
    <Text color="cyan" wrap="truncate">
      {timelineMarker(n, cells.length, cursor, anchor)}
    </Text>,
  )
  out.push(<Text dimColor wrap="truncate">{clip(escapeForTerminal(`${p.keys[0]} … ${p.keys[n - 1]}`), width)}</Text>)
  const counts: Record<PartitionDisplayStatus, number> = { FRESH: 0, STALE: 0, IN_PROGRESS: 0, FAILED: 0, MISSING: 0 }
  for (const s of p.statuses) counts[s]++
  out.push(
    <Text wrap="truncate">
      {(Object.keys(counts) as PartitionDisplayStatus[]).filter((s) => counts[s] > 0).map((s, i) => (
        <Text key={s}>
          {i ? '  ' : ''}
          <Text color={PARTITION_STYLE[s].color}>{PARTITION_STYLE[s].char}</Text>
          {` ${counts[s]} ${PARTITION_STYLE[s].label}`}
        </Text>
      ))}
    </Text>,
  )
  if (anchor !== undefined) {
    const a = Math.min(anchor, cursor)
    const b = Math.max(anchor, cursor)
    out.push(
      <Text wrap="truncate">
        <Text color="cyan">range </Text>
        {escapeForTerminal(`${p.keys[a]} … ${p.keys[b]}`)}
        <Text dimColor>{clip(`  ${b - a + 1} partition(s) · m materialize · b backfill · v/Esc end range`, Math.max(0, width - 30))}</Text>
      </Text>,
    )
  }
  const info = sel?.info
  const st = PARTITION_STYLE[info?.status ?? p.statuses[cursor]!]
  out.push(
    <Text wrap="truncate">
      <Text color="cyan">cursor </Text>
      {escapeForTerminal(p.keys[cursor]!)}
      {'  '}
      <Text color={st.color}>{st.char}</Text> {st.label}
      <Text dimColor>
        {info?.dataVersion ? `  data ${shortVersion(info.dataVersion)}` : ''}
        {info?.materializedAt !== undefined ? ` · ${age(info.materializedAt, now)}` : ''}
        {focused || anchor !== undefined ? '' : '  ← → move'}
      </Text>
    </Text>,
  )
  if (info && info.reasons.length && info.status !== 'FRESH') out.push(...reasons(info.reasons.slice(0, 3), width))
  return out
}
