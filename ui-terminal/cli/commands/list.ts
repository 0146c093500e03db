import { describeFailure, describeReason, readAssetStates, readCheckCounts, readFreshness, resolveSelection } from '../../../engine/index.js'
import { partitionBar } from '../partition-bar.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, escapeForTerminal, formatAge, paintStatus, printJson, table } from '../output.js'
import { failureJson, reasonJson } from '../json.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata list [SELECTION...] — assets with group, status and staleness reasons

STATUS is FRESH, STALE, MISSING, or FAILED when the last attempt failed (its
error's first line and run id are shown; the last good materialization stays).
An asset with a freshness policy whose latest materialization (latest
partition) is older than it allows is marked "late" (a warning, never a block).

SELECTION uses the asset selection syntax: key, *key (with upstream), key* (with
downstream), +key / key+ (one level), group:NAME, tag:K=V, * (all; the default).

Options:
${GLOBAL_HELP}

JSON: schemas/list.schema.json.`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('list', argv, {})
  return withWorkspace(values, async (ws) => {
    const keys = resolveSelection(positionals, ws.graph, ws.defs)
    const states = await readAssetStates(ws)
    const checkCounts = await readCheckCounts(ws, keys)
    const freshness = await readFreshness(ws, keys)
    const assets = keys.map((key) => {
      const def = ws.defs.byKey.get(key)!
      const state = states.get(key)!
      return {
        key,
        group: def.group,
        /** FAILED when the last attempt failed, else `freshness`. */
        status: state.display,
        /** The latest good materialization: FRESH, STALE or MISSING. */
        freshness: state.status,
        /** Against its freshness policy (null when it declares none). */
        freshnessCheck: freshness.get(key)!,
        failure: failureJson(state.failure),
        reasons: state.reasons.map(describeReason),
        reasonDetails: state.reasons.map(reasonJson),
        codeVersion: def.codeVersion,
        dataVersion: state.latest?.dataVersion ?? null,
        lastMaterializedAt: state.latest ? new Date(state.latest.endedAt).toISOString() : null,
        lastRunId: state.latest?.runId ?? null,
        description: def.description ?? null,
        tags: def.tags,
        partitions: state.partitions ? { total: state.partitions.total, ...state.partitions.counts } : null,
        /** Latest results of its declared checks (over all partitions): passed, failed (blocking), warned (non-blocking failures). */
        checks: checkCounts.get(key)!,
      }
    })
    if (values.json) {
      printJson({ assets })
      return 0
    }
    if (assets.length === 0) {
      console.log('No assets.')
      return 0
    }
    const rows = [['GROUP', 'ASSET', 'STATUS', 'MATERIALIZED', 'REASON'].map((h) => color.dim(h))]
    for (const a of assets) {
      const state = states.get(a.key)!
      // A never-built asset's only reason is the MATERIALIZED column's "never"; a failure comes before staleness.
      const staleness = a.freshness === 'MISSING' ? [] : a.reasons
      const first = state.failure ? color.red(escapeForTerminal(describeFailure(state.failure, formatAge(state.failure.at)))) : escapeForTerminal(staleness[0] ?? '')
      const extra = state.failure ? staleness.length : staleness.length - 1
      const more = extra > 0 ? color.dim(` (+${extra} more, see strata why ${escapeForTerminal(a.key)})`) : ''
      const parts = state.partitions ? ` ${partitionBar(state.partitions.counts, 12)} ${state.partitions.counts.FRESH}/${state.partitions.total}` : ''
      const late = a.freshnessCheck && a.freshnessCheck.state !== 'fresh' ? color.yellow(`! ${a.freshnessCheck.state === 'late' ? 'late: ' : 'freshness: '}${escapeForTerminal(a.freshnessCheck.reason)} `) : ''
      const checks = late + (a.checks.failed ? color.red(`✗ ${a.checks.failed} check(s) failed `) : a.checks.warned ? color.yellow(`! ${a.checks.warned} check warning(s) `) : '')
      rows.push([escapeForTerminal(a.group), escapeForTerminal(a.key), paintStatus(a.status) + parts, state.latest ? formatAge(state.latest.endedAt) : color.dim('never'), checks + first + more])
    }
    console.log(table(rows))
    const count = (s: string) => assets.filter((a) => a.status === s).length
    const failed = count('FAILED')
    const late = assets.filter((a) => a.freshnessCheck && a.freshnessCheck.state !== 'fresh').length
    console.log(color.dim(`\n${assets.length} assets: ${count('FRESH')} fresh, ${count('STALE')} stale, ${count('MISSING')} missing${failed ? `, ${failed} failed` : ''}${late ? `, ${late} behind their freshness policy` : ''}`))
    return 0
  })
}
