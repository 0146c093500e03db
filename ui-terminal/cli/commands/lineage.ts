import { StrataError } from '../../../assets/errors.js'
import { normalizeKey } from '../../../assets/keys.js'
import { suggestKeys } from '../../../engine/graph/selection.js'
import type { MaterializationRecord, Storage, Workspace } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'
import { color, escapeForTerminal, formatTime, printJson } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata lineage KEY — the latest materialization of KEY and, recursively, the exact
upstream materializations it consumed (run, code version, data version)

Options:
      --partition KEY   the materialization of one partition
      --depth N         levels of upstream to show (default: all)
${GLOBAL_HELP}`

interface LineageNode {
  materializationId: number
  key: string
  partitionKey: string | null
  input: string | null
  runId: string
  codeVersion: string
  dataVersion: string
  materializedAt: string
  location: string
  /** False when a newer materialization of this upstream exists. */
  isLatest: boolean
  /** Data version of the newest materialization of the same asset and partition. */
  latestDataVersion: string | null
  upstream: LineageNode[]
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

function print(node: LineageNode, indent: string, last: boolean, root: boolean): void {
  const branch = root ? '' : last ? '└─ ' : '├─ '
  const name = escapeForTerminal(`${node.key}${node.partitionKey ? `[${node.partitionKey}]` : ''}`)
  const via = node.input ? color.dim(` (input ${escapeForTerminal(node.input)})`) : root ? '' : color.dim(' (dep)')
  const stale = node.isLatest
    ? ''
    : node.latestDataVersion === node.dataVersion
      ? color.dim('  (re-materialized since, same data)')
      : color.yellow(`  superseded: now data ${node.latestDataVersion?.slice(0, 12)}`)
  console.log(`${indent}${branch}${color.bold(name)}${via}  data ${node.dataVersion.slice(0, 12)}  code ${node.codeVersion.slice(0, 12)}  run ${escapeForTerminal(node.runId.slice(0, 8))}  ${color.dim(formatTime(Date.parse(node.materializedAt)))}${stale}`)
  const childIndent = indent + (root ? '' : last ? '   ' : '│  ')
  node.upstream.forEach((child, i) => print(child, childIndent, i === node.upstream.length - 1, false))
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('lineage', argv, { partition: { type: 'string' }, depth: { type: 'string' } })
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata lineage takes exactly one asset key, e.g. strata lineage training/model.')
  const depth = positiveInt('depth', values.depth) ?? Infinity
  return withWorkspace(values, async (ws: Workspace) => {
    const key = normalizeKey(positionals[0]!)
    if (!ws.graph.has(key)) {
      const near = suggestKeys(key, ws.graph.keys())
      throw new StrataError('STRATA_UNKNOWN_ASSET', `No asset "${key}".${near.length ? ` Did you mean ${near.map((k) => `"${k}"`).join(', ')}?` : ''} See the assets with strata list.`)
    }
    const latest = await ws.storage.getLatest(key, values.partition ?? '')
    if (!latest) {
      throw new StrataError('STRATA_NOT_FOUND', `"${key}"${values.partition ? ` partition ${values.partition}` : ''} has never been materialized, so it has no lineage yet. Run: strata materialize "*${key}"`)
    }
    const tree = await build(ws.storage, latest, null, depth, new Set())
    if (values.json) printJson(tree)
    else print(tree, '', true, true)
    return 0
  })
}
