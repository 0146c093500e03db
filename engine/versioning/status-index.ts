import type { KeysOptions } from '../../assets/partitions/types.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import { upstreamKeysFor, upstreamLinks, type UpstreamLink } from '../partitions/mapping.js'
import type { CorruptObjectRecord, LatestMaterialization, PartitionRunState } from '../storage/types.js'
import type { AssetStatus, DirectReason, RootCause, StaleReason } from './staleness.js'
import { versionChangeReasons, type VersionExplainer } from './version-reasons.js'
import { productionModelReasons, type ProductionVersions } from './production-models.js'

/** Status of one (asset, partition); `''` is the partition of an unpartitioned asset. */
export interface NodeState {
  key: string
  partitionKey: string
  status: AssetStatus
  /** Execution state from the state index, when the last attempt failed or is running. */
  runState?: Exclude<PartitionRunState, 'MATERIALIZED'>
  reasons: readonly StaleReason[]
  /** Root causes to pass downstream; derived from `reasons` when absent (see rootsOf). */
  roots?: RootCause[]
  latest?: StatusLatest
  /** Why the last attempt failed, when it did (unpartitioned assets). */
  failure?: LastFailure
}

/** A failed last attempt, as shown beside the status. */
export interface LastFailure {
  /** First line of the error. */
  message: string
  runId: string
  /** Epoch ms. */
  at: number
}

/** The root causes of a node: its own direct reasons, plus those inherited from upstream. */
export function rootsOf(node: NodeState): RootCause[] {
  if (node.roots) return node.roots
  const key = nodeLabel(node.key, node.partitionKey)
  return (node.roots = node.reasons.map((reason) => ({ key, reason: reason as DirectReason })))
}

const NEVER_MATERIALIZED: readonly StaleReason[] = Object.freeze([{ kind: 'NEVER_MATERIALIZED' }])
const NONE: readonly StaleReason[] = Object.freeze([])

export type PartitionDisplayStatus = AssetStatus | 'FAILED' | 'IN_PROGRESS'

/** What staleness needs of a materialization; full records satisfy it. */
export type StatusLatest = Pick<LatestMaterialization, 'codeVersion' | 'dataVersion' | 'consumed' | 'endedAt' | 'runId'> & Partial<LatestMaterialization>

export interface StatusSources {
  latestOf(key: string, partitionKey: string): StatusLatest | undefined
  runStateOf?(key: string, partitionKey: string): Exclude<PartitionRunState, 'MATERIALIZED'> | undefined
  failureOf?(key: string, partitionKey: string): LastFailure | undefined
  keysOptions: KeysOptions
  /** Explains a version change from recorded components (see version-reasons.ts); without it the reason is the bare change. */
  versionChange?: VersionExplainer
  /** The record of a latest materialization whose stored object was found damaged (see Storage.getCorruptObjects). */
  corruptOf?(key: string, partitionKey: string): CorruptObjectRecord | undefined
  /** The registry's production versions of the models assets declare (`asset({ models })`); without it they are not compared. */
  production?: ProductionVersions
}

const MAX_ROOTS = 20
const MAX_UPSTREAM_REASONS = 5

export const nodeLabel = (key: string, partitionKey: string) => (partitionKey ? `${key}[${partitionKey}]` : key)

/**
 * Status of every (asset, partition), computed once in topological and
 * partition order. Staleness is per partition: an upstream partition with a
 * new data version makes stale exactly the downstream partitions whose mapping
 * reads it, and an upstream that is stale or missing passes its root causes on.
 */
export class StatusIndex {
  private readonly states = new Map<string, NodeState[]>()
  // Built on first lookup: a leaf asset with 100,000 partitions is often only listed.
  private readonly partitionIndex = new Map<string, Map<string, number>>()

  constructor(
    private readonly defs: Definitions,
    order: readonly string[],
    private readonly sources: StatusSources,
  ) {
    for (const key of order) this.computeAsset(key)
  }

  /** Partition keys of an asset (`['']` when unpartitioned). */
  partitionKeys(key: string): string[] {
    return this.states.get(key)!.map((s) => s.partitionKey)
  }

  nodes(key: string): readonly NodeState[] {
    return this.states.get(key) ?? []
  }

