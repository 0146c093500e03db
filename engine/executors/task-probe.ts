/**
 * What a pool task's thread tells the main thread without a message: a
 * SharedArrayBuffer it writes as it goes. Read when the thread dies (which
 * step of a batch was running) and by the pool deciding whether another
 * thread would pay (how long the compute has been running).
 *
 * Layout: Int32 at byte 0, the index of the step running now (batches);
 * Float64 at byte 8, Date.now() when the first compute started (0: not yet,
 * e.g. the thread is still importing the definitions).
 */
export type TaskProbe = SharedArrayBuffer

export function newTaskProbe(): TaskProbe {
  return new SharedArrayBuffer(16)
}

/** Thread side: the step at `index` of the task is running. */
export function markRunning(probe: TaskProbe, index: number): void {
  Atomics.store(new Int32Array(probe, 0, 1), 0, index)
}

/** Main side: the index of the step running when the thread died. */
export function runningIndex(probe: TaskProbe): number {
  return Atomics.load(new Int32Array(probe, 0, 1), 0)
}

/** Thread side: a compute is starting; the first one sets the task's start. */
export function markStarted(probe: TaskProbe): void {
  const at = new Float64Array(probe, 8, 1)
  if (at[0] === 0) at[0] = Date.now()
}

/** Main side: when the task's first compute started (ms since the epoch), 0 if none has. */
export function startedAt(probe: TaskProbe): number {
  return new Float64Array(probe, 8, 1)[0]!
}
