import { StrataError } from '../../../assets/index.js'
import {
  rootsOf,
  checkResultJson,
  describeDirect,
  describeFailure,
  describeReason,
  displayStatus,
  loadStatusIndex,
  readFreshness,
  readLatestChecks,
  summarize,
  type CheckResultRecord,
  type NodeState,
  type StaleReason,
} from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { freshnessLine } from '../freshness.js'
import { failureJson, reasonJson } from '../json.js'
import { assetKeyArg } from '../suggest.js'
import { color, escapeForTerminal, formatAge, paintStatus, printJson } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata why KEY [--partition P] — why an asset (or one partition) is missing, stale or failed, traced to root causes

An asset with a freshness policy gets a line saying whether it is on time or late
(a warning only: being late blocks nothing).

Options:
      --partition P   explain one partition of a partitioned asset
${GLOBAL_HELP}

JSON: schemas/why.schema.json (an asset, or with --partition one partition).`

const MAX_LISTED = 10

/** A failing check as a reason line (blocking failures are reasons; warnings are listed after them). */
function checkReason(r: CheckResultRecord): string {
  const where = r.partitionKey ? `[${r.partitionKey}] ` : ''
  if (r.blocking) {
    return `${where}blocking check ${r.checkName} failed in run ${r.runId.slice(0, 8)}${r.message ? `: ${r.message}` : ''} (the output was not stored; the last good materialization stays latest)`
  }
  return `${where}warning: check ${r.checkName} failed${r.message ? `: ${r.message}` : ''}`
}

function checkDetail(r: CheckResultRecord) {
  return { kind: r.blocking ? 'CHECK_FAILED' : 'CHECK_WARNING', check: r.checkName, partitionKey: r.partitionKey || null, blocking: r.blocking, message: r.message ?? null, runId: r.runId }
}

function printChecks(failing: readonly CheckResultRecord[], indent: string): void {
  for (const r of failing.slice(0, MAX_LISTED)) {
    const line = `${indent}• ${escapeForTerminal(checkReason(r))}`
    console.log(r.blocking ? color.red(line) : color.yellow(line))
  }
  if (failing.length > MAX_LISTED) console.log(color.dim(`${indent}… ${failing.length - MAX_LISTED} more failing checks (strata status ${failing[0]!.assetKey})`))
}

/** Blocking failures first, then warnings. */
const failingOf = (results: readonly CheckResultRecord[]) => [...results.filter((r) => !r.passed && r.blocking), ...results.filter((r) => !r.passed && !r.blocking)]

function printReasons(reasons: readonly StaleReason[], indent: string): void {
  for (const reason of reasons) {
    if (reason.kind === 'UPSTREAM_STALE' || reason.kind === 'UPSTREAM_MISSING') {
      console.log(`${indent}• upstream ${escapeForTerminal(reason.dep)} ${reason.kind === 'UPSTREAM_MISSING' ? 'is missing' : 'is stale'}`)
      for (const root of reason.rootCauses.slice(0, 5)) console.log(color.dim(`${indent}    root cause: ${escapeForTerminal(describeDirect(root.reason, root.key))}`))
      if (reason.rootCauses.length > 5) console.log(color.dim(`${indent}    … ${reason.rootCauses.length - 5} more root causes`))
    } else {
      console.log(`${indent}• ${escapeForTerminal(describeReason(reason))}`)
    }
  }
}

function nodeJson(n: NodeState) {
  return {
    partitionKey: n.partitionKey || null,
    status: displayStatus(n),
    reasons: n.reasons.map(describeReason),
    reasonDetails: n.reasons.map(reasonJson),
    rootCauses: rootsOf(n).map((r) => ({ key: r.key, kind: r.reason.kind, description: describeDirect(r.reason, r.key) })),
    dataVersion: n.latest?.dataVersion ?? null,
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('why', argv, { partition: { type: 'string' } })
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata why takes exactly one asset key, e.g. strata why features/daily.')
  return withWorkspace(values, async (ws) => {
    const key = assetKeyArg(ws, positionals[0]!)
    const asset = ws.defs.byKey.get(key)!
    const index = await loadStatusIndex(ws, { keys: [key] })
    if (values.partition !== undefined) {
      if (!asset.partitions) throw new StrataError('STRATA_NOT_PARTITIONED', `"${key}" is not partitioned, so --partition ${values.partition} does not apply: drop --partition.`, { keys: [key] })
      asset.partitions.validateKey(values.partition)
      const node = index.node(key, values.partition)
      if (!node) throw new StrataError('STRATA_INVALID_PARTITION_KEY', `Partition "${values.partition}" of "${key}" does not exist yet.`)
      const failing = failingOf(await readLatestChecks(ws, key, node.partitionKey))
      if (values.json) {
        const n = nodeJson(node)
        printJson({
          key,
          ...n,
          reasons: [...failing.map(checkReason), ...n.reasons],
          reasonDetails: [...failing.map(checkDetail), ...n.reasonDetails],
          checks: failing.map(checkResultJson),
        })
        return 0
      }
      console.log(`${color.bold(`${key}[${escapeForTerminal(node.partitionKey)}]`)} is ${paintStatus(node.status)}${node.runState ? color.red(` (last attempt ${node.runState === 'FAILED' ? 'failed' : 'in progress'})`) : ''}`)
      if (node.status === 'FRESH') console.log('  Its code (the compute and the helpers it uses), its definition and every upstream partition it reads are unchanged since it was materialized.')
      printChecks(failing, '  ')
      printReasons(node.reasons, '  ')
      return 0
    }
    const summary = summarize(index, key)
    const nodes = index.nodes(key)
    const failing = failingOf(await readLatestChecks(ws, key))
    const freshness = (await readFreshness(ws, [key])).get(key)!
    if (values.json) {
      const notFresh = nodes.filter((n) => n.status !== 'FRESH' || n.runState)
      printJson({
        key,
        status: summary.display,
        freshness: summary.status,
        freshnessCheck: freshness,
        failure: failureJson(summary.failure),
        reasons: [...failing.map(checkReason), ...summary.reasons.map(describeReason)],
        reasonDetails: [...failing.map(checkDetail), ...summary.reasons.map(reasonJson)],
        checks: failing.map(checkResultJson),
        rootCauses: asset.partitions ? [] : nodeJson(nodes[0]!).rootCauses,
        dataVersion: summary.latest?.dataVersion ?? null,
        lastMaterializedAt: summary.latest ? new Date(summary.latest.endedAt).toISOString() : null,
        // null for an unpartitioned asset: every field is always present.
        partitions: summary.partitions ?? null,
        notFresh: summary.partitions ? notFresh.map(nodeJson) : null,
      })
      return 0
    }
    const failure = summary.failure
    const last = failure ? 'last good materialization' : 'last materialized'
    const when = summary.latest ? color.dim(` (${last} ${formatAge(summary.latest.endedAt)}, data ${summary.latest.dataVersion.slice(0, 12)})`) : failure ? color.dim(' (never materialized)') : ''
    console.log(`${color.bold(key)} is ${paintStatus(summary.display)}${when}`)
    if (freshness) console.log(freshnessLine(freshness))
    if (!asset.partitions) {
      if (failure) console.log(color.red(`  • ${escapeForTerminal(describeFailure(failure, formatAge(failure.at)))}`))
      if (summary.status === 'FRESH') {
        const but = failing.some((r) => r.blocking) ? ', but its last attempt failed a blocking check' : ''
        console.log(`  ${failure ? 'Its last good materialization is up to date: its code' : 'Its code'} (the compute and the helpers it uses), its definition and every upstream are unchanged since its last materialization${but}.`)
      }
      printChecks(failing, '  ')
      // "never materialized" is already in the first line when the last attempt failed.
      printReasons(failure ? summary.reasons.filter((r) => r.kind !== 'NEVER_MATERIALIZED') : summary.reasons, '  ')
    } else {
      printChecks(failing, '  ')
      const c = summary.partitions!.counts
      console.log(`  ${summary.partitions!.total} partitions: ${c.FRESH} fresh, ${c.STALE} stale, ${c.MISSING} missing${c.FAILED ? `, ${c.FAILED} failed` : ''}${c.IN_PROGRESS ? `, ${c.IN_PROGRESS} in progress` : ''}`)
      const listed = nodes.filter((n) => n.status === 'STALE' || n.runState === 'FAILED').slice(0, MAX_LISTED)
      for (const n of listed) {
        console.log(`  ${color.bold(escapeForTerminal(n.partitionKey))} ${paintStatus(n.status)}${n.runState === 'FAILED' ? color.red(' (last attempt failed)') : ''}`)
        printReasons(n.reasons, '    ')
      }
      const missing = nodes.filter((n) => n.status === 'MISSING')
      if (missing.length) console.log(`  never materialized: ${missing.slice(0, 8).map((n) => escapeForTerminal(n.partitionKey)).join(', ')}${missing.length > 8 ? ` … and ${missing.length - 8} more` : ''}`)
      if (listed.length) console.log(color.dim(`\nOne partition in detail: strata why ${key} --partition ${escapeForTerminal(listed[0]!.partitionKey)}`))
    }
    if (failure) console.log(color.dim(`\nThe whole error: strata logs ${failure.runId}. Fix the cause, then rebuild with: strata materialize "*${key}" --stale`))
    else if (failing.some((r) => r.blocking)) console.log(color.dim(`\nFix the data or the check, then rebuild with: strata materialize ${key}`))
    else if (summary.status !== 'FRESH') console.log(color.dim(`\nRebuild what is needed with: strata materialize "*${key}" --stale`))
    return 0
  })
}
