import type { StepLogLine, StepOutcome, StepTask } from '../../execution/step-types.js'

/**
 * What travels between the orchestrator and the workers. A job carries no
 * local path: the worker runs the step with its own definitions (checked by
 * code version) and its own opening of the shared object store.
 */

/**
 * A step as it is queued: the task without the orchestrator's definitions
 * path. `objects` and `storage` are the orchestrator's specs; a worker given
 * `--objects` / `--storage` uses its own opening of the same stores instead.
 */
export type QueuedTask = Omit<StepTask, 'defsPath' | 'defsVersion'>

export interface StepJobData {
  task: QueuedTask
  /** The asset's code version the run planned with; a worker whose definitions disagree fails the step (STRATA_CODE_MISMATCH). */
  codeVersion: string
  /** The definitions module as the orchestrator names it (its file name), for messages only. */
  definitions: string
  /** The orchestrator's id: its liveness key, and the channel its log lines travel on. */
  orchestrator: string
}

export type StepJobResult =
  | {
      outcome: StepOutcome
      /** Log lines published for this step, so the orchestrator knows when it has them all. */
      logLines: number
      host: string
      pid: number
    }
  /** The orchestrator was gone when a worker took the job: nothing ran, nobody waits for it. */
  | { orphaned: true }

/** A log line published by a worker (JSON on the orchestrator's log channel). */
export interface LogMessage {
  jobId: string
  line: StepLogLine
}

/** BullMQ queue names (no ':' allowed): one for steps in no limited pool, one per named pool, whose limit is the queue's global concurrency. */
export const STEPS_QUEUE = 'steps'
export const poolQueue = (pool: string) => `pool-${encodeURIComponent(pool)}`

/** The queues a set of definitions' steps go to. */
export function queuesFor(pools: Readonly<Record<string, number>>): Array<{ name: string; limit?: number }> {
  return [{ name: STEPS_QUEUE }, ...Object.entries(pools).map(([pool, limit]) => ({ name: poolQueue(pool), limit }))]
}

export const keys = {
  /** A worker's heartbeat (JSON WorkerInfo), expiring when it stops beating. */
  worker: (prefix: string, id: string) => `${prefix}:workers:${id}`,
  workerPattern: (prefix: string) => `${prefix}:workers:*`,
  /** An orchestrator's liveness: workers drop jobs of one that is gone. */
  orchestrator: (prefix: string, id: string) => `${prefix}:orchestrators:${id}`,
  logs: (prefix: string, orchestrator: string) => `${prefix}:logs:${orchestrator}`,
  /** Job ids to stop on whichever worker runs them. */
  cancel: (prefix: string) => `${prefix}:cancel`,
}

/** A worker beats this often; its key expires after HEARTBEAT_TTL_MS without a beat. */
export const HEARTBEAT_MS = 2000
export const HEARTBEAT_TTL_MS = 10_000
/** An orchestrator refreshes its liveness this often; it expires after ORCHESTRATOR_TTL_MS. */
export const ORCHESTRATOR_BEAT_MS = 3000
export const ORCHESTRATOR_TTL_MS = 15_000

/**
 * Job locks: a worker renews its lock every LOCK_MS / 2; a worker killed
 * mid-step stops renewing, and another worker's stalled check (every
 * STALLED_CHECK_MS) puts the job back in the queue once the lock expired:
 * seconds, not BullMQ's default half minute.
 */
export const LOCK_MS = 3000
export const STALLED_CHECK_MS = 1000
/** A job whose worker died this many times fails (STRATA_WORKER_DIED) rather than kill another. */
export const MAX_STALLED = 2

/** What `strata workers` lists: a worker's heartbeat. */
export interface WorkerInfo {
  id: string
  host: string
  pid: number
  concurrency: number
  /** The queues it serves (steps, pool-NAME). */
  queues: string[]
  definitions: string
  startedAt: number
  lastHeartbeat: number
  steps: Array<{ jobId: string; runId: string; assetKey: string; partitionKeys: string[]; startedAt: number }>
}
