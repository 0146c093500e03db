/**
 * Types of the automation declarations: conditions (as plain JSON specs, so
 * they can be hashed, stored and sent to workers), schedules and sensors.
 * Pure: the engine evaluates them (engine/automation/).
 */
import type { AssetLogger } from '../types.js'

/** An automation condition as data. Combine with `and`, `or`, `not`. */
export type ConditionSpec =
  | { kind: 'eager'; lookback?: number; backfillHistory?: boolean }
  | { kind: 'onCron'; cron: string; timezone?: string; backfillHistory?: boolean }
  | { kind: 'onMissing'; backfillHistory?: boolean }
  | { kind: 'missing' }
  | { kind: 'stale' }
  | { kind: 'inProgress' }
  | { kind: 'executionFailed' }
  | { kind: 'newlyUpdated'; upstream?: string }
  | { kind: 'codeVersionChanged' }
  | { kind: 'cronTickPassed'; cron: string; timezone?: string }
  | { kind: 'and'; of: ConditionSpec[] }
  | { kind: 'or'; of: ConditionSpec[] }
  | { kind: 'not'; of: ConditionSpec }

export type ConditionKind = ConditionSpec['kind']

/** What a schedule's `partitions` function receives. */
export interface ScheduleContext {
  tick: Date
  scheduledFor: Date
}

/** Ticks missed while the daemon was down: the latest only, every one, or none. */
export type CatchUp = 'latest' | 'all' | 'none'

/** One run a sensor asks for. A `runKey` already used by the same sensor is never launched again. */
export interface RunRequest {
  selection?: string
  partitionKeys?: string[]
  runKey?: string
}

/** What a sensor's `evaluate` returns. */
export interface SensorResult {
  runRequests?: RunRequest[]
  skipReason?: string
  cursor?: string
}

/** What a sensor's `evaluate` receives. */
export interface SensorContext {
  /** The cursor the last evaluation returned (stored by the daemon). */
  cursor: string | undefined
  now: Date
  lastRunKey?: string
  log: AssetLogger
}

/** Built-in sensors whose evaluation needs I/O: the declaration holds only this data. */
export type BuiltinSensorSpec = { kind: 'file'; path: string } | { kind: 'asset'; asset: string }

/** `defineDefinitions({ automation })`, normalized. */
export interface AutomationSettings {
  /** @defaultValue 1 */
  maxConcurrentRuns: number
  runTimeoutMs?: number
}
