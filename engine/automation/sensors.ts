/**
 * Sensors: when one is due, its evaluation (user code, or a built-in) and
 * the commit of what it returned: its run requests (a run key the sensor
 * already used is never launched again), its new cursor and its next due
 * time, together. A sensor that throws (or hangs past its limit) is
 * recorded FAILED, keeps its cursor and backs off; the daemon goes on.
 */
import type { AssetLogger } from '../../assets/types.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { SensorResult } from '../../assets/automation/types.js'
import type { AutomationCursor, AutomationTickCommit, NewAutomationRequest } from '../storage/types.js'
import { nodeLabel } from '../versioning/status-index.js'
import type { Workspace } from '../workspace.js'
import { evaluateBuiltinSensor } from './builtin-sensors.js'
import type { OpenSlot } from './context.js'
import { launchTags, planSlots, splitRequest, toRequests } from './requests.js'
import type { SensorSource } from './sources.js'

/** A sensor's evaluate() that has not returned after this long fails its tick. */
export const SENSOR_TIMEOUT_MS = 60_000
/** The longest a failing sensor waits before its next try. */
export const MAX_BACKOFF_MS = 60 * 60_000

export function sensorDue(sensor: SensorSource, cursor: AutomationCursor | undefined, now: Date): boolean {
  return cursor?.nextAt === undefined || cursor.nextAt <= now.getTime()
}

/** interval × 2^failures, at most an hour (and never less than the interval). */
export function backoffMs(intervalSeconds: number, failures: number): number {
  const interval = intervalSeconds * 1000
  return Math.max(interval, Math.min(MAX_BACKOFF_MS, interval * 2 ** Math.min(failures, 20)))
}

export interface SensorTickInput {
  ws: Workspace
  sensor: SensorSource
  cursor: AutomationCursor | undefined
  now: Date
  keysOptions: KeysOptions
  open: ReadonlyMap<string, OpenSlot>
  log: AssetLogger
  timeoutMs?: number
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`)), ms)
  })
  return Promise.race([p, limit]).finally(() => clearTimeout(timer))
}

function checkResult(name: string, r: unknown): SensorResult {
  if (r === undefined || r === null) return {}
  if (typeof r !== 'object' || Array.isArray(r)) throw new Error(`sensor "${name}" returned ${Array.isArray(r) ? 'an array' : typeof r}; return { runRequests?, skipReason?, cursor? }`)
  const result = r as SensorResult
  if (result.runRequests !== undefined && !Array.isArray(result.runRequests)) throw new Error(`sensor "${name}": runRequests must be an array`)
  if (result.cursor !== undefined && typeof result.cursor !== 'string') throw new Error(`sensor "${name}": cursor must be a string (got ${typeof result.cursor})`)
  for (const [i, req] of (result.runRequests ?? []).entries()) {
    if (typeof req !== 'object' || req === null) throw new Error(`sensor "${name}": runRequests[${i}] is not an object`)
    if (req.runKey !== undefined && typeof req.runKey !== 'string') throw new Error(`sensor "${name}": runRequests[${i}].runKey must be a string`)
    if (req.partitionKeys !== undefined && !Array.isArray(req.partitionKeys)) throw new Error(`sensor "${name}": runRequests[${i}].partitionKeys must be an array of keys`)
  }
  return result
}

export async function sensorTickCommit(input: SensorTickInput): Promise<AutomationTickCommit> {
  const { ws, sensor, cursor, now } = input
  const t = now.getTime()
  const started = performance.now()
  const tick = { sourceKind: 'sensor' as const, sourceName: sensor.name, evaluatedAt: t }
  let result: SensorResult
  let requests: NewAutomationRequest[] = []
  let merged = 0
  try {
    if (sensor.spec) result = await evaluateBuiltinSensor(ws, sensor.spec, cursor?.cursor)
    else if (sensor.evaluate) {
      const ctx = { cursor: cursor?.cursor, now, lastRunKey: cursor?.lastRunKey, log: input.log }
      result = checkResult(sensor.name, await withTimeout(Promise.resolve().then(() => sensor.evaluate!(ctx)), input.timeoutMs ?? SENSOR_TIMEOUT_MS, `sensor "${sensor.name}"`))
    } else throw new Error(`sensor "${sensor.name}" has neither evaluate() nor a built-in spec`)
    const open = new Map(input.open)
    for (const [i, req] of (result.runRequests ?? []).entries()) {
      const plan = planSlots(ws.defs, ws.graph, req.selection ?? sensor.target, req.partitionKeys, input.keysOptions)
      const split = splitRequest(plan, open)
      merged += split.merged.length
      const made = toRequests(split, {
        requestKey: `sensor:${sensor.name}:${now.toISOString()}:${i}`,
        sourceKind: 'sensor',
        sourceName: sensor.name,
        reason: `sensor ${sensor.name}${req.runKey !== undefined ? ` (run key ${req.runKey})` : ''}`,
        tags: launchTags('sensor', sensor.name, req.runKey !== undefined ? { 'strata/run-key': req.runKey } : {}),
        runKey: req.runKey,
        createdAt: t,
      })
      // Two requests of one evaluation for the same slot: the second merges into the first.
      for (const r of made) for (const s of r.slots) open.set(nodeLabel(s.assetKey, s.partitionKey), { requestId: -1, runId: r.runId, status: 'QUEUED' })
      requests = requests.concat(made)
    }
  } catch (err) {
    const failures = (cursor?.failures ?? 0) + 1
    const wait = backoffMs(sensor.intervalSeconds, failures)
    const message = `${err instanceof Error ? err.message : String(err)} (failure ${failures} in a row; next try in ${Math.round(wait / 1000)} s)`
    return {
      tick: { ...tick, status: 'FAILED', message, durationMs: performance.now() - started },
      cursor: { cursor: cursor?.cursor, lastRunKey: cursor?.lastRunKey, lastTickAt: t, failures, nextAt: t + wait },
    }
  }
  const lastRunKey = [...(result.runRequests ?? [])].reverse().find((r) => r.runKey !== undefined)?.runKey ?? cursor?.lastRunKey
  const next = { cursor: result.cursor ?? cursor?.cursor, lastRunKey, lastTickAt: t, failures: 0, nextAt: t + sensor.intervalSeconds * 1000 }
  const durationMs = performance.now() - started
  if (requests.length) return { tick: { ...tick, status: 'REQUESTED', message: `${requests.length} run(s) requested${merged ? `, ${merged} partition(s) merged` : ''}`, durationMs }, cursor: next, requests }
  const why = result.skipReason ?? (merged ? `every target is already requested or running (${merged} partition(s) merged)` : 'no run requested')
  return { tick: { ...tick, status: 'SKIPPED', message: why, durationMs }, cursor: next }
}
