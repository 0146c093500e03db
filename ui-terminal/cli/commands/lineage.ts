import { StrataError } from '../../../assets/index.js'
import { keysOptionsFor, lineageTree, materializationOf, type LineageNode, type Workspace } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'
import { color, escapeForTerminal, formatTime, printJson } from '../output.js'
import { assetKeyArg } from '../suggest.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata lineage KEY — the latest materialization of KEY and, recursively, the exact
upstream materializations it consumed (run, code version, data version)

Options:
      --partition KEY        the materialization of one partition
      --materialization ID   an earlier materialization of KEY instead of the latest (its id is the #N
                             this command prints, or materializationId in --json)
      --depth N              levels of upstream to show (default: all)
${GLOBAL_HELP}

A registered model version's lineage: strata models lineage NAME VERSION.
JSON: schemas/lineage.schema.json.`

/** The tree, one line per materialization, as `strata lineage` and `strata models lineage` print it. */
export function printLineage(node: LineageNode, indent = '', last = true, root = true): void {
  const branch = root ? '' : last ? '└─ ' : '├─ '
  const name = escapeForTerminal(`${node.key}${node.partitionKey ? `[${node.partitionKey}]` : ''}`)
  const via = node.input ? color.dim(` (input ${escapeForTerminal(node.input)})`) : root ? '' : color.dim(' (dep)')
  const stale = node.isLatest
    ? ''
    : node.latestDataVersion === node.dataVersion
      ? color.dim('  (re-materialized since, same data)')
      : color.yellow(`  superseded: now data ${node.latestDataVersion?.slice(0, 12)}`)
  console.log(`${indent}${branch}${color.bold(name)}${color.dim(` #${node.materializationId}`)}${via}  data ${node.dataVersion.slice(0, 12)}  code ${node.codeVersion.slice(0, 12)}  run ${escapeForTerminal(node.runId.slice(0, 8))}  ${color.dim(formatTime(Date.parse(node.materializedAt)))}${stale}`)
  const childIndent = indent + (root ? '' : last ? '   ' : '│  ')
  const models = node.productionModels.map((m) => `${escapeForTerminal(m.name)} ${m.version === null ? 'none' : `v${m.version}`}`)
  if (models.length) console.log(`${childIndent}${root ? '' : '   '}${color.dim(`production model${models.length > 1 ? 's' : ''}: ${models.join(', ')}`)}`)
  node.upstream.forEach((child, i) => printLineage(child, childIndent, i === node.upstream.length - 1, false))
}

/** --partition is required for a partitioned asset (which partition's lineage?) and meaningless for another. */
async function checkPartitionArg(ws: Workspace, key: string, partition: string | undefined): Promise<void> {
  const partitions = ws.defs.byKey.get(key)!.partitions
  if (!partitions && partition !== undefined) {
    throw new StrataError('STRATA_NOT_PARTITIONED', `"${key}" is not partitioned, so --partition ${partition} does not apply: drop --partition.`, { keys: [key] })
  }
  if (partitions && partition === undefined) {
    const [newest] = await ws.storage.listMaterializations(key, { limit: 1 })
    const example = newest?.partitionKey || partitions.keys(await keysOptionsFor(ws)).at(-1) || 'KEY'
    throw new StrataError('STRATA_USAGE', `"${key}" is partitioned: say whose lineage with --partition, e.g. strata lineage ${key} --partition ${example}.`, { key })
  }
  if (partitions && partition !== undefined) partitions.validateKey(partition, await keysOptionsFor(ws))
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('lineage', argv, { partition: { type: 'string' }, materialization: { type: 'string' }, depth: { type: 'string' } })
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata lineage takes exactly one asset key, e.g. strata lineage training/model.')
  const depth = positiveInt('depth', values.depth) ?? Infinity
  const id = positiveInt('materialization', values.materialization)
  if (id !== undefined && values.partition !== undefined) {
    throw new StrataError('STRATA_USAGE', 'Give either --materialization ID (which names its partition) or --partition KEY, not both.')
  }
  return withWorkspace(values, async (ws: Workspace) => {
    const key = assetKeyArg(ws, positionals[0]!)
    if (id === undefined) await checkPartitionArg(ws, key, values.partition)
    const root = id !== undefined ? await materializationOf(ws.storage, key, id) : await ws.storage.getLatest(key, values.partition ?? '')
    if (!root) {
      throw new StrataError('STRATA_NOT_FOUND', `"${key}"${values.partition ? ` partition ${values.partition}` : ''} has never been materialized, so it has no lineage yet. Run: strata materialize "*${key}"`)
    }
    const tree = await lineageTree(ws.storage, root, { depth })
    if (values.json) printJson(tree)
    else printLineage(tree)
    return 0
  })
}
