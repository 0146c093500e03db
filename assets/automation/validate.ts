/**
 * The automation part of `defineDefinitions()`: schedules, sensors and
 * settings checked against the assets (names unique, every target and every
 * asset a condition or sensor names declared).
 */
import { StrataError } from '../errors.js'
import type { AssetDefinition } from '../types.js'
import { conditionAssetKeys, isAutomationCondition } from './conditions.js'
import { isScheduleDefinition, type ScheduleDefinition } from './schedule.js'
import { isSensorDefinition, type SensorDefinition } from './sensor.js'
import type { AutomationSettings } from './types.js'

export interface AutomationSpec {
  /** Runs the daemon keeps going at once; the rest wait in order. @defaultValue 1 */
  maxConcurrentRuns?: number
  /** Limit on each run the daemon launches, in milliseconds; past it the run's steps are stopped. */
  runTimeoutMs?: number
}

export interface NormalizedAutomation {
  schedules: readonly ScheduleDefinition[]
  sensors: readonly SensorDefinition[]
  automation: AutomationSettings
}

function invalid(message: string, details?: Record<string, unknown>): StrataError {
  return new StrataError('STRATA_INVALID_AUTOMATION', message, details)
}

function list<T>(value: unknown, name: 'schedules' | 'sensors', is: (v: unknown) => v is T, create: string): T[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw invalid(`defineDefinitions(): ${name} must be an array, e.g. ${name}: [${create}].`)
  return value.map((v, i) => {
    if (!is(v)) throw invalid(`defineDefinitions(): ${name}[${i}] is not a ${name.slice(0, -1)} (got ${v === null ? 'null' : typeof v}). Create it with ${create}.`)
    return v
  })
}

const KEY_TERM = /^([*+]*)(.*?)([*+]*)$/s

/**
 * Every asset, group and tag a selection names must exist. Only names are
 * checked here; the engine parses the full syntax when it runs the target.
 */
export function checkTarget(target: string, assets: ReadonlyMap<string, AssetDefinition<any>>, where: string): void {
  for (const term of target.split(/[\s,]+/).filter((t) => t !== '')) {
    if (term === '*') continue
    if (term.startsWith('group:')) {
      const group = term.slice('group:'.length)
      if (![...assets.values()].some((a) => a.group === group)) {
        throw invalid(`${where} targets group "${group}", which no asset in the definitions belongs to. Fix the target or set group: '${group}' on its assets.`, { target, group })
      }
      continue
    }
    if (term.startsWith('tag:')) {
      const [k = '', v] = term.slice('tag:'.length).split(/=(.*)/s)
      if (![...assets.values()].some((a) => Object.hasOwn(a.tags, k) && (v === undefined || a.tags[k] === v))) {
        throw invalid(`${where} targets ${term}, which no asset in the definitions has. Fix the target or tag the assets.`, { target, tag: k })
      }
      continue
    }
    const key = KEY_TERM.exec(term)![2]!
    if (key === '' || /[*+]/.test(key)) throw invalid(`${where}: "${term}" in target "${target}" is not an asset selection term (e.g. raw/flights, raw/flights+, *features/flights, group:NAME, tag:K=V, *).`, { target })
    if (!assets.has(key)) {
      throw invalid(`${where} targets "${key}", which is not in the definitions. Declare it and add it to defineDefinitions({ assets }), or fix the target.`, { target, key })
    }
  }
}

function settings(spec: AutomationSpec | undefined): AutomationSettings {
  if (spec === undefined) return { maxConcurrentRuns: 1 }
  if (typeof spec !== 'object' || spec === null) throw invalid('defineDefinitions(): automation takes { maxConcurrentRuns?, runTimeoutMs? }.')
  for (const k of Object.keys(spec)) {
    if (k !== 'maxConcurrentRuns' && k !== 'runTimeoutMs') throw invalid(`defineDefinitions(): automation has no option "${k}" (options: maxConcurrentRuns, runTimeoutMs).`)
  }
  const max = spec.maxConcurrentRuns ?? 1
  if (!Number.isInteger(max) || max < 1) throw invalid(`defineDefinitions(): automation.maxConcurrentRuns must be a whole number ≥ 1 (got ${JSON.stringify(spec.maxConcurrentRuns)}).`)
  const out: AutomationSettings = { maxConcurrentRuns: max }
  if (spec.runTimeoutMs !== undefined) {
    const t = spec.runTimeoutMs
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw invalid(`defineDefinitions(): automation.runTimeoutMs must be a number of milliseconds > 0 (got ${JSON.stringify(t) ?? String(t)}). Leave it out for no limit.`)
    out.runTimeoutMs = t
  }
  return out
}

/** Checks and normalizes `defineDefinitions({ schedules, sensors, automation })` and the assets' conditions. */
export function normalizeAutomation(
  spec: { schedules?: unknown; sensors?: unknown; automation?: AutomationSpec },
  assets: ReadonlyMap<string, AssetDefinition<any>>,
): NormalizedAutomation {
  const schedules = list(spec.schedules, 'schedules', isScheduleDefinition, "schedule({ name, cron, target })")
  const sensors = list(spec.sensors, 'sensors', isSensorDefinition, 'sensor({ name, target, evaluate }), fileSensor({ path, target }) or assetSensor({ asset, target })')
  // One namespace: ticks, cursors and run tags name a schedule or sensor by name alone.
  const seen = new Map<string, string>()
  const claim = (name: string, what: string): void => {
    const before = seen.get(name)
    if (before) throw new StrataError('STRATA_DUPLICATE_NAME', `Duplicate automation name "${name}": a ${before} and a ${what} are declared with it. Rename one of them.`, { name })
    seen.set(name, what)
  }
  for (const s of schedules) {
    claim(s.name, 'schedule')
    checkTarget(s.target, assets, `Schedule "${s.name}"`)
  }
  for (const s of sensors) {
    claim(s.name, 'sensor')
    checkTarget(s.target, assets, `Sensor "${s.name}"`)
    if (s.spec?.kind === 'asset' && !assets.has(s.spec.asset)) {
      throw invalid(`Sensor "${s.name}" watches "${s.spec.asset}", which is not in the definitions. Declare it and add it to defineDefinitions({ assets }), or fix the sensor's asset.`, { name: s.name, key: s.spec.asset })
    }
  }
  for (const a of assets.values()) {
    if (a.automation === undefined) continue
    if (!isAutomationCondition(a.automation)) throw invalid(`Asset "${a.key}": automation must be a condition such as eager() or onCron('0 4 * * *').`)
    for (const key of conditionAssetKeys(a.automation.spec)) {
      if (!assets.has(key)) {
        throw invalid(`Asset "${a.key}": its automation condition names "${key}" (newlyUpdated), which is not in the definitions. Declare it and add it to defineDefinitions({ assets }), or fix the condition.`, { key: a.key, dep: key })
      }
    }
  }
  return { schedules: Object.freeze(schedules), sensors: Object.freeze(sensors), automation: Object.freeze(settings(spec.automation)) }
}
