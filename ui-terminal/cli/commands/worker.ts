import { hostname } from 'node:os'
import { StrataError } from '../../../assets/index.js'
import { resolveDefsPath, startQueueWorker, type QueueWorkerEvent } from '../../../engine/index.js'
import { GLOBAL_HELP, concurrencyArg, parseCommandArgs } from '../args.js'
import { INTERRUPTED_EXIT } from '../interrupt.js'
import { errColor, escapeForTerminal, formatTime } from '../output.js'

export const help = `strata worker — run the steps of --executor queue runs on this host

Takes steps from the queue (and from the queue of each pool the definitions
declare) and runs each on a thread of its own, until stopped. Start any number,
on any hosts, with the same definitions: a step whose code version differs from
the one the run planned with fails with STRATA_CODE_MISMATCH. The orchestrator
(strata materialize|backfill --executor queue) records every result.

Options:
      --queue URL          the queue's Redis, redis://HOST:6379[/DB][?prefix=NAME]
                           (default $STRATA_QUEUE_URL, else the definitions' executor.queue)
      --concurrency N      steps at once on this host (default: number of CPUs; at most 4 × CPUs)
${GLOBAL_HELP}

--objects is the object store as this host reaches it (a shared directory or postgres://…),
--storage where ctx.registry reads models; each defaults to $STRATA_OBJECTS / $STRATA_STORAGE_URL,
else to the store each step names. The worker has no home: --home is not used.

Ctrl-C (or SIGTERM) stops taking steps and lets running ones finish; press it again to
stop them now (the queue hands them to another worker).

Exit codes: 0 stopped (130 after Ctrl-C), 2 bad usage, invalid definitions or an unreachable queue.`

function describe(e: Extract<QueueWorkerEvent, { partitionKeys: string[] }>): string {
  const part = e.partitionKeys.length ? ` [${e.partitionKeys.length > 3 ? `${e.partitionKeys[0]}…${e.partitionKeys[e.partitionKeys.length - 1]}` : e.partitionKeys.join(',')}]` : ''
  return `${escapeForTerminal(e.assetKey)}${escapeForTerminal(part)} ${errColor.dim(`run ${e.runId.slice(0, 8)}`)}`
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('worker', argv, {
    queue: { type: 'string' },
    objects: { type: 'string' },
    storage: { type: 'string' },
    concurrency: { type: 'string' },
  })
  if (positionals.length > 0) throw new StrataError('STRATA_USAGE', `strata worker takes no arguments (got "${positionals[0]}"). See strata worker --help.`)
  const quiet = values.quiet === true || values.json === true
  const concurrency = concurrencyArg(values.concurrency, quiet)
  const queue: string | undefined = values.queue ?? process.env.STRATA_QUEUE_URL
  const say = (line: string) => !quiet && console.error(line)
  const onEvent = (e: QueueWorkerEvent) => {
    const at = errColor.dim(formatTime(Date.now()))
    if (e.type === 'connection') say(`${at} ${e.up ? errColor.green(`reconnected to ${e.where}`) : errColor.yellow(`lost the queue's Redis at ${e.where}: reconnecting (running steps go on)`)}`)
    else if (e.type === 'orphaned') say(`${at} ${errColor.dim(`dropped ${escapeForTerminal(e.assetKey)}: its run's orchestrator is gone`)}`)
    else if (e.type === 'step-start') say(`${at} start  ${describe(e)}${e.attempt > 1 ? errColor.dim(` attempt ${e.attempt}`) : ''}`)
    else if (e.outcome.ok) say(`${at} ${errColor.green('done')}   ${describe(e)} ${errColor.dim(`${Math.round(e.outcome.durationMs)} ms`)}`)
    else say(`${at} ${e.outcome.error.code === 'STRATA_CANCELED' ? errColor.yellow('stop') : errColor.red('failed')} ${describe(e)} ${errColor.dim(escapeForTerminal(e.outcome.error.code ?? e.outcome.error.name))}`)
  }
  const objects: string | undefined = values.objects ?? process.env.STRATA_OBJECTS
  const storage: string | undefined = values.storage ?? process.env.STRATA_STORAGE_URL
  const worker = await startQueueWorker({ defsPath: resolveDefsPath(values.defs), queue, objects, storage, concurrency, onEvent })
  const { info, queue: url } = worker
  say(
    `Worker pid ${info.pid} on ${hostname()}: ${info.concurrency} step(s) at once from ${info.queues.join(', ')} at ${escapeForTerminal(url.replace(/\/\/[^@/]*@/, '//'))}. ` +
      errColor.dim('Ctrl-C stops after the running steps finish.'),
  )
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        say('Stopping running steps now; the queue hands them to another worker.')
        void worker.close(true).then(() => resolve(signal === 'SIGINT' ? INTERRUPTED_EXIT : 0))
        return
      }
      stopping = true
      say('Stopping: no new steps; waiting for running ones to finish (Ctrl-C again to stop them now).')
      void worker.close(false).then(() => resolve(signal === 'SIGINT' ? INTERRUPTED_EXIT : 0))
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
