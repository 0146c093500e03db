import { StrataError } from '../assets/errors.js'
import type { KeysOptions } from '../assets/partitions/types.js'
import { partitionsFor, type PartitionRequest } from './partitions/targets.js'
import { loadStatusIndex } from './status.js'
import { nodeLabel, type NodeState } from './versioning/status-index.js'
import type { Workspace } from './workspace.js'

export interface TargetOptions {
  /** Partitions to build; required for partitioned assets unless `stale`. */
  partitions?: PartitionRequest
  /** Keep only missing or stale assets/partitions. */
  stale?: boolean
  /**
   * With `stale`: also keep what is fresh but whose last attempt failed (it is
   * not up to date), adding its `nodeLabel` here so that the run does not skip
   * it as up to date either; so are stale ones whose last attempt failed, and
   * those whose stored object is corrupt.
   */
  failed?: Set<string>
  keysOptions: KeysOptions
}

/** asset key → partitions to build (`[]` for an unpartitioned asset), in the given order. */
export async function resolveTargets(ws: Workspace, keys: readonly string[], opts: TargetOptions): Promise<Map<string, string[]>> {
  const selected = keys.map((k) => ws.defs.byKey.get(k)!)
  const wanted = opts.partitions && (opts.partitions.keys?.length || opts.partitions.from || opts.partitions.to) ? opts.partitions : undefined
  if (!wanted && !opts.stale) {
    const partitioned = selected.filter((a) => a.partitions)
    if (partitioned.length > 0) {
      const a = partitioned[0]!
      const keysOf = a.partitions!.keys(opts.keysOptions)
      const example = keysOf[keysOf.length - 1] ?? 'KEY'
      throw new StrataError(
        'STRATA_USAGE',
        `"${a.key}" is partitioned (${keysOf.length} partitions)${partitioned.length > 1 ? `, as are ${partitioned.length - 1} other selected asset(s)` : ''}: say which partitions to build with --partition ${example}, build every missing or stale one with --stale, or backfill a range: strata backfill "${a.key}" --from ${keysOf[0] ?? 'KEY'} --to ${example}.`,
      )
    }
  }
  const index = opts.stale ? await loadStatusIndex(ws, { keys, keysOptions: opts.keysOptions }) : undefined
  const failed = opts.failed
  const skip = (n: NodeState) => {
    // A failed last attempt or a damaged object: the run must not skip them as up to date (their inputs and code may be unchanged).
    const rebuild = failed !== undefined && (n.runState === 'FAILED' || n.reasons.some((r) => r.kind === 'CORRUPT_OBJECT'))
    if (rebuild) failed.add(nodeLabel(n.key, n.partitionKey))
    return n.status === 'FRESH' && !rebuild
  }
  const targets = new Map<string, string[]>()
  for (const asset of selected) {
    let partitions: string[] = []
    if (asset.partitions) {
      partitions = wanted ? partitionsFor(asset, wanted, selected, opts.keysOptions) : asset.partitions.keys(opts.keysOptions)
      if (index) {
        const fresh = new Set(index.nodes(asset.key).filter(skip).map((n) => n.partitionKey))
        partitions = partitions.filter((p) => !fresh.has(p))
      }
      if (partitions.length === 0) continue
    } else if (index && skip(index.node(asset.key)!)) {
      continue
    }
    targets.set(asset.key, partitions)
  }
  return targets
}
