import { isAssetDefinition } from './asset.js'
import { checkFutureLeak } from './partitions/mappings/future-leak.js'
import { checkMappingCompatible } from './partitions/mappings/default.js'
import { StrataError } from './errors.js'
import { isServedModel, type ServedModel } from './serving.js'
import { normalizeAutomation } from './automation/validate.js'
import type { AssetDefinition, Definitions, DefinitionsSpec, ExecutorSpec } from './types.js'

/** Finds one cycle, returned as a key path whose first and last entries are equal. */
export function findCycle(byKey: ReadonlyMap<string, AssetDefinition<any>>): string[] | undefined {
  const WHITE = 0
  const GREY = 1
  const BLACK = 2
  const color = new Map<string, number>()
  for (const root of byKey.keys()) {
    if ((color.get(root) ?? WHITE) !== WHITE) continue
    // Iterative DFS: thousands of assets in a chain must not overflow the stack.
    const stack: Array<{ key: string; next: number }> = [{ key: root, next: 0 }]
    color.set(root, GREY)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const ups = byKey.get(frame.key)!.upstreamKeys
      if (frame.next >= ups.length) {
        color.set(frame.key, BLACK)
        stack.pop()
        continue
      }
      const up = ups[frame.next++]!
      const c = color.get(up) ?? WHITE
      if (c === GREY) {
        const start = stack.findIndex((f) => f.key === up)
        // The stack runs downstream -> upstream; print it in data-flow order.
        const path = stack.slice(start).map((f) => f.key).reverse()
        return [...path, path[0]!]
      }
      if (c === WHITE && byKey.has(up)) {
        color.set(up, GREY)
        stack.push({ key: up, next: 0 })
      }
    }
  }
  return undefined
}

/**
 * Validates and bundles assets. Make it the default export of a definitions file.
 * Throws StrataError with code STRATA_DUPLICATE_KEY, STRATA_UNKNOWN_DEP, STRATA_CYCLE,
 * STRATA_INVALID_DEFINITIONS, or for schedules, sensors and conditions STRATA_INVALID_AUTOMATION,
 * STRATA_INVALID_CRON and STRATA_DUPLICATE_NAME.
 */
export function defineDefinitions(spec: DefinitionsSpec): Definitions {
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.assets)) {
    throw new StrataError('STRATA_INVALID_DEFINITIONS', 'defineDefinitions() takes { assets: [...] }.')
  }
  const byKey = new Map<string, AssetDefinition<any>>()
  spec.assets.forEach((a, i) => {
    if (!isAssetDefinition(a)) {
      throw new StrataError(
        'STRATA_INVALID_DEFINITIONS',
        `defineDefinitions(): assets[${i}] is not an asset (got ${a === null ? 'null' : typeof a}). Create assets with asset({ key, compute }).`,
      )
    }
    if (byKey.has(a.key)) {
      throw new StrataError('STRATA_DUPLICATE_KEY', `Duplicate asset key "${a.key}": two assets are declared with it. Rename one of them.`, { key: a.key })
    }
    byKey.set(a.key, a)
  })
  for (const a of byKey.values()) {
    for (const [name, input] of Object.entries(a.ins)) {
      if (!byKey.has(input.assetKey)) {
        throw new StrataError(
          'STRATA_UNKNOWN_DEP',
          `Asset "${a.key}" reads input "${name}" from "${input.assetKey}", which is not in the definitions. Declare it and add it to defineDefinitions({ assets }).`,
          { key: a.key, dep: input.assetKey },
        )
      }
    }
    for (const dep of a.deps) {
      if (!byKey.has(dep)) {
        throw new StrataError(
          'STRATA_UNKNOWN_DEP',
          `Asset "${a.key}" depends on "${dep}", which is not in the definitions. Declare it and add it to defineDefinitions({ assets }).`,
          { key: a.key, dep },
        )
      }
    }
  }
  validatePartitionInputs(byKey)
  const cycle = findCycle(byKey)
  if (cycle) {
    throw new StrataError('STRATA_CYCLE', `Dependency cycle: ${cycle.join(' -> ')}. Remove one of these dependencies.`, { cycle })
  }
  const pools = { ...(spec.pools ?? {}) }
  for (const [name, limit] of Object.entries(pools)) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new StrataError('STRATA_INVALID_DEFINITIONS', `Pool "${name}" has limit ${limit}; a pool limit must be a whole number ≥ 1.`)
    }
  }
  const executor = normalizeExecutor(spec.executor)
  const storage = checkStorageUrl(spec.storage)
  const objects = checkObjects(spec.objects)
  const serving: Record<string, ServedModel<any, any, any>> = {}
  for (const [name, served] of Object.entries(spec.serving ?? {})) {
    if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) throw new StrataError('STRATA_INVALID_DEFINITIONS', `serving: "${name}" is not a model name (letters, digits and _ - . /).`)
    if (!isServedModel(served)) throw new StrataError('STRATA_INVALID_DEFINITIONS', `serving.${name} is not a served model. Create it with servedModel({ load, parseInstance, predict }).`)
    if (served.featuresKey !== undefined && !byKey.has(served.featuresKey)) {
      throw new StrataError('STRATA_UNKNOWN_DEP', `serving.${name} reads features from "${served.featuresKey}", which is not in the definitions. Add it to defineDefinitions({ assets }).`, { key: name, dep: served.featuresKey })
    }
    serving[name] = served
  }
  const { schedules, sensors, automation } = normalizeAutomation(spec, byKey)
  const durability = spec.durability ?? 'fsync'
  if (durability !== 'fsync' && durability !== 'verify') {
    throw new StrataError('STRATA_INVALID_DEFINITIONS', `durability: ${JSON.stringify(durability)} is not a durability policy; use 'fsync' (the default: values are flushed to disk before they are recorded) or 'verify' (faster; a value lost in a power loss is found when read and rebuilt).`)
  }
  return Object.freeze({
    __strataDefinitions: true as const,
    assets: [...byKey.values()],
    byKey,
    pools,
    ...(executor ? { executor } : {}),
    ...(storage !== undefined ? { storage } : {}),
    ...(objects !== undefined ? { objects } : {}),
    resources: { ...(spec.resources ?? {}) },
    serving,
    schedules,
    sensors,
    automation,
    durability,
  })
}

