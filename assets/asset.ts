import { normalizeChecks } from './checks.js'
import { codeVersionOf } from './code-version.js'
import { StrataError } from './errors.js'
import { normalizeKey } from './keys.js'
import { normalizeVersionInputs } from './version-inputs.js'
import { isAutomationCondition } from './automation/conditions.js'
import { normalizeFreshness } from './automation/freshness.js'
import type {
  AssetDefinition,
  AssetInput,
  AssetInputSpec,
  AssetKeyInput,
  AssetResult,
  AssetSpec,
  NormalizedInput,
  RetryPolicy,
  SelfReference,
  Unwrap,
} from './types.js'

/** Refers to the asset being declared, for inputs that read its own earlier partitions. */
export const self: SelfReference = Object.freeze({ __strataSelf: true as const })

export function isAssetDefinition(value: unknown): value is AssetDefinition<unknown> {
  return typeof value === 'object' && value !== null && (value as AssetDefinition).__strataAsset === true
}

function isSelf(value: unknown): value is SelfReference {
  return typeof value === 'object' && value !== null && (value as SelfReference).__strataSelf === true
}

function refKey(ref: AssetDefinition<unknown> | AssetKeyInput, where: string): string {
  if (isAssetDefinition(ref)) return ref.key
  if (typeof ref === 'string' || Array.isArray(ref)) return normalizeKey(ref)
  throw new StrataError('STRATA_INVALID_ASSET', `${where} must be an asset, an asset key string or a key path array.`)
}

function normalizeInput(ownKey: string, name: string, input: AssetInput): NormalizedInput {
  if (input === undefined || input === null) {
    throw new StrataError(
      'STRATA_INVALID_ASSET',
      `Asset "${ownKey}": input "${name}" is ${input}. If it refers to an asset declared later in the file, move that declaration up or pass its key as a string.`,
    )
  }
  if (isAssetDefinition(input)) {
    return { assetKey: input.key, isSelf: false, allowFuture: false, allowMissing: false }
  }
  const spec = input as AssetInputSpec
  if (typeof spec !== 'object' || !('asset' in spec)) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": input "${name}" must be an asset or { asset, mapping? }.`)
  }
  const selfRef = isSelf(spec.asset)
  if (spec.pointInTime !== undefined && spec.pointInTime !== 'strict') {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": input "${name}".pointInTime must be 'strict' (got ${JSON.stringify(spec.pointInTime)}); leave it out to allow reading the partition's own window.`)
  }
  if (spec.pointInTime === 'strict' && spec.allowFuture === true) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": input "${name}" says both pointInTime: 'strict' and allowFuture: true, which contradict each other. Keep one.`)
  }
  return {
    assetKey: selfRef ? ownKey : refKey(spec.asset as AssetDefinition<unknown> | AssetKeyInput, `Asset "${ownKey}": input "${name}".asset`),
    isSelf: selfRef,
    mapping: spec.mapping,
    allowFuture: spec.allowFuture === true,
    ...(spec.pointInTime === 'strict' ? { pointInTime: 'strict' as const } : {}),
    allowMissing: spec.allowMissing === true,
  }
}

function normalizeTimeout(ownKey: string, timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined) return undefined
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": timeoutMs must be a number of milliseconds > 0 (got ${JSON.stringify(timeoutMs) ?? String(timeoutMs)}). Leave it out for no limit.`)
  }
  return timeoutMs
}

/** Model names as the registry spells them (engine/registry/validate.ts), sorted and without repeats. */
function normalizeModels(ownKey: string, models: readonly string[] | undefined): readonly string[] {
  if (models === undefined) return []
  if (!Array.isArray(models)) throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": models must be a list of registry model names, e.g. models: ['delay'].`)
  for (const name of models) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_\-./]*$/.test(name) || name.length > 200) {
      throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": models lists ${JSON.stringify(name)}, which is not a model name (letters, digits and _ - . /).`)
    }
  }
  return Object.freeze([...new Set(models)].sort())
}

function normalizeRetry(ownKey: string, retry: RetryPolicy | undefined): AssetDefinition['retry'] {
  if (!retry) return undefined
  const maxRetries = retry.maxRetries ?? 1
  const delayMs = retry.delayMs ?? 0
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": retry.maxRetries must be a whole number ≥ 0 (got ${maxRetries}).`)
  }
  if (!(delayMs >= 0)) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": retry.delayMs must be ≥ 0 (got ${delayMs}).`)
  }
  if (retry.backoff !== undefined && retry.backoff !== 'linear' && retry.backoff !== 'exponential') {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": retry.backoff must be 'linear' or 'exponential' (got ${JSON.stringify(retry.backoff)}).`)
  }
  return { maxRetries, delayMs, backoff: retry.backoff, jitter: retry.jitter }
}

