/**
 * Cron ticks as automation needs them: the last tick at or before an
 * instant, the next one after it, and the ticks in between (schedules
 * catching up). The cron arithmetic (with Dagster's DST rules) lives with
 * the declarations, in assets/cron/.
 */
import { latestTick, nextTick } from '../../assets/cron/ticks.js'

export interface CronTicks {
  /** The first tick strictly after `after`. */
  next(cron: string, after: Date, timezone?: string): Date | undefined
  /** The last tick at or before `at`. */
  latest(cron: string, at: Date, timezone?: string): Date | undefined
}

export const cronTicks: CronTicks = {
  next: (cron, after, timezone) => nextTick(cron, after, timezone),
  latest: (cron, at, timezone) => latestTick(cron, at, timezone),
}

/** Ticks in (from, to], oldest first, at most `limit` of them (the latest ones when there are more). */
export function ticksBetween(cron: CronTicks, expr: string, from: Date, to: Date, timezone: string | undefined, limit: number): { ticks: Date[]; dropped: number } {
  const ticks: Date[] = []
  let dropped = 0
  for (let t = cron.next(expr, from, timezone); t && t.getTime() <= to.getTime(); t = cron.next(expr, t, timezone)) {
    ticks.push(t)
    if (ticks.length > limit) {
      ticks.shift()
      dropped++
    }
  }
  return { ticks, dropped }
}
