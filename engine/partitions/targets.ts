import { StrataError } from '../../assets/errors.js'
import type { KeysOptions, PartitionsDefinition, TimeWindowPartitionsDefinition } from '../../assets/partitions/types.js'
import type { AssetDefinition } from '../../assets/types.js'

/** Which partitions a command asks for: explicit keys, or an inclusive range. */
export interface PartitionRequest {
  keys?: readonly string[]
  from?: string
  to?: string
}

const isTimeWindow = (def: PartitionsDefinition | undefined): def is TimeWindowPartitionsDefinition => def?.kind === 'time-window'

function validIn(def: PartitionsDefinition, key: string, opts: KeysOptions): boolean {
  try {
    def.validateKey(key, opts)
    return true
  } catch {
    return false
  }
}

/**
 * The partitions of `asset` that a request covers. Keys valid for the asset's
 * own definition are used as they are; for a time-window asset, keys of
 * another selected asset's time windows (e.g. daily keys for a weekly asset)
 * select the windows that overlap them.
 */
export function partitionsFor(asset: AssetDefinition<any>, request: PartitionRequest, selected: readonly AssetDefinition<any>[], opts: KeysOptions): string[] {
  const def = asset.partitions
  if (!def) return []
  const given = request.keys ?? [request.from, request.to].filter((k): k is string => k !== undefined)
  if (given.length === 0) return []
  if (given.every((k) => validIn(def, k, opts))) {
    if (request.keys) return orderByDefinition(def, request.keys, opts)
    return rangeIn(def, request.from ?? given[0]!, request.to ?? given[given.length - 1]!, opts)
  }
  if (isTimeWindow(def)) {
    const anchor = selected.map((a) => a.partitions).find((d): d is TimeWindowPartitionsDefinition => isTimeWindow(d) && given.every((k) => validIn(d, k, opts)))
    if (anchor) {
      const windows = given.map((k) => anchor.window(k))
      const start = new Date(Math.min(...windows.map((w) => w.start.getTime())))
      const end = new Date(Math.max(...windows.map((w) => w.end.getTime())))
      if (request.keys) {
        const out = new Set<string>()
        for (const w of windows) for (const p of def.windowsOverlapping(w.start, w.end, opts)) out.add(p.key)
        return orderByDefinition(def, [...out], opts)
      }
      return def.windowsOverlapping(start, end, opts).map((w) => w.key)
    }
  }
  // Report the first key this asset cannot use, with the definition's own message.
  for (const k of given) def.validateKey(k, opts)
  return []
}

function orderByDefinition(def: PartitionsDefinition, keys: readonly string[], opts: KeysOptions): string[] {
  const wanted = new Set(keys)
  return def.keys(opts).filter((k) => wanted.has(k))
}

function rangeIn(def: PartitionsDefinition, from: string, to: string, opts: KeysOptions): string[] {
  if (isTimeWindow(def)) {
    if (def.window(from).start > def.window(to).start) {
      throw new StrataError('STRATA_INVALID_PARTITION_KEY', `The range ${from}..${to} is backwards: --from must not come after --to.`)
    }
    return def.keysInRange(from, to, opts)
  }
  const keys = def.keys(opts)
  const i = keys.indexOf(from)
  const j = keys.indexOf(to)
  if (i > j) throw new StrataError('STRATA_INVALID_PARTITION_KEY', `The range ${from}..${to} is backwards: --from must not come after --to.`)
  return keys.slice(i, j + 1)
}
