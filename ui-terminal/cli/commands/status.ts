import { StrataError } from '../../../assets/index.js'
import { checkResultJson, describeFailure, describeReason, displayStatus, keysOptionsFor, loadStatusIndex, readFreshness, readLatestChecks, type CheckResultRecord, type PartitionDisplayStatus } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, escapeForTerminal, formatAge, formatTime, printJson, table } from '../output.js'
import { PAINT, partitionTimeline } from '../partition-bar.js'
import { failureJson } from '../json.js'
import { freshnessLine } from '../freshness.js'
import { assetKeyArg } from '../suggest.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata status KEY — status of an asset's partitions: counts and a partition bar
(green fresh, yellow stale, blue in progress, red failed, grey missing), its failing checks,
and where it stands against its freshness policy, if it declares one

Options:
      --partitions   list every partition with its status
${GLOBAL_HELP}

JSON: schemas/status.schema.json ("partitions" is null for a partitioned asset without --partitions).`

const MAX_CHECKS_LISTED = 20

function printChecks(results: readonly CheckResultRecord[]): void {
  if (results.length === 0) return
  const failing = results.filter((r) => !r.passed)
  const blocking = failing.filter((r) => r.blocking).length
  console.log(`checks: ${results.length - failing.length} passed, ${color.red(`${blocking} failed`)}, ${color.yellow(`${failing.length - blocking} warned`)}`)
  for (const r of failing.slice(0, MAX_CHECKS_LISTED)) {
    const label = r.blocking ? color.red('✗ blocking') : color.yellow('! warn')
    console.log(`  ${label} ${color.bold(escapeForTerminal(r.checkName))}${r.partitionKey ? color.dim(` [${escapeForTerminal(r.partitionKey)}]`) : ''}${r.message ? `: ${escapeForTerminal(r.message)}` : ''}`)
  }
  if (failing.length > MAX_CHECKS_LISTED) console.log(color.dim(`  … ${failing.length - MAX_CHECKS_LISTED} more failing`))
}


export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', argv, { partitions: { type: 'boolean' } })
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata status takes exactly one asset key, e.g. strata status raw/flights.')
  return withWorkspace(values, async (ws) => {
    const key = assetKeyArg(ws, positionals[0]!)
    const asset = ws.defs.byKey.get(key)!
    const checkResults = await readLatestChecks(ws, key)
    const freshness = (await readFreshness(ws, [key])).get(key)!
    // Counts alone, for an asset with no upstreams (nor production models), come straight from the state
    // index in the database: no per-partition work for 100,000 partitions. A self input is an upstream
    // here (its partitions depend on each other), hence `ins` and `deps` rather than `upstreamKeys`.
    if (values.json && !values.partitions && asset.partitions && Object.keys(asset.ins).length === 0 && asset.deps.length === 0 && !asset.models.length) {
      const total = asset.partitions.keys(await keysOptionsFor(ws)).length
      const s = await ws.storage.summarizePartitionStates(key, asset.codeVersion)
      const counts = { FRESH: s.fresh, STALE: s.codeChanged, MISSING: Math.max(0, total - s.fresh - s.codeChanged - s.failed - s.inProgress), FAILED: s.failed, IN_PROGRESS: s.inProgress }
      const failing = checkResults.filter((r) => !r.passed)
      printJson({
        key,
        partitioned: true,
        partitionsDefinition: asset.partitions.id,
        total,
        counts,
        failure: null,
        freshnessCheck: freshness,
        partitions: null,
        checks: { passed: checkResults.length - failing.length, failed: failing.filter((r) => r.blocking).length, warned: failing.filter((r) => !r.blocking).length, results: failing.map(checkResultJson) },
      })
      return 0
    }
    const index = await loadStatusIndex(ws, { keys: [key] })
    const nodes = index.nodes(key)
    const counts: Record<PartitionDisplayStatus, number> = { FRESH: 0, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 }
    const statuses = nodes.map((n) => displayStatus(n))
    for (const s of statuses) counts[s]++
    if (values.json) {
      const failing = checkResults.filter((r) => !r.passed)
      printJson({
        key,
        partitioned: asset.partitions !== undefined,
        partitionsDefinition: asset.partitions?.id ?? null,
        total: nodes.length,
        counts,
        // The failed last attempt of an unpartitioned asset (failed partitions are counted in counts.FAILED).
        failure: asset.partitions ? null : failureJson(nodes[0]?.failure),
        freshnessCheck: freshness,
        partitions:
          values.partitions || !asset.partitions
            ? nodes.map((n, i) => ({
                key: n.partitionKey || null,
                status: statuses[i],
                dataVersion: n.latest?.dataVersion ?? null,
                materializedAt: n.latest ? new Date(n.latest.endedAt).toISOString() : null,
                reasons: n.reasons.map(describeReason),
              }))
            : null,
        checks: {
          passed: checkResults.length - failing.length,
          failed: failing.filter((r) => r.blocking).length,
          warned: failing.filter((r) => !r.blocking).length,
          // Every latest result for an unpartitioned asset; the failing ones for a partitioned asset.
          results: (asset.partitions ? failing : checkResults).map(checkResultJson),
        },
      })
      return 0
    }
    if (!asset.partitions) {
      const n = nodes[0]!
      console.log(`${color.bold(key)} ${PAINT[statuses[0]!](statuses[0]!)}${n.latest ? color.dim(`  data ${n.latest.dataVersion.slice(0, 12)}, ${formatTime(n.latest.endedAt)}`) : ''}`)
      if (n.failure) console.log(color.red(`  • ${escapeForTerminal(describeFailure(n.failure, formatAge(n.failure.at)))}`))
      if (freshness) console.log(freshnessLine(freshness))
      for (const r of n.reasons) console.log(`  • ${escapeForTerminal(describeReason(r))}`)
      printChecks(checkResults)
      return 0
    }
    const cols = Math.max(20, Math.min(100, (process.stdout.columns ?? 100) - 4))
    console.log(`${color.bold(key)}  ${color.dim(escapeForTerminal(asset.partitions.id))}  ${nodes.length} partitions`)
    if (nodes.length) {
      console.log(`${escapeForTerminal(nodes[0]!.partitionKey)} ${color.dim('→')} ${escapeForTerminal(nodes[nodes.length - 1]!.partitionKey)}`)
      console.log(partitionTimeline(statuses, cols))
    }
    console.log((Object.keys(counts) as PartitionDisplayStatus[]).map((s) => `${PAINT[s](s)} ${counts[s]}`).join('   '))
    if (freshness) console.log(freshnessLine(freshness, ''))
    if (values.partitions) {
      const rows = nodes.map((n, i) => [escapeForTerminal(n.partitionKey), PAINT[statuses[i]!](statuses[i]!), n.latest ? n.latest.dataVersion.slice(0, 12) : '', n.latest ? formatTime(n.latest.endedAt) : '', n.reasons[0] ? escapeForTerminal(describeReason(n.reasons[0])) : ''])
      console.log(table([['PARTITION', 'STATUS', 'DATA', 'MATERIALIZED', 'REASON'].map((h) => color.dim(h)), ...rows]))
    } else if (counts.STALE + counts.FAILED + counts.MISSING > 0) {
      console.log(color.dim(`List them with --partitions; explain with strata why ${key}`))
    }
    printChecks(checkResults)
    return 0
  })
}
