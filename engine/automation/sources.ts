/**
 * What the daemon automates, read from loaded definitions: each asset's
 * condition spec, the schedules, the sensors and the automation settings
 * (`defineDefinitions({ schedules, sensors, automation })`).
 */
import type { AutomationSettings, BuiltinSensorSpec, CatchUp, ConditionSpec, ScheduleContext, SensorContext, SensorResult } from '../../assets/automation/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'

export interface ScheduleSource {
  name: string
  cron: string
  timezone: string
  /** Selection syntax. */
  target: string
  partitions?: 'latest' | ((ctx: ScheduleContext) => string[])
  catchUp: CatchUp
}

export interface SensorSource {
  name: string
  intervalSeconds: number
  target: string
  /** A sensor written in user code. */
  evaluate?: (ctx: SensorContext) => SensorResult | Promise<SensorResult>
  /** A built-in sensor (evaluated by the engine). */
  spec?: BuiltinSensorSpec
}

export interface AutomationSources {
  conditions: Map<string, ConditionSpec>
  schedules: ScheduleSource[]
  sensors: SensorSource[]
  settings: AutomationSettings
}

export const DEFAULT_SENSOR_INTERVAL_SECONDS = 30

/** The condition spec of an asset: `automation` holds an AutomationCondition, whose `spec` is plain data. */
export function conditionOf(asset: AssetDefinition<any>): ConditionSpec | undefined {
  return asset.automation?.spec
}

export function automationSources(defs: Definitions): AutomationSources {
  const conditions = new Map<string, ConditionSpec>()
  for (const a of defs.assets) {
    const spec = conditionOf(a)
    if (spec) conditions.set(a.key, spec)
  }
  const schedules = (defs.schedules ?? []).map(
    (s): ScheduleSource => ({ name: s.name, cron: s.cron, timezone: s.timezone ?? 'UTC', target: s.target, partitions: s.partitions, catchUp: s.catchUp ?? 'latest' }),
  )
  const sensors = (defs.sensors ?? []).map(
    (s): SensorSource => ({ name: s.name, intervalSeconds: s.intervalSeconds ?? DEFAULT_SENSOR_INTERVAL_SECONDS, target: s.target, evaluate: s.evaluate, spec: s.spec }),
  )
  const settings: AutomationSettings = { maxConcurrentRuns: defs.automation?.maxConcurrentRuns ?? 1 }
  if (defs.automation?.runTimeoutMs !== undefined) settings.runTimeoutMs = defs.automation.runTimeoutMs
  return { conditions, schedules, sensors, settings }
}
