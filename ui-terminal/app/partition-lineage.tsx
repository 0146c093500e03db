/**
 * Partition lineage in the detail pane: the exact upstream partitions the
 * selected partition's latest materialization consumed (its lineage edges),
 * per upstream asset. One summary line while lineage is hidden; with `l`,
 * every consumed partition key (wrapped, a few lines per upstream).
 */
import { Text } from 'ink'
import type { ReactNode } from 'react'
import { escapeForTerminal } from '../cli/output.js'
import type { PartitionInfo } from './model.js'
import { clip, shortVersion, wrapText } from './theme.js'

const KEY_LINES = 3

interface Consumed {
  key: string
  partitions: string[]
  dataVersion: string
}

/** Consumed edges grouped by upstream asset, in the order they were recorded. */
export function consumedByUpstream(info: PartitionInfo): Consumed[] {
  const by = new Map<string, Consumed>()
  for (const c of info.consumed ?? []) {
    const entry = by.get(c.key)
    if (entry) entry.partitions.push(c.partitionKey)
    else by.set(c.key, { key: c.key, partitions: [c.partitionKey], dataVersion: c.dataVersion })
  }
  return [...by.values()]
}

export function partitionLineageLines(info: PartitionInfo | undefined, expanded: boolean, width: number): ReactNode[] {
  if (!info?.consumed || info.materializedAt === undefined) return []
  const ups = consumedByUpstream(info)
  const title = `Consumed by ${info.partitionKey}`
  if (ups.length === 0) return [<Text dimColor>{clip(`${title}: no upstream`, width)}</Text>]
  if (!expanded) {
    const what = ups.map((u) => `${u.key}${u.partitions[0] === '' ? '' : ` ×${u.partitions.length}`}`).join(', ')
    return [
      <Text wrap="truncate">
        <Text dimColor>{`${title}: `}</Text>
        {clip(escapeForTerminal(what), Math.max(0, width - title.length - 2 - 12))}
        <Text dimColor> (l to show)</Text>
      </Text>,
    ]
  }
  const out: ReactNode[] = [<Text bold>{clip(escapeForTerminal(title), width)}</Text>]
  for (const u of ups) {
    if (u.partitions.length === 1) {
      const part = u.partitions[0] === '' ? '' : ` [${u.partitions[0]}]`
      out.push(
        <Text wrap="truncate">
          <Text dimColor>↑ </Text>
          {clip(escapeForTerminal(`${u.key}${part}`), Math.max(1, width - 20))}
          <Text dimColor>{`  data ${shortVersion(u.dataVersion)}`}</Text>
        </Text>,
      )
      continue
    }
    out.push(
      <Text wrap="truncate">
        <Text dimColor>↑ </Text>
        {clip(escapeForTerminal(u.key), Math.max(1, width - 18))}
        <Text dimColor>{`  ${u.partitions.length} partitions`}</Text>
      </Text>,
    )
    for (const line of wrapText(escapeForTerminal(u.partitions.join(', ')), Math.max(1, width - 4), KEY_LINES)) out.push(<Text dimColor>{`    ${line}`}</Text>)
  }
  return out
}
