import type { MessagePort } from 'node:worker_threads'
import { runStep } from '../execution/step-runner.js'
import { END_OF_LOGS, type StepOutcome, type StepTask } from '../execution/step-types.js'

/** Runs inside a pool worker; log lines go back over the task's own port. */
export async function runPoolTask({ task, port }: { task: StepTask; port: MessagePort }): Promise<StepOutcome> {
  try {
    return await runStep(task, (line) => port.postMessage(line))
  } finally {
    // Log lines and the outcome travel on different channels; the end marker
    // lets the main thread know it has every line before it finishes the step.
    port.postMessage(END_OF_LOGS)
    port.close()
  }
}
