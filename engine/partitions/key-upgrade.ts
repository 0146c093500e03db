/**
 * Rewrites stored multi-partition keys into dimension-name order the first
 * time a home is opened with definitions (see migration 006 for why SQL alone
 * cannot). For each stored key the order of its parts is decided, in turn, by:
 *
 * 1. the recorded order (for keys written before it was recorded: the order
 *    the dimensions are declared in, which is what wrote them), if every part
 *    is a key of the dimension that order gives it;
 * 2. else the one order in which every part fits its dimension (the
 *    declaration was reordered between runs), if exactly one does;
 * 3. else the recorded or declared order again: several orders fit (two
 *    dimensions sharing keys) or none does (a key since removed), and that is
 *    the order the key was written in.
 *
 * Keys with the wrong number of parts, or of an asset whose dimension names
 * changed with no order fitting uniquely, are left as they are (reported in
 * `unresolved`): they are no partition of the current definition either way.
 */
import { compareNames, isKeyOf, isMultiPartitions, MULTI_SEPARATOR, type MultiPartitions } from '../../assets/partitions/multi.js'
import type { KeysOptions } from '../../assets/partitions/types.js'
import type { Definitions } from '../../assets/types.js'
import type { PartitionKeyLayout, PartitionKeyRewrite, Storage } from '../storage/types.js'

/** Orders of n parts: perm[i] is the dimension (in key order) that stored part i belongs to. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]]
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))
}

function chooseOrder(def: MultiPartitions, parts: readonly string[], preferred: number[] | undefined, opts: KeysOptions): number[] | undefined {
  const fits = (perm: readonly number[]): boolean => parts.every((p, i) => isKeyOf(def.dimensions[perm[i]!]!.partitions, p, opts))
  if (preferred && fits(preferred)) return preferred
  const fitting = parts.length <= 6 ? permutations(parts.length).filter(fits) : []
  if (fitting.length === 1) return fitting[0]
  return preferred
}

/** The renames that bring one asset's stored keys to the key order of `def`. */
export function planKeyRewrite(def: MultiPartitions, layout: PartitionKeyLayout, opts: KeysOptions = {}): PartitionKeyRewrite {
  const names = def.dimensions.map((d) => d.name)
  const written = layout.dimensions ?? def.declaredOrder
  const sameNames = written.length === names.length && [...written].sort(compareNames).every((n, i) => n === names[i])
  const preferred = sameNames ? written.map((n) => names.indexOf(n)) : undefined
  const renames: Array<[string, string]> = []
  const unresolved: string[] = []
  for (const key of layout.keys) {
    const parts = key.split(MULTI_SEPARATOR)
    const order = parts.length === names.length ? chooseOrder(def, parts, preferred, opts) : undefined
    if (!order) {
      unresolved.push(key)
      continue
    }
    const out = new Array<string>(parts.length)
    order.forEach((dim, i) => (out[dim] = parts[i]!))
    const next = out.join(MULTI_SEPARATOR)
    if (next !== key) renames.push([key, next])
  }
  return { assetKey: layout.assetKey, dimensions: names, renames, unresolved }
}

/**
 * Brings the stored keys of every multi-partitioned asset of `defs` to
 * dimension-name order and records that order; a no-op read once done.
 * Returns the rewrites applied.
 */
export async function upgradeMultiPartitionKeys(storage: Storage, defs: Definitions, now = Date.now()): Promise<PartitionKeyRewrite[]> {
  const multis = new Map<string, MultiPartitions>()
  for (const a of defs.assets) if (isMultiPartitions(a.partitions)) multis.set(a.key, a.partitions)
  if (multis.size === 0) return []
  const expected = new Map([...multis].map(([key, def]) => [key, def.dimensions.map((d) => d.name)]))
  const hasDynamic = [...multis.values()].some((m) => m.dimensions.some((d) => d.partitions.kind === 'dynamic'))
  const opts: KeysOptions = hasDynamic ? { dynamicKeys: await storage.getDynamicPartitions() } : {}
  return storage.upgradePartitionKeyLayouts(expected, (layout) => planKeyRewrite(multis.get(layout.assetKey)!, layout, opts), now)
}
