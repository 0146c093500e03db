/**
 * The filter line: `/` then a search (keys, groups, descriptions and tags,
 * ranked) or a selection (Dagster syntax, when the text reads as one); a bad
 * selection shows the engine's error inline.
 */
import { Box, Text } from 'ink'
import { clip } from './theme.js'

export interface FilterState {
  /** Text being typed, or the applied filter. */
  text: string
  editing: boolean
  /** The engine's message for a bad selection. */
  error?: string
  /** Matching assets, when the text resolves. */
  matches?: number
  /** How the text was read. */
  mode?: 'search' | 'selection'
}

/** Lines the filter bar takes (0 when there is no filter). */
export function filterBarHeight(f: FilterState): number {
  if (!f.editing && f.text === '') return 0
  return f.error ? 2 : 1
}

export function FilterBar({ filter, width }: { filter: FilterState; width: number }) {
  if (filterBarHeight(filter) === 0) return null
  const info = filter.error ? '' : filter.matches !== undefined ? `  ${filter.matches} match${filter.matches === 1 ? '' : 'es'}${filter.mode ? ` · ${filter.mode}` : ''}` : ''
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text color="cyan" bold>
          /
        </Text>
        <Text>{clip(filter.text, Math.max(1, width - 20))}</Text>
        {filter.editing ? <Text color="cyan">▏</Text> : null}
        <Text dimColor>{info}</Text>
        {!filter.editing ? <Text dimColor>{'  (/ edit, Esc clear)'}</Text> : null}
      </Text>
      {filter.error ? (
        <Text color="red" wrap="truncate">
          {clip(`✗ ${filter.error}`, width)}
        </Text>
      ) : null}
    </Box>
  )
}
