import { StrataError } from '../../../assets/index.js'
import { listQueueWorkers } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, escapeForTerminal, formatAge, printJson, table } from '../output.js'

export const help = `strata workers — the live workers of a queue (strata worker processes)

A worker is listed while its heartbeat (every 2 s) is less than 10 s old.

Options:
      --queue URL   the queue's Redis, redis://HOST:6379[/DB][?prefix=NAME] (default $STRATA_QUEUE_URL)
${GLOBAL_HELP}

JSON: schemas/workers.schema.json.`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('workers', argv, { queue: { type: 'string' } })
  if (positionals.length > 0) throw new StrataError('STRATA_USAGE', `strata workers takes no arguments (got "${positionals[0]}"). See strata workers --help.`)
  const queue = values.queue ?? process.env.STRATA_QUEUE_URL
  if (!queue) throw new StrataError('STRATA_INVALID_QUEUE_URL', 'strata workers needs the queue: pass --queue redis://HOST:6379 or set STRATA_QUEUE_URL.')
  const { where, prefix, workers } = await listQueueWorkers(queue)
  if (values.json) {
    printJson({
      queue: where,
      prefix,
      workers: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        concurrency: w.concurrency,
        queues: w.queues,
        definitions: w.definitions,
        startedAt: new Date(w.startedAt).toISOString(),
        lastHeartbeat: new Date(w.lastHeartbeat).toISOString(),
        steps: w.steps.map((s) => ({ runId: s.runId, assetKey: s.assetKey, partitionKeys: s.partitionKeys, startedAt: new Date(s.startedAt).toISOString() })),
      })),
    })
    return 0
  }
  if (workers.length === 0) {
    console.log(`No live worker on ${where}${prefix === 'strata' ? '' : ` (prefix ${prefix})`}. Start one with: strata worker -f DEFINITIONS --queue ${escapeForTerminal(queue)}`)
    return 0
  }
  const now = Date.now()
  const rows = [['HOST', 'PID', 'STEPS', 'RUNNING', 'HEARTBEAT', 'STARTED'].map((h) => color.dim(h))]
  for (const w of workers) {
    const running = w.steps.map((s) => escapeForTerminal(s.assetKey + (s.partitionKeys.length ? `[${s.partitionKeys.join(',')}]` : ''))).join(', ')
    rows.push([escapeForTerminal(w.host), String(w.pid), `${w.steps.length}/${w.concurrency}`, running || color.dim('idle'), formatAge(w.lastHeartbeat, now), formatAge(w.startedAt, now)])
  }
  console.log(table(rows))
  const slots = workers.reduce((n, w) => n + w.concurrency, 0)
  if (!values.quiet) console.log(color.dim(`${workers.length} worker(s), ${slots} step slot(s) on ${where}.`))
  return 0
}
