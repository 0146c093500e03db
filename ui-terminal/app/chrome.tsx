/** The header (what is loaded, status totals) and the status line (the latest message). */
import { Text } from 'ink'
import { useMemo } from 'react'
import type { AssetRow, StatusMessage } from './model.js'
import { Box } from 'ink'
import { clip, ROW_GLYPH, wrapText } from './theme.js'

export function Header({ title, rows, liveRuns, loading, width }: { title: string; rows: readonly AssetRow[]; liveRuns: number; loading: boolean; width: number }) {
  const counts = useMemo(() => {
    const c = { FRESH: 0, STALE: 0, MISSING: 0, RUNNING: 0, FAILED: 0 }
    for (const r of rows) c[r.status]++
    return c
  }, [rows])
  const name = clip(`strata ui  ${title}`, Math.max(10, width - 60))
  return (
    <Text wrap="truncate">
      <Text bold>{name}</Text>
      <Text dimColor>{`  ${rows.length} assets `}</Text>
      {(Object.keys(counts) as Array<keyof typeof counts>).map((s) =>
        counts[s] ? (
          <Text key={s} color={ROW_GLYPH[s].color}>
            {` ${ROW_GLYPH[s].glyph} ${counts[s]}`}
          </Text>
        ) : null,
      )}
      {liveRuns ? <Text color="blue">{`  ${liveRuns} live run${liveRuns === 1 ? '' : 's'}`}</Text> : null}
      {loading ? <Text dimColor>  loading…</Text> : null}
    </Text>
  )
}

const LEVEL_COLOUR = { info: 'green', warn: 'yellow', error: 'red' } as const

const MAX_STATUS_LINES = 3

function statusText(message: StatusMessage): string {
  return `${message.level === 'error' ? '✗ ' : message.level === 'warn' ? '! ' : ''}${message.text}`
}

/** Lines the status line takes: long messages (errors) wrap, up to three lines. */
export function statusLineHeight(message: StatusMessage | undefined, width: number): number {
  return message ? Math.max(1, Math.min(MAX_STATUS_LINES, wrapText(statusText(message), width).length)) : 1
}

export function StatusLine({ message, width }: { message?: StatusMessage; width: number }) {
  if (!message) return <Text dimColor>{clip('Ready. Press ? for help.', width)}</Text>
  const lines = wrapText(statusText(message), width, MAX_STATUS_LINES)
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate" color={LEVEL_COLOUR[message.level]}>
          {line}
        </Text>
      ))}
    </Box>
  )
}
