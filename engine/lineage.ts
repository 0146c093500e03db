/**
 * The lineage of one materialization as a tree: the exact upstream
 * materializations it consumed (run, code version, data version, partition),
 * recursively. Any materialization can be traced, not only the latest: a
 * registered model version names the materialization that trained it, so
 * its lineage stays what it was after newer versions are trained.
 */
import { StrataError } from '../assets/errors.js'
import type { ModelVersion } from '../assets/registry.js'
import type { MaterializationRecord, Storage } from './storage/types.js'
import { recordedProductionModels } from './versioning/production-models.js'

export interface LineageNode {
  materializationId: number
  key: string
  partitionKey: string | null
  /** The input it was read through (null for the root, or an order-only dependency). */
  input: string | null
  runId: string
  codeVersion: string
  dataVersion: string
  materializedAt: string
  location: string
  /** False when a newer materialization of this asset and partition exists. */
  isLatest: boolean
  /** Data version of the newest materialization of the same asset and partition. */
  latestDataVersion: string | null
  /** The registry production versions it was built with (`asset({ models })`; version null: none in production); empty when it reads none. */
  productionModels: Array<{ name: string; version: number | null }>
  upstream: LineageNode[]
}

/** The tree under `m`, `depth` levels of upstream deep (all by default); a materialization met twice is expanded once. */
export async function lineageTree(storage: Storage, m: MaterializationRecord, opts: { depth?: number } = {}): Promise<LineageNode> {
  return build(storage, m, null, opts.depth ?? Infinity, new Set())
}

async function build(storage: Storage, m: MaterializationRecord, input: string | null, depth: number, seen: Set<number>): Promise<LineageNode> {
  const latest = await storage.getLatest(m.assetKey, m.partitionKey)
  const node: LineageNode = {
    materializationId: m.id,
    key: m.assetKey,
    partitionKey: m.partitionKey || null,
    input,
    runId: m.runId,
    codeVersion: m.codeVersion,
    dataVersion: m.dataVersion,
    materializedAt: new Date(m.endedAt).toISOString(),
    location: m.location,
    isLatest: latest?.id === m.id,
    latestDataVersion: latest?.dataVersion ?? null,
    productionModels: Object.entries(recordedProductionModels(m.metadata) ?? {}).map(([name, version]) => ({ name, version: typeof version === 'number' ? version : null })),
    upstream: [],
  }
  if (depth <= 0 || seen.has(m.id)) return node
  seen.add(m.id)
  for (const edge of await storage.getLineage(m.id)) {
    const up = await storage.getMaterialization(edge.upstreamMaterializationId)
    if (up) node.upstream.push(await build(storage, up, edge.inputName ?? null, depth - 1, seen))
  }
  return node
}

/**
 * Materialization `id`, which must be of `assetKey`. Throws
 * STRATA_UNKNOWN_MATERIALIZATION naming the asset's recent ones otherwise.
 */
export async function materializationOf(storage: Storage, assetKey: string, id: number): Promise<MaterializationRecord> {
  const m = await storage.getMaterialization(id)
  if (m && m.assetKey === assetKey) return m
  if (m) {
    throw new StrataError('STRATA_UNKNOWN_MATERIALIZATION', `Materialization ${id} is of "${m.assetKey}", not "${assetKey}". Run: strata lineage ${m.assetKey} --materialization ${id}`, {
      id,
      assetKey,
      actual: m.assetKey,
    })
  }
  const recent = await storage.listMaterializations(assetKey, { limit: 5 })
  throw new StrataError(
    'STRATA_UNKNOWN_MATERIALIZATION',
    `No materialization ${id} in ${storage.description}.${recent.length ? ` The latest of "${assetKey}": ${recent.map((r) => `${r.id}${r.partitionKey ? ` [${r.partitionKey}]` : ''}`).join(', ')}.` : ` "${assetKey}" has never been materialized.`}`,
    { id, assetKey },
  )
}

/**
 * The materialization that produced a registered model version (the step
 * that called ctx.registry.register). Throws STRATA_NOT_FOUND for a version
 * registered without one (registerModel from a script), and
 * STRATA_UNKNOWN_MATERIALIZATION if it is not in this home.
 */
export async function modelMaterialization(storage: Storage, model: ModelVersion): Promise<MaterializationRecord> {
  const id = model.lineage.materializationId
  if (typeof id !== 'number') {
    throw new StrataError(
      'STRATA_NOT_FOUND',
      `Model ${model.name} v${model.version} was registered without a materialization (e.g. by registerModel() from a script), so it has no recorded lineage. See what was recorded with: strata models show ${model.name} ${model.version}`,
      { name: model.name, version: model.version },
    )
  }
  const m = await storage.getMaterialization(id)
  if (!m) {
    throw new StrataError('STRATA_UNKNOWN_MATERIALIZATION', `Model ${model.name} v${model.version} names materialization ${id}, which is not in ${storage.description}: it was registered in another home.`, {
      name: model.name,
      version: model.version,
      id,
    })
  }
  return m
}
