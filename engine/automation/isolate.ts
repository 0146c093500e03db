/**
 * A daemon's definitions worker: one version of the definitions, loaded in
 * a thread of its own so a new version can replace it (a fresh thread) while
 * the old one finishes its runs and is thrown away with every module it
 * imported.
 */
import { Worker } from 'node:worker_threads'
import { StrataError, type StrataErrorCode } from '../../assets/errors.js'
import type { DaemonEvent } from './events.js'
import type { DaemonIsolateData, DaemonReplies, DaemonReply, DaemonRequest } from './isolate-protocol.js'

type Op = DaemonRequest['op']
type Params<O extends Op> = Omit<Extract<DaemonRequest, { op: O }>, 'id' | 'op'>

export interface DaemonIsolate {
  request<O extends Op>(op: O, params: Params<O>): Promise<DaemonReplies[O]>
  /** False once the worker is gone (it exited, e.g. process.exit() in user code, or was disposed). */
  readonly alive: boolean
  /** Closes the workspace (briefly waited for) and terminates the thread. */
  dispose(): Promise<void>
}

const CLOSE_GRACE_MS = 2000

/** A failure inside the worker, with its code when it was a StrataError (e.g. a definitions error). */
function toError(e: { message: string; code?: string; stack?: string }): Error {
  if (e.code?.startsWith('STRATA_')) return new StrataError(e.code as StrataErrorCode, e.message)
  const err = new Error(e.message)
  if (e.stack) err.stack = e.stack
  return err
}

export function startDaemonIsolate(data: DaemonIsolateData, onEvent: (e: DaemonEvent) => void, output: { write(chunk: Uint8Array): unknown } = process.stderr): DaemonIsolate {
  const worker = new Worker(new URL('./isolate-worker.mjs', import.meta.url), {
    workerData: data,
    stdout: true,
    stderr: true,
    execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
  })
  // What user code prints (definitions, sensors, in-process steps) must not mix with the daemon's own lines.
  // Forwarded chunk by chunk, so `output` needs only write() (DaemonOptions.output is published).
  worker.stdout.on('data', (chunk: Uint8Array) => output.write(chunk))
  worker.stderr.on('data', (chunk: Uint8Array) => output.write(chunk))
  let nextId = 1
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  let gone: Error | undefined
  let disposed: Promise<void> | undefined
  const failAll = (err: Error) => {
    gone ??= err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  worker.on('message', (r: DaemonReply) => {
    if ('event' in r) return onEvent(r.event)
    const p = pending.get(r.id)
    if (!p) return
    pending.delete(r.id)
    if (r.ok) p.resolve(r.value)
    else p.reject(toError(r.error))
  })
  worker.on('error', (err) => failAll(err))
  worker.on('exit', (code) => failAll(new Error(disposed ? 'The definitions worker was disposed.' : `The definitions worker exited with code ${code} (process.exit() in the definitions?).`)))

  function request<O extends Op>(op: O, params: Params<O>): Promise<DaemonReplies[O]> {
    if (gone) return Promise.reject(gone)
    const id = nextId++
    return new Promise<DaemonReplies[O]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      worker.postMessage({ id, op, ...params } as DaemonRequest)
    })
  }

  return {
    request,
    get alive() {
      return gone === undefined && disposed === undefined
    },
    dispose() {
      disposed ??= (async () => {
        if (!gone) {
          let timer: NodeJS.Timeout | undefined
          await Promise.race([request('close', {}).catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))])
          clearTimeout(timer)
        }
        await worker.terminate()
      })()
      return disposed
    },
  }
}