  node(key: string, partitionKey = ''): NodeState | undefined {
    const nodes = this.states.get(key)
    if (!nodes) return undefined
    if (nodes.length === 1) return nodes[0]!.partitionKey === partitionKey ? nodes[0] : undefined
    let index = this.partitionIndex.get(key)
    // A self-dependent asset looks up its own earlier partitions while its list is still growing: rebuild once it has grown.
    if (!index || index.size !== nodes.length) {
      index = new Map(nodes.map((n, i) => [n.partitionKey, i]))
      this.partitionIndex.set(key, index)
    }
    const i = index.get(partitionKey)
    return i === undefined ? undefined : nodes[i]
  }

  private computeAsset(key: string): void {
    const asset = this.defs.byKey.get(key)!
    const keys = asset.partitions ? asset.partitions.keys(this.sources.keysOptions) : ['']
    const nodes: NodeState[] = []
    this.states.set(key, nodes)
    this.partitionIndex.delete(key)
    const links = upstreamLinks(this.defs, asset)
    // An asset reading a production model is judged on it too: not a leaf.
    if (links.length === 0 && !(asset.models?.length && this.sources.production)) {
      this.computeLeaf(asset, keys, nodes)
      return
    }
    for (const partitionKey of keys) nodes.push(this.computeNode(key, partitionKey, links))
  }

  /** Assets without upstreams: only "never built" and "code changed" apply, so skip the general path and share reason arrays. */
  private computeLeaf(asset: AssetDefinition<any>, keys: readonly string[], nodes: NodeState[]): void {
    const codeChanged = new Map<string, readonly StaleReason[]>()
    const { latestOf, runStateOf, failureOf } = this.sources
    for (const partitionKey of keys) {
      const latest = latestOf(asset.key, partitionKey)
      const runState = runStateOf?.(asset.key, partitionKey)
      let reasons: readonly StaleReason[] = NONE
      let status: AssetStatus = 'FRESH'
      if (!latest) {
        reasons = NEVER_MATERIALIZED
        status = 'MISSING'
      } else if (latest.codeVersion !== asset.codeVersion) {
        reasons = codeChanged.get(latest.codeVersion) ?? []
        if (reasons.length === 0) {
          reasons = Object.freeze(versionChangeReasons(asset, latest.codeVersion, this.sources.versionChange))
          codeChanged.set(latest.codeVersion, reasons)
        }
        status = 'STALE'
      }
      const corrupt = this.corruptReason(asset.key, partitionKey, latest)
      if (corrupt) {
        reasons = [corrupt, ...reasons]
        status = 'STALE'
      }
      const node: NodeState = runState ? { key: asset.key, partitionKey, status, runState, reasons, latest } : { key: asset.key, partitionKey, status, reasons, latest }
      const failure = runState === 'FAILED' ? failureOf?.(asset.key, partitionKey) : undefined
      if (failure) node.failure = failure
      nodes.push(node)
    }
  }

  /** A damaged object counts only while the materialization it was found under is still the latest. */
  private corruptReason(key: string, partitionKey: string, latest: StatusLatest | undefined): DirectReason | undefined {
    const c = latest ? this.sources.corruptOf?.(key, partitionKey) : undefined
    if (!c || (latest!.id !== undefined && latest!.id !== c.materializationId)) return undefined
    return { kind: 'CORRUPT_OBJECT', location: c.location, problem: c.problem }
  }

