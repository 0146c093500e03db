import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'
import { color, escapeForTerminal, formatDuration, formatTime, printJson, table } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata runs — recent runs, newest first

Options:
      --limit N   how many (default 20)
${GLOBAL_HELP}

JSON: schemas/runs.schema.json.`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('runs', argv, { limit: { type: 'string' } })
  const limit = positiveInt('limit', values.limit) ?? 20
  return withWorkspace(values, async (ws) => {
    const runs = await ws.storage.listRuns({ limit })
    if (values.json) {
      printJson({
        runs: runs.map((r) => ({
          runId: r.runId,
          status: r.status,
          selection: r.selection,
          steps: r.stepKeys.length,
          startedAt: new Date(r.startedAt).toISOString(),
          endedAt: r.endedAt ? new Date(r.endedAt).toISOString() : null,
          durationMs: r.endedAt ? r.endedAt - r.startedAt : null,
          backfillId: r.backfillId ?? null,
          tags: r.tags,
        })),
      })
      return 0
    }
    if (runs.length === 0) {
      console.log('No runs yet. Start one with: strata materialize')
      return 0
    }
    const paint = (s: string) => (s === 'SUCCESS' ? color.green(s) : s === 'RUNNING' ? color.blue(s) : s === 'CANCELED' ? color.yellow(s) : color.red(s))
    // Runs the automation daemon launched say what launched them (a schedule, a sensor, a condition).
    const launched = runs.some((r) => r.tags['strata/launched-by'])
    const rows = [['RUN', 'STATUS', 'STARTED', 'DURATION', 'STEPS', ...(launched ? ['LAUNCHED BY'] : []), 'SELECTION'].map((h) => color.dim(h))]
    for (const r of runs) {
      const by = launched ? [escapeForTerminal(r.tags['strata/launched-by'] ?? '-')] : []
      rows.push([escapeForTerminal(r.runId), paint(r.status), formatTime(r.startedAt), r.endedAt ? formatDuration(r.endedAt - r.startedAt) : '…', String(r.stepKeys.length), ...by, escapeForTerminal(r.selection)])
    }
    console.log(table(rows))
    return 0
  })
}