/** `storage`: 'sqlite' or a postgres:// URL that parses (the engine checks the rest when it connects). */
function checkStorageUrl(url: unknown): string | undefined {
  if (url === undefined) return undefined
  const help = `use 'sqlite' (the default) or 'postgres://user@host:5432/database?schema=NAME'.`
  if (typeof url !== 'string') throw new StrataError('STRATA_INVALID_STORAGE_URL', `defineDefinitions: storage must be a string; ${help}`)
  if (url === 'sqlite') return url
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    // Never echo a URL that may hold a password: only its scheme.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]
    throw new StrataError('STRATA_INVALID_STORAGE_URL', `defineDefinitions: storage ${scheme ? `"${scheme}…"` : JSON.stringify(url)} is not a storage URL; ${help}`)
  }
  return url
}

/** `objects`: a directory or a postgres:// URL (the engine checks the rest when it opens the store). */
function checkObjects(spec: unknown): string | undefined {
  if (spec === undefined) return undefined
  const help = `use a directory (e.g. '/mnt/shared/strata') or 'postgres://user@host:5432/database?schema=NAME'.`
  if (typeof spec !== 'string' || spec.trim() === '') throw new StrataError('STRATA_INVALID_OBJECTS', `defineDefinitions: objects must be a non-empty string; ${help}`)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]
  if (scheme !== undefined && !/^postgres(ql)?$/i.test(scheme)) {
    throw new StrataError('STRATA_INVALID_OBJECTS', `defineDefinitions: objects "${scheme}://…" is not supported; ${help}`)
  }
  return spec
}

function normalizeExecutor(spec: ExecutorSpec | undefined): ExecutorSpec | undefined {
  if (spec === undefined) return undefined
  if (spec.queue !== undefined && (typeof spec.queue !== 'string' || !/^rediss?:\/\//.test(spec.queue))) {
    throw new StrataError('STRATA_INVALID_DEFINITIONS', `executor.queue: ${JSON.stringify(spec.queue)} is not a queue URL; use redis://HOST:6379 (or rediss:// for TLS).`)
  }
  const t = spec.workerTimeoutMs
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0)) {
    throw new StrataError('STRATA_INVALID_DEFINITIONS', `executor.workerTimeoutMs: ${JSON.stringify(t)} must be a number of milliseconds > 0.`)
  }
  return Object.freeze({ ...spec })
}

/**
 * Every input's mapping must fit both sides' partitions, and must not read
 * the future: a downstream partition may only read upstream partitions that
 * end no later than its own window ends (starts, for pointInTime: 'strict'),
 * unless the input says allowFuture.
 */
function validatePartitionInputs(byKey: ReadonlyMap<string, AssetDefinition<any>>): void {
  for (const a of byKey.values()) {
    for (const [name, input] of Object.entries(a.ins)) {
      const up = byKey.get(input.assetKey)!
      if (!input.isSelf) checkMappingCompatible(a.key, up.key, a.partitions, up.partitions, input.mapping)
      checkFutureLeak({
        downKey: a.key,
        upKey: up.key,
        inputName: name,
        downstream: a.partitions,
        upstream: up.partitions,
        mapping: input.mapping,
        allowFuture: input.allowFuture,
        ...(input.pointInTime ? { pointInTime: input.pointInTime } : {}),
      })
    }
    for (const dep of a.deps) {
      const up = byKey.get(dep)!
      checkMappingCompatible(a.key, up.key, a.partitions, up.partitions)
      checkFutureLeak({ downKey: a.key, upKey: up.key, inputName: `deps: ${dep}`, downstream: a.partitions, upstream: up.partitions })
    }
  }
}

export function isDefinitions(value: unknown): value is Definitions {
  return typeof value === 'object' && value !== null && (value as Definitions).__strataDefinitions === true
}