  private computeNode(key: string, partitionKey: string, links: UpstreamLink[]): NodeState {
    const asset = this.defs.byKey.get(key)!
    const latest = this.sources.latestOf(key, partitionKey)
    const runState = this.sources.runStateOf?.(key, partitionKey)
    const { direct, upstream } = directReasonsOf(asset, partitionKey, links, latest, this.sources.latestOf, this.sources.keysOptions, this.sources.versionChange, this.sources.production)
    const corrupt = this.corruptReason(key, partitionKey, latest)
    if (corrupt) direct.unshift(corrupt)
    const label = nodeLabel(key, partitionKey)
    const roots: RootCause[] = direct.slice(0, MAX_ROOTS).map((reason) => ({ key: label, reason }))
    const upstreamReasons: StaleReason[] = []
    let hiddenUpstream = 0
    for (const { link, upKey } of upstream) {
      const up = this.node(link.isSelf ? key : link.upstream.key, upKey)
      if (!up || up.status === 'FRESH') continue
      if (up.status === 'MISSING' && link.allowMissing) continue
      if (upstreamReasons.length >= MAX_UPSTREAM_REASONS) {
        hiddenUpstream++
        continue
      }
      const upRoots = rootsOf(up)
      upstreamReasons.push({ kind: up.status === 'MISSING' ? 'UPSTREAM_MISSING' : 'UPSTREAM_STALE', dep: nodeLabel(up.key, upKey), rootCauses: upRoots })
      for (const r of upRoots) {
        if (roots.length >= MAX_ROOTS) break
        if (!roots.some((x) => x.key === r.key && x.reason.kind === r.reason.kind)) roots.push(r)
      }
    }
    const reasons: StaleReason[] = [...direct, ...upstreamReasons]
    if (hiddenUpstream > 0) reasons.push({ kind: 'MORE_UPSTREAM', count: hiddenUpstream })
    const status: AssetStatus = !latest ? 'MISSING' : reasons.length > 0 ? 'STALE' : 'FRESH'
    const failure = runState === 'FAILED' ? this.sources.failureOf?.(key, partitionKey) : undefined
    return failure ? { key, partitionKey, status, runState, reasons, roots, latest, failure } : { key, partitionKey, status, runState, reasons, roots, latest }
  }
}

/**
 * The reasons that lie in the (asset, partition) itself, judged against the
 * latest materializations of the upstream partitions its mappings read:
 * never built, code changed, an upstream partition with data it has not
 * consumed, dependencies added/removed, or (given `production`) a production
 * model it reads changed. Also returns the upstream nodes it reads, for
 * propagating upstream staleness.
 */
export function directReasonsOf(
  asset: AssetDefinition<any>,
  partitionKey: string,
  links: readonly UpstreamLink[],
  latest: StatusLatest | undefined,
  latestOf: (key: string, partitionKey: string) => StatusLatest | undefined,
  keysOptions: KeysOptions,
  explain?: VersionExplainer,
  production?: ProductionVersions,
): { direct: DirectReason[]; upstream: Array<{ link: UpstreamLink; upKey: string }> } {
  const direct: DirectReason[] = []
  const changed = latest && latest.codeVersion !== asset.codeVersion ? versionChangeReasons(asset, latest.codeVersion, explain) : []
  if (!latest) direct.push({ kind: 'NEVER_MATERIALIZED' })
  const consumed = new Map<string, string>()
  if (latest) for (const e of latest.consumed) consumed.set(nodeLabel(e.upstreamAssetKey, e.upstreamPartitionKey), e.upstreamDataVersion)
  const mapped = new Set<string>()
  const upstream: Array<{ link: UpstreamLink; upKey: string }> = []
  for (const link of links) {
    const { keys } = upstreamKeysFor(asset, link, partitionKey ? [partitionKey] : [], keysOptions)
    for (const upKey of keys) {
      upstream.push({ link, upKey })
      const label = nodeLabel(link.upstream.key, upKey)
      mapped.add(label)
      if (!latest) continue
      const upLatest = latestOf(link.upstream.key, upKey)
      const consumedVersion = consumed.get(label)
      if (consumedVersion === undefined) {
        if (upLatest) direct.push({ kind: 'DEPENDENCY_ADDED', dep: label })
      } else if (upLatest && upLatest.dataVersion !== consumedVersion) {
        direct.push({ kind: 'UPSTREAM_DATA_CHANGED', dep: label, consumed: consumedVersion, current: upLatest.dataVersion })
      }
    }
  }
  if (latest) {
    for (const label of consumed.keys()) if (!mapped.has(label)) direct.push({ kind: 'DEPENDENCY_REMOVED', dep: label })
    if (production) direct.push(...productionModelReasons(asset, latest, production))
  }
  // A dependency added or removed in the definition is named once: by lineage when it names it (with the partition).
  const named = (r: DirectReason) =>
    (r.kind === 'DEPENDENCY_ADDED' || r.kind === 'DEPENDENCY_REMOVED') && direct.some((d) => d.kind === r.kind && (d.dep === r.dep || d.dep.startsWith(`${r.dep}[`)))
  return { direct: [...changed.filter((r) => !named(r)), ...direct], upstream }
}

export function displayStatus(node: NodeState): PartitionDisplayStatus {
  return node.runState ?? node.status
}
