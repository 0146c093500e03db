import { StrataError } from '../../../assets/errors.js'
import { describeDirect, describeReason, readAssetStates } from '../../../engine/index.js'
import { normalizeKey } from '../../../assets/keys.js'
import { suggestKeys } from '../../../engine/graph/selection.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, formatAge, paintStatus, printJson } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata why KEY — why an asset is missing or stale, traced to root causes

Options:
${GLOBAL_HELP}`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('why', argv, {})
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata why takes exactly one asset key, e.g. strata why features/daily.')
  return withWorkspace(values, async (ws) => {
    const key = normalizeKey(positionals[0]!)
    if (!ws.graph.has(key)) {
      const near = suggestKeys(key, ws.graph.keys())
      throw new StrataError('STRATA_UNKNOWN_ASSET', `No asset "${key}".${near.length ? ` Did you mean ${near.map((k) => `"${k}"`).join(', ')}?` : ''}`)
    }
    const state = (await readAssetStates(ws)).get(key)!
    const rootCauses = state.reasons.flatMap((r) => ('rootCauses' in r ? r.rootCauses : [{ key, reason: r }]))
    const unique = rootCauses.filter((r, i) => rootCauses.findIndex((x) => x.key === r.key && x.reason.kind === r.reason.kind) === i)
    if (values.json) {
      printJson({
        key,
        status: state.status,
        reasons: state.reasons.map(describeReason),
        reasonDetails: state.reasons,
        rootCauses: unique.map((r) => ({ key: r.key, kind: r.reason.kind, description: describeDirect(r.reason, r.key) })),
        dataVersion: state.latest?.dataVersion ?? null,
        lastMaterializedAt: state.latest ? new Date(state.latest.endedAt).toISOString() : null,
      })
      return 0
    }
    const when = state.latest ? color.dim(` (last materialized ${formatAge(state.latest.endedAt)}, data ${state.latest.dataVersion.slice(0, 12)})`) : ''
    console.log(`${color.bold(key)} is ${paintStatus(state.status)}${when}`)
    if (state.status === 'FRESH') {
      console.log('  Code and every upstream are unchanged since its last materialization.')
      return 0
    }
    for (const reason of state.reasons) {
      if ('rootCauses' in reason) {
        console.log(`  • upstream ${reason.dep} ${reason.kind === 'UPSTREAM_MISSING' ? 'is missing' : 'is stale'}`)
        for (const root of reason.rootCauses) console.log(color.dim(`      root cause: ${describeDirect(root.reason, root.key)}`))
      } else {
        console.log(`  • ${describeDirect(reason)}`)
      }
    }
    console.log(color.dim(`\nRebuild what is needed with: strata materialize "*${key}" --stale`))
    return 0
  })
}