/**
 * Declares a software-defined asset.
 *
 * @example
 * const a = asset({ key: 'raw/a', compute: () => [1, 2, 3] })
 * const b = asset({ key: 'b', ins: { a }, compute: (ctx, { a }) => a.map((x) => x * 2) })
 */
export function asset<Ins extends Record<string, AssetInput> = {}, R = unknown, Self = unknown>(
  spec: AssetSpec<Ins, R, Self>,
): AssetResult<R, Self> {
  if (typeof spec !== 'object' || spec === null) throw new StrataError('STRATA_INVALID_ASSET', 'asset() takes an object: asset({ key, compute }).')
  const key = normalizeKey(spec.key)
  if (typeof spec.compute !== 'function') {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}" has no compute function: add compute: (ctx, inputs) => value.`)
  }
  const ins: Record<string, NormalizedInput> = {}
  for (const [name, input] of Object.entries(spec.ins ?? {})) ins[name] = normalizeInput(key, name, input as AssetInput)
  const deps = (spec.deps ?? []).map((d, i) => {
    if (d === undefined || d === null) throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}": deps[${i}] is ${d}.`)
    return refKey(d as AssetDefinition<unknown> | AssetKeyInput, `Asset "${key}": deps[${i}]`)
  })
  const upstream = new Set<string>()
  for (const input of Object.values(ins)) if (!input.isSelf) upstream.add(input.assetKey)
  for (const dep of deps) {
    if (dep === key) throw new StrataError('STRATA_CYCLE', `Asset "${key}" lists itself in deps: ${key} -> ${key}. Remove it.`)
    upstream.add(dep)
  }
  if (spec.codeVersion !== undefined && (typeof spec.codeVersion !== 'string' || spec.codeVersion === '')) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}": codeVersion must be a non-empty string.`)
  }
  if (spec.codeVersion !== undefined && spec.versionInputs !== undefined) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}": codeVersion pins the whole version, so versionInputs would be ignored. Drop codeVersion to version the asset by its code, structure and versionInputs, or drop versionInputs.`)
  }
  const versionInputs = normalizeVersionInputs(key, spec.versionInputs)
  if (spec.backfillPolicy && !(Number.isInteger(spec.backfillPolicy.maxPartitionsPerStep) && spec.backfillPolicy.maxPartitionsPerStep >= 1)) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}": backfillPolicy.maxPartitionsPerStep must be a whole number ≥ 1.`)
  }
  const checks = normalizeChecks(key, spec.checks)
  if (spec.automation !== undefined && !isAutomationCondition(spec.automation)) {
    throw new StrataError('STRATA_INVALID_AUTOMATION', `Asset "${key}": automation must be a condition such as eager(), onMissing() or onCron('0 4 * * *') (got ${spec.automation === null ? 'null' : typeof spec.automation}).`)
  }
  const freshness = normalizeFreshness(key, spec.freshness)
  for (const [tag, value] of Object.entries(spec.tags ?? {})) {
    if (typeof value !== 'string') throw new StrataError('STRATA_INVALID_ASSET', `Asset "${key}": tag "${tag}" must have a string value.`)
  }
  const compute = spec.compute as (...args: never[]) => unknown
  let computeHash = spec.codeVersion
  return Object.freeze({
    __strataAsset: true as const,
    key,
    keyPath: key.split('/'),
    ins,
    deps,
    upstreamKeys: [...upstream],
    group: spec.group ?? 'default',
    description: spec.description,
    tags: { ...(spec.tags ?? {}) },
    metadata: { ...(spec.metadata ?? {}) },
    // Hashed on first read: the engine derives the version of the computes it finds in the project's modules from its cached scans.
    get codeVersion(): string {
      return (computeHash ??= codeVersionOf(compute))
    },
    codeVersionSource: spec.codeVersion !== undefined ? ('explicit' as const) : ('auto' as const),
    versionInputs,
    retry: normalizeRetry(key, spec.retry),
    timeoutMs: normalizeTimeout(key, spec.timeoutMs),
    pool: spec.pool,
    models: normalizeModels(key, spec.models),
    observe: spec.observe === true,
    partitions: spec.partitions,
    backfillPolicy: spec.backfillPolicy,
    ...(spec.automation !== undefined ? { automation: spec.automation } : {}),
    ...(freshness !== undefined ? { freshness } : {}),
    checks,
    compute: spec.compute as unknown as AssetDefinition['compute'],
  }) as AssetResult<R, Self>
}
