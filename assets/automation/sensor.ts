/**
 * Sensors: code the daemon calls on an interval that decides whether to
 * launch runs (`evaluate` returns run requests, a skip reason and a new
 * cursor). The built-in `fileSensor` and `assetSensor` are declared as data
 * only: watching a file or the event log needs I/O, which the engine does.
 */
import { normalizeKey } from '../keys.js'
import type { AssetDefinition, AssetKeyInput } from '../types.js'
import { checkName, checkTargetText, invalidAutomation } from './schedule.js'
import type { BuiltinSensorSpec, SensorContext, SensorResult } from './types.js'

/** @defaultValue of `intervalSeconds`. */
export const DEFAULT_SENSOR_INTERVAL_SECONDS = 30

export interface SensorSpec {
  /** Unique among the schedules and sensors of the definitions. */
  name: string
  /** Seconds between evaluations. @defaultValue 30 */
  intervalSeconds?: number
  /** Asset selection its run requests materialize, unless a request names its own `selection`. */
  target: string
  /**
   * Decides what to run. `ctx.cursor` is the cursor the last evaluation
   * returned; a request whose `runKey` this sensor already used is never
   * launched again. A throw is recorded and the sensor backs off.
   */
  evaluate(ctx: SensorContext): SensorResult | Promise<SensorResult>
  description?: string
}

/** A declared sensor. Create with `sensor()`, `fileSensor()` or `assetSensor()`. */
export interface SensorDefinition {
  readonly __strataSensor: true
  readonly name: string
  readonly intervalSeconds: number
  readonly target: string
  /** A sensor written in user code. */
  readonly evaluate?: (ctx: SensorContext) => SensorResult | Promise<SensorResult>
  /** A built-in sensor, evaluated by the engine. */
  readonly spec?: BuiltinSensorSpec
  readonly description?: string
}

function checkInterval(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_SENSOR_INTERVAL_SECONDS
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidAutomation(`${where}: intervalSeconds must be a number of seconds > 0 (got ${JSON.stringify(value) ?? String(value)}).`)
  }
  return value
}

function object<T>(spec: T, fn: string, example: string): T {
  if (typeof spec !== 'object' || spec === null) throw invalidAutomation(`${fn}() takes an object, e.g. ${example}.`)
  return spec
}

/** Declares a sensor; register it with `defineDefinitions({ sensors })`. */
export function sensor(spec: SensorSpec): SensorDefinition {
  object(spec, 'sensor', "sensor({ name: 'new_files', target: 'raw/files', evaluate: (ctx) => ({ runRequests: [] }) })")
  const name = checkName(spec.name, 'sensor()')
  const where = `Sensor "${name}"`
  if (typeof spec.evaluate !== 'function') throw invalidAutomation(`${where} needs evaluate: (ctx) => ({ runRequests, skipReason?, cursor? }).`)
  return Object.freeze({
    __strataSensor: true as const,
    name,
    intervalSeconds: checkInterval(spec.intervalSeconds, where),
    target: checkTargetText(spec.target, where),
    evaluate: spec.evaluate,
    ...(spec.description !== undefined ? { description: String(spec.description) } : {}),
  })
}

export interface FileSensorSpec {
  /** @defaultValue `file:<path>` */
  name?: string
  /** The file to watch. Its size, modification time and content hash are compared at each evaluation. */
  path: string
  target: string
  /** @defaultValue 30 */
  intervalSeconds?: number
}

/** Fires when a file changes (size, modification time and content hash). */
export function fileSensor(spec: FileSensorSpec): SensorDefinition {
  object(spec, 'fileSensor', "fileSensor({ path: 'data/flights.parquet', target: 'raw/flights' })")
  if (typeof spec.path !== 'string' || spec.path === '') throw invalidAutomation(`fileSensor() needs path: the file to watch, e.g. 'data/flights.parquet' (got ${JSON.stringify(spec.path) ?? String(spec.path)}).`)
  const name = checkName(spec.name ?? `file:${spec.path}`, 'fileSensor()')
  const where = `Sensor "${name}"`
  return Object.freeze({
    __strataSensor: true as const,
    name,
    intervalSeconds: checkInterval(spec.intervalSeconds, where),
    target: checkTargetText(spec.target, where),
    spec: Object.freeze({ kind: 'file' as const, path: spec.path }),
  })
}

export interface AssetSensorSpec {
  /** @defaultValue `asset:<key>` */
  name?: string
  /** The asset whose new materializations trigger runs, including ones made by another process. */
  asset: AssetKeyInput | AssetDefinition<any>
  target: string
  /** @defaultValue 30 */
  intervalSeconds?: number
}

/** Fires on each new materialization of an asset. */
export function assetSensor(spec: AssetSensorSpec): SensorDefinition {
  object(spec, 'assetSensor', "assetSensor({ asset: 'raw/flights', target: 'features/flights' })")
  const a = spec.asset
  let key: string
  if (typeof a === 'object' && a !== null && (a as AssetDefinition).__strataAsset === true) key = (a as AssetDefinition).key
  else if (typeof a === 'string' || Array.isArray(a)) key = normalizeKey(a as AssetKeyInput)
  else throw invalidAutomation(`assetSensor() needs asset: an asset or its key, e.g. 'raw/flights' (got ${a === null ? 'null' : typeof a}).`)
  const name = checkName(spec.name ?? `asset:${key}`, 'assetSensor()')
  const where = `Sensor "${name}"`
  return Object.freeze({
    __strataSensor: true as const,
    name,
    intervalSeconds: checkInterval(spec.intervalSeconds, where),
    target: checkTargetText(spec.target, where),
    spec: Object.freeze({ kind: 'asset' as const, asset: key }),
  })
}

export function isSensorDefinition(value: unknown): value is SensorDefinition {
  return typeof value === 'object' && value !== null && (value as SensorDefinition).__strataSensor === true
}
