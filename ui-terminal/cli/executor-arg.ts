import { createExecutor, isExecutorName, queueUrlFrom, unknownExecutor, type Executor, type Workspace } from '../../engine/index.js'

export const EXECUTOR_HELP = `      --executor NAME    pool (worker threads, default), in-process (for debugging) or queue
                         (steps run by strata worker processes; see strata worker --help)
      --queue URL        with --executor queue: the queue's Redis, redis://HOST:6379[?prefix=NAME]
                         (default $STRATA_QUEUE_URL, else the definitions' executor.queue)`

/** The --executor name, checked against the registered executors. */
export function executorArg(value: string | undefined): string {
  const name = value ?? 'pool'
  if (!isExecutorName(name)) throw unknownExecutor(name)
  return name
}

/**
 * What a run is given: a local executor by name (the run starts and closes
 * it), or the queue executor opened here, with its URL from --queue,
 * $STRATA_QUEUE_URL or the definitions, for the caller to close.
 */
export function openExecutor(ws: Workspace, name: string, opts: { queue?: string; concurrency?: number; quiet?: boolean }): { executor: string | Executor; close(): Promise<void> } {
  if (name !== 'queue') return { executor: name, close: async () => {} }
  const spec = ws.defs.executor
  const executor = createExecutor('queue', { queue: queueUrlFrom(opts.queue, spec?.queue), concurrency: opts.concurrency, workerTimeoutMs: process.env.STRATA_WORKER_TIMEOUT ? undefined : spec?.workerTimeoutMs })
  // Said at once rather than after the worker timeout: steps wait for a worker, which may be starting.
  if (!opts.quiet) {
    void executor.health?.().then((h) => {
      if (!h.ok) process.stderr.write(`strata: ${h.message}\n`)
    })
  }
  return { executor, close: () => executor.close() }
}
