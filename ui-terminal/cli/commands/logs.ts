import { StrataError } from '../../../assets/index.js'
import { suggestKeys, type EventRecord, type Workspace } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, escapeForTerminal, formatTime, printJson } from '../output.js'
import { partitionKeyJson } from '../json.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata logs RUN_ID — the event log of a run: steps, retries, failures and log lines
(RUN_ID may be a unique prefix)

Options:
      --step KEY   only events of this asset
${GLOBAL_HELP}

JSON: schemas/logs.schema.json. An unknown run id is STRATA_UNKNOWN_RUN (exit 2).`

export async function findRun(ws: Workspace, idOrPrefix: string) {
  const exact = await ws.storage.getRun(idOrPrefix)
  if (exact) return exact
  const matches = (await ws.storage.listRuns({ limit: 10_000 })).filter((r) => r.runId.startsWith(idOrPrefix))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) throw new StrataError('STRATA_USAGE', `Run id prefix "${idOrPrefix}" matches ${matches.length} runs; give more characters.`)
  throw new StrataError('STRATA_UNKNOWN_RUN', `No run "${idOrPrefix}". List runs with: strata runs`, { runId: idOrPrefix })
}

function describe(e: EventRecord): string {
  // Keys, messages and stacks come from storage and user code: escaped so they cannot drive the terminal.
  const who = e.assetKey ? escapeForTerminal(`${e.assetKey}${e.partitionKey ? `[${e.partitionKey}]` : ''}`) + ' ' : ''
  const msg = escapeForTerminal(e.message ?? '', { multiline: true })
  switch (e.type) {
    case 'STEP_FAILURE': {
      const stack = (e.data?.error as { stack?: string } | undefined)?.stack
      return color.red(`${who}failed: ${msg}`) + (stack ? '\n' + color.dim(escapeForTerminal(stack.split('\n').slice(1, 6).join('\n'), { multiline: true })) : '')
    }
    case 'STEP_SUCCESS':
      return color.green(`${who}succeeded`) + color.dim(` data ${String(e.data?.dataVersion ?? '').slice(0, 12)}`)
    case 'LOG':
      return `${color.dim(who + '│')} ${e.level === 'error' ? color.red(msg) : e.level === 'warn' ? color.yellow(msg) : msg}`
    case 'MATERIALIZATION':
      return color.dim(`${who}materialized → ${escapeForTerminal(String(e.data?.location ?? ''))}`)
    default:
      return `${who}${msg}`.trim()
  }
}

/** Every field present: null where an event has no asset, partition, level, message or data. */
function eventJson(e: EventRecord) {
  return {
    id: e.id,
    runId: e.runId,
    ts: new Date(e.ts).toISOString(),
    type: e.type,
    assetKey: e.assetKey ?? null,
    partitionKey: partitionKeyJson(e.partitionKey),
    level: e.level ?? null,
    message: e.message ?? null,
    data: e.data ?? null,
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('logs', argv, { step: { type: 'string' } })
  if (positionals.length !== 1) throw new StrataError('STRATA_USAGE', 'strata logs takes a run id; list runs with: strata runs')
  return withWorkspace(values, async (ws) => {
    const run = await findRun(ws, positionals[0]!)
    let events = await ws.storage.getEvents(run.runId)
    if (values.step !== undefined) {
      const step = values.step as string
      const known = [...new Set([...ws.graph.keys(), ...events.flatMap((e) => (e.assetKey ? [e.assetKey] : []))])]
      if (!known.includes(step)) {
        const near = suggestKeys(step, known)
        throw new StrataError('STRATA_UNKNOWN_ASSET', `--step: no asset "${step}".${near.length ? ` Did you mean ${near.map((k) => `"${k}"`).join(', ')}?` : ''} See the assets with strata list.`, { key: step })
      }
      events = events.filter((e) => e.assetKey === step)
    }
    if (values.json) {
      printJson({ runId: run.runId, status: run.status, selection: run.selection, events: events.map(eventJson) })
      return 0
    }
    console.log(color.dim(`Run ${escapeForTerminal(run.runId)} — ${run.status} — ${escapeForTerminal(run.selection)}`))
    for (const e of events) console.log(`${color.dim(formatTime(e.ts).slice(11))} ${e.type.padEnd(16)} ${describe(e)}`)
    return 0
  })
}
