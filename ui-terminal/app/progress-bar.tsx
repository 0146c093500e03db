/** A progress bar with done/total, rate and ETA, for runs and backfills. */
import { Text } from 'ink'
import { duration } from './theme.js'

export interface Progress {
  done: number
  total: number
  failed: number
  /** Items per second, if known. */
  rate?: number
}

/** Steps per second since the run started (undefined until something finished). */
export function rateOf(done: number, startedAt: number, now: number): number | undefined {
  const secs = (now - startedAt) / 1000
  return done > 0 && secs > 0 ? done / secs : undefined
}

/** `7/10 2.1/s eta 1.4 s` */
export function progressText({ done, total, rate }: Progress): string {
  const parts = [`${done}/${total}`]
  if (rate !== undefined) parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`)
  if (rate !== undefined && rate > 0 && done < total) parts.push(`eta ${duration(((total - done) / rate) * 1000)}`)
  return parts.join(' ')
}

/** Filled green (red for the failed share), the rest grey. */
export function ProgressBar({ progress, width }: { progress: Progress; width: number }) {
  const { done, total, failed } = progress
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0
  const red = total > 0 && failed > 0 ? Math.min(filled, Math.max(1, Math.round((failed / total) * width))) : 0
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled - red)}</Text>
      <Text color="red">{'█'.repeat(red)}</Text>
      <Text color="gray">{'░'.repeat(Math.max(0, width - filled))}</Text>
    </Text>
  )
}
