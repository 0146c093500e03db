import type { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import type { RunEvent } from '../execution/run.js'
import type { Executor } from '../executors/types.js'
import type { IsolateData, LoadError, Replies, Reply, Request, StepReply, StepRequest } from './protocol.js'
import type { DevOutput } from './types.js'

type Op = Request['op']
type Params<O extends Op> = Omit<Extract<Request, { op: O }>, 'id' | 'op'>

/** A failed request: what the worker threw, or why the worker is gone. */
export class IsolateError extends Error {
  readonly code?: string
  readonly workerStack?: string
  constructor(error: LoadError) {
    super(error.message)
    this.name = 'IsolateError'
    this.code = error.code
    this.workerStack = error.stack
  }
}

/**
 * One set of definitions, loaded in a worker thread of its own. ESM modules
 * can never be unloaded from a thread (a cache-busting `?v=` import only adds
 * to the module map), so every reload gets a fresh thread, and `dispose()`
 * terminates it: its module graph, its compiled code and its worker pool go
 * with it. The same worker runs `materialize`, so a run always uses exactly
 * the definitions that were loaded and reported.
 *
 * The worker registers TypeScript support and imports the engine as soon as
 * it starts, before `load()`: an isolate started ahead of time (a spare) only
 * has the user's modules left to import when a file is saved.
 */
export interface Isolate {
  load(): Promise<Replies['load']>
  status(): Promise<Replies['status']>
  run(opts: { concurrency?: number }, onEvent: (e: RunEvent) => void): Promise<Replies['run']>
  /** Asks a run to stop: running steps finish, no new ones start; `run()` then resolves with status CANCELED. */
  cancel(): void
  /** Closes storage in the worker (briefly waited for) and terminates it. Pending requests reject. Idempotent. */
  dispose(): Promise<void>
  /** Terminates the worker at once (e.g. a load superseded by a newer save). */
  kill(): Promise<void>
  readonly disposed: boolean
  /** Not disposed and the worker has not died: requests can still succeed. */
  readonly usable: boolean
}

const CLOSE_GRACE_MS = 2000

/**
 * Copies a worker's stdio to `output` as `pipe` would (never ending it, and
 * pausing the worker's stream while `output` is full), without requiring
 * `output` to be a whole Node stream.
 */
function relay(from: Readable, output: DevOutput): void {
  from.on('data', (chunk: Uint8Array) => {
    if (output.write(chunk) !== false || !output.once) return
    from.pause()
    output.once('drain', () => from.resume())
  })
}

/**
 * `output` receives what the definitions and the steps print (console.log in
 * a compute function, in the definitions module): it must not mix with the
 * session's own output, e.g. `strata dev --json` lines.
 *
 * With `pool`, the isolate's runs send their steps here and they run on it
 * (a warm pool the session keeps across reloads); steps still running when
 * the isolate goes are stopped, as its own pool's would have been.
 */
export function startIsolate(data: IsolateData, output: DevOutput = process.stderr, pool?: Executor): Isolate {
  const worker = new Worker(new URL('./isolate-worker.mjs', import.meta.url), {
    workerData: pool ? { ...data, sessionPool: { concurrency: pool.concurrency } } : data,
    stdout: true,
    stderr: true,
    // Workers inherit node's flags; `--input-type` (from `node --input-type=module -e`) makes a worker from a file fail.
    execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
  })
  relay(worker.stdout, output)
  relay(worker.stderr, output)
  let nextId = 1
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onEvent?: (e: RunEvent) => void }>()
  let gone: LoadError | undefined
  let disposed: Promise<void> | undefined

  const steps = new Map<number, AbortController>()
  const failAll = (error: LoadError) => {
    gone ??= error
    for (const p of pending.values()) p.reject(new IsolateError(error))
    pending.clear()
    for (const stop of steps.values()) stop.abort()
    steps.clear()
  }
  const runStep = (id: number, task: Extract<StepRequest, { task: unknown }>['task']) => {
    const stop = new AbortController()
    steps.set(id, stop)
    const reply = (r: StepReply) => {
      if (!gone) worker.postMessage(r)
    }
    void pool!.runStep(task, (log) => reply({ step: id, log }), stop.signal).then(
      (outcome) => reply({ step: id, outcome }),
      (err: Error) => reply({ step: id, outcome: { ok: false, durationMs: 0, error: { name: 'Error', message: err.message, stack: err.stack } } }),
    ).finally(() => steps.delete(id))
  }
  worker.on('message', (r: Reply | StepRequest) => {
    if ('stepStop' in r) return steps.get(r.stepStop)?.abort()
    if ('step' in r) return pool ? runStep(r.step, r.task) : undefined
    const p = pending.get(r.id)
    if (!p) return
    if ('event' in r) return p.onEvent?.(r.event)
    pending.delete(r.id)
    if (r.ok) p.resolve(r.value)
    else p.reject(new IsolateError(r.error))
  })
  // An exception outside a request (e.g. an unhandled rejection in user code at module load).
  worker.on('error', (err) => failAll({ message: err.message, stack: err.stack, code: (err as { code?: string }).code }))
  worker.on('exit', (code) => failAll({ message: disposed ? 'The worker was disposed.' : `The worker exited with code ${code} (process.exit() in the definitions?).` }))

  function request<O extends Op>(op: O, params: Params<O>, onEvent?: (e: RunEvent) => void): Promise<Replies[O]> {
    if (gone) return Promise.reject(new IsolateError(gone))
    const id = nextId++
    return new Promise<Replies[O]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent })
      worker.postMessage({ id, op, ...params } as Request)
    })
  }

  return {
    load: () => request('load', {}),
    status: () => request('status', {}),
    run: (opts, onEvent) => request('run', { concurrency: opts.concurrency }, onEvent),
    cancel: () => void request('cancel', {}).catch(() => {}),
    get disposed() {
      return disposed !== undefined
    },
    get usable() {
      return disposed === undefined && gone === undefined
    },
    kill() {
      disposed ??= worker.terminate().then(() => failAll({ message: 'The worker was disposed.' }))
      return disposed
    },
    dispose() {
      disposed ??= (async () => {
        if (!gone) {
          let timer: NodeJS.Timeout | undefined
          await Promise.race([request('close', {}).catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))])
          clearTimeout(timer)
        }
        await worker.terminate()
        failAll({ message: 'The worker was disposed.' })
      })()
      return disposed
    },
  }
}
