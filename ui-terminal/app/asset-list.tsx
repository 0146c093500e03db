/**
 * The asset list: group headers (▾ open, ▸ folded) and one row per asset
 * (status glyph, key, last materialization age, yellow with `!` when late
 * for the asset's freshness policy, partition bar). Windowed:
 * only the lines that fit `height` are rendered. Search results come flat,
 * best first, with the letters that matched highlighted.
 */
import { Box, Text } from 'ink'
import { memo } from 'react'
import { freshnessOf } from '../../engine/index.js'
import { escapeForTerminal } from '../cli/output.js'
import type { AssetRow } from './model.js'
import { CountsBar } from './partition-bar.js'
import { highlightRuns, type SearchExplanation } from './search.js'
import { age, clip, fit, ROW_GLYPH } from './theme.js'
import type { ListLine, ListLines } from './windowing.js'

export const BAR_WIDTH = 10
const AGE_WIDTH = 8

export interface AssetListProps {
  lines: ListLines
  /** Selected row index, -1 for none. */
  selected: number
  /** First line shown. */
  top: number
  width: number
  height: number
  now: number
  /** Whether keys move this list (the selection is highlighted more strongly). */
  focused: boolean
  /** Shown when there are no rows. */
  emptyText?: string
  /** Line of the cursor when it is on a group header. */
  cursorLine?: number
  /** What a search matched in a row, for highlighting. */
  explain?: (key: string) => SearchExplanation | undefined
}

export function AssetList({ lines, selected, top, width, height, now, focused, emptyText, cursorLine, explain }: AssetListProps) {
  const shown = lines.lines.slice(top, top + height)
  const bars = lines.partitioned
  const nowBucket = Math.floor(now / 1000) * 1000
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.length === 0 ? <Text dimColor>{fit(emptyText ?? 'No assets.', width)}</Text> : null}
      {shown.map((line, i) =>
        line.kind === 'group' ? (
          <GroupLine key={`g:${line.group}`} line={line} width={width} selected={top + i === cursorLine} focused={focused} />
        ) : (
          <AssetLine key={line.row.key} row={line.row} selected={line.index === selected} focused={focused} width={width} bars={bars} now={nowBucket} match={explain?.(line.row.key)} />
        ),
      )}
    </Box>
  )
}

const GroupLine = memo(function GroupLine({ line, width, selected, focused }: { line: Extract<ListLine, { kind: 'group' }>; width: number; selected: boolean; focused: boolean }) {
  // The marker column is only there when the cursor is on the header, so unselected headers keep their place at the left.
  const name = clip(`${selected ? '› ' : ''}${line.folded ? '▸' : '▾'} ${escapeForTerminal(line.group)}`, width)
  const info = `  ${line.count} asset${line.count === 1 ? '' : 's'}${line.notFresh ? `, ${line.notFresh} not fresh` : ''}`
  return (
    <Text wrap="truncate">
      <Text bold color="cyan" inverse={selected && focused}>
        {name}
      </Text>
      <Text dimColor>{clip(info, width - name.length)}</Text>
    </Text>
  )
})

interface AssetLineProps {
  row: AssetRow
  selected: boolean
  focused: boolean
  width: number
  bars: boolean
  now: number
  match?: SearchExplanation
}

export const AssetLine = memo(function AssetLine({ row, selected, focused, width, bars, now, match }: AssetLineProps) {
  const g = ROW_GLYPH[row.status]
  const showAge = width >= 36
  const barWidth = bars && width >= 50 ? BAR_WIDTH : 0
  const keyWidth = Math.max(1, width - 4 - (showAge ? AGE_WIDTH + 1 : 0) - (barWidth ? barWidth + 1 : 0))
  const when = row.materializedAt !== undefined ? age(row.materializedAt, now) : '—'
  // A freshness warning marks the age: late (or never materialized) for its policy.
  const late = row.freshnessCheck !== undefined && freshnessOf(row.freshnessCheck.policy, row.freshnessCheck.lastUpdated, row.freshnessCheck.partitionKey, now).state !== 'fresh'
  // Columns are Boxes rather than padded strings: Ink's cost per frame grows with the characters written.
  return (
    <Box height={1} width={width}>
      <Text>
        <Text color="cyan">{selected ? '›' : ' '}</Text> <Text color={g.color}>{g.glyph}</Text>{' '}
      </Text>
      <Box width={keyWidth}>
        {match ? (
          <MatchedKey row={row} match={match} selected={selected} focused={focused} />
        ) : (
          <Text wrap="truncate-end" inverse={selected && focused} bold={selected}>
            {escapeForTerminal(row.key)}
          </Text>
        )}
      </Box>
      {showAge ? (
        <Box width={AGE_WIDTH + 1} justifyContent="flex-end">
          {late ? <Text color="yellow">{clip(`!${when}`, AGE_WIDTH)}</Text> : <Text dimColor>{clip(when, AGE_WIDTH)}</Text>}
        </Box>
      ) : null}
      {barWidth && row.partitions ? (
        <Box marginLeft={1}>
          <CountsBar counts={row.partitions.counts} width={barWidth} />
        </Box>
      ) : null}
    </Box>
  )
})

const FIELD_LABEL = { group: 'group', tag: 'tag', description: '' } as const

/** A search result's key with the matched letters highlighted, then what else matched (group, tag, a piece of the description). */
function MatchedKey({ row, match, selected, focused }: { row: AssetRow; match: SearchExplanation; selected: boolean; focused: boolean }) {
  const via = match.via
  let viaText: Array<{ text: string; hit: boolean }> = []
  if (via) {
    // A description is shown from its match: the column is narrow.
    const from = via.field === 'description' ? (via.positions[0] ?? 0) : 0
    const text = escapeForTerminal(via.text.slice(from))
    viaText = [{ text: `  ${FIELD_LABEL[via.field]}${FIELD_LABEL[via.field] ? ' ' : ''}${from > 0 ? '…' : ''}`, hit: false }, ...highlightRuns(text, via.positions.map((p) => p - from))]
  }
  return (
    <Text wrap="truncate-end">
      <Text inverse={selected && focused} bold={selected}>
        {highlightRuns(escapeForTerminal(row.key), match.keyPositions).map((r, i) =>
          r.hit ? (
            <Text key={i} color="yellow" bold underline>
              {r.text}
            </Text>
          ) : (
            <Text key={i}>{r.text}</Text>
          ),
        )}
      </Text>
      <Text dimColor>
        {viaText.map((r, i) =>
          r.hit ? (
            <Text key={i} color="yellow">
              {r.text}
            </Text>
          ) : (
            <Text key={i}>{r.text}</Text>
          ),
        )}
      </Text>
    </Text>
  )
}
