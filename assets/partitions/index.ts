/**
 * Partitions: how an asset splits into pieces, and how a downstream asset's
 * partitions map to the upstream partitions it reads. Pure: no I/O.
 *
 * Decisions (Dagster semantics unless noted):
 * - Time-window keys are formatted window starts: `yyyy-MM-dd`, or
 *   `yyyy-MM-dd-HH:mm` for hourly; a custom `fmt` uses luxon tokens.
 * - DST: skipped hours are not partitions; the second occurrence of a repeated
 *   hour is keyed with its UTC offset appended (`2021-11-07-01:00-0500`),
 *   the first keeps the plain key.
 * - endOffset counts windows from the one containing now, partition or not:
 *   no partition exists before its time (with endOffset 1, before its window
 *   starts). Dagster, between ticks, lists the first one up to a window early.
 * - Multi-partition keys join their parts in dimension-name order, whatever
 *   the declaration order (`{ region, date }` → `2024-01-01|us`).
 * - No key contains "|", ",", line breaks or control characters (key-rules.ts).
 * - An unpartitioned side is the single key `''` (UNPARTITIONED_KEY).
 * - timeWindowMapping offsets count downstream partitions; a negative
 *   endOffset alone also shifts the start (`{ endOffset: -1 }` reads the
 *   previous partition). Windows compare as instants, so zones may differ.
 */
export {
  timeWindowPartitions,
  hourlyPartitions,
  dailyPartitions,
  weeklyPartitions,
  monthlyPartitions,
} from './time-window-factories.js'
export type {
  TimeWindowPartitionsOptions,
  HourlyPartitionsOptions,
  DailyPartitionsOptions,
  WeeklyPartitionsOptions,
  MonthlyPartitionsOptions,
  CronPartitionsOptions,
} from './time-window-factories.js'
export { isTimeWindowPartitions } from './time-window.js'
export { staticPartitions, isStaticPartitions } from './static.js'
export { dynamicPartitions, isDynamicPartitions } from './dynamic.js'
export { multiPartitions, isMultiPartitions } from './multi.js'

export { identityMapping, allMapping, lastMapping } from './mappings/basic.js'
export { timeWindowMapping } from './mappings/time-window-mapping.js'
export type { TimeWindowArity, TimeWindowMappingOptions } from './mappings/time-window-mapping.js'
export { staticMapping } from './mappings/static-mapping.js'
export { multiMapping, dimensionMapping } from './mappings/multi-mapping.js'
export { UNPARTITIONED_KEY } from './mappings/common.js'
export { defaultMapping, checkMappingCompatible } from './mappings/default.js'
export { checkFutureLeak } from './mappings/future-leak.js'
export type { FutureLeakCheck } from './mappings/future-leak.js'

export type * from './types.js'
