import type { MessagePort } from 'node:worker_threads'
import type { StepLogLine, StepOutcome } from '../execution/step-types.js'
import type { Executor } from '../executors/types.js'
import type { StepReply, StepRequest } from './protocol.js'

/**
 * The executor of an isolate's runs when the session keeps a warm pool: each
 * step goes to the session (which runs it on the pool) and its log lines and
 * outcome come back. The isolate is thrown away after its run; the pool and
 * the definitions its threads imported stay for the next one.
 */
export function createRemoteExecutor(port: MessagePort, concurrency: number): { executor: Executor; onReply(reply: StepReply): void } {
  let nextId = 1
  const pending = new Map<number, { onLog: (line: StepLogLine) => void; resolve: (outcome: StepOutcome) => void }>()
  const send = (message: StepRequest) => port.postMessage(message)
  return {
    executor: {
      name: 'pool',
      concurrency,
      canStopSteps: true,
      // Threads live in the session, not here.
      threadsStarted: 0,
      runStep(task, onLog, stop) {
        const id = nextId++
        return new Promise<StepOutcome>((resolve) => {
          const onStop = () => send({ stepStop: id })
          pending.set(id, {
            onLog,
            resolve: (outcome) => {
              stop?.removeEventListener('abort', onStop)
              resolve(outcome)
            },
          })
          send({ step: id, task })
          stop?.addEventListener('abort', onStop, { once: true })
          if (stop?.aborted) onStop()
        })
      },
      close: async () => {},
    },
    onReply(reply) {
      const p = pending.get(reply.step)
      if (!p) return
      if ('log' in reply) return p.onLog(reply.log)
      pending.delete(reply.step)
      p.resolve(reply.outcome)
    },
  }
}
