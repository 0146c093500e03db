/**
 * A panel of "dev events" given as props (e.g. from watch mode: definitions
 * reloaded, a load error, a run triggered by a file change). The UI itself
 * does not watch anything; `strata dev` can pass its events to <App devEvents>.
 */
import { Box, Text } from 'ink'
import { clip, clock, LOG_COLOUR } from './theme.js'

export interface DevEvent {
  ts: number
  level: 'info' | 'warn' | 'error'
  message: string
}

export const DEV_PANEL_LINES = 5

export function DevEventsPanel({ events, width, height = DEV_PANEL_LINES }: { events: readonly DevEvent[]; width: number; height?: number }) {
  const shown = events.slice(Math.max(0, events.length - (height - 1)))
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold color="magenta">
          Dev events
        </Text>
        <Text dimColor>{events.length ? ` (${events.length})` : ' none yet'}</Text>
      </Text>
      {shown.map((e, i) => (
        <Text key={i} wrap="truncate">
          <Text dimColor>{clock(e.ts)} </Text>
          <Text color={LOG_COLOUR[e.level]}>{clip(e.message.replace(/\s*\n\s*/g, ' ⏎ '), Math.max(0, width - 9))}</Text>
        </Text>
      ))}
    </Box>
  )
}
