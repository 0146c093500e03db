import type { LogLevel } from '../../assets/types.js'
import type { DataFormat } from '../storage/types.js'
import type { CheckResultData } from '../checks/run-checks.js'
import type { ModelRequest } from '../registry/context.js'

export type { CheckResultData } from '../checks/run-checks.js'
export type { ModelRequest } from '../registry/context.js'

/** One stored upstream value handed to a step. */
export interface InputPart {
  partitionKey: string
  location: string
  format: DataFormat
}

/**
 * An input as the step loads it: `single` gives the value itself; `multi`
 * (several upstream partitions) gives a Map from partition key to value, in
 * partition order.
 */
export type InputLocation =
  | { kind: 'single'; part: InputPart }
  /** A single-valued input with no upstream partition to read (e.g. the first partition's own previous one): `undefined`. */
  | { kind: 'none' }
  | { kind: 'multi'; parts: InputPart[] }

/** Everything a worker needs to run one step; plain data so it crosses threads. */
export interface StepTask {
  runId: string
  assetKey: string
  /** Partition keys this step materializes ([] for unpartitioned; several under a backfill policy). */
  partitionKeys: string[]
  partitionWindow?: { start: number; end: number }
  attempt: number
  defsPath: string
  /**
   * The version of the definitions' files the run planned with (a content
   * hash, see executors/defs-version.ts). A warm pool runs the step on
   * threads that imported that version, and starts new threads when it
   * changes: a thread never imports two versions.
   */
  defsVersion?: string
  /** The object store inputs are read from and the output is written to: its spec (a directory, or a `postgres://` URL), opened once per worker thread. */
  objects: string
  /**
   * Where `ctx.registry` reads the model registry: the storage URL, or the
   * home directory of the embedded SQLite storage (reachable from this host only).
   */
  storage: string
  /** The directory `strata serve` appends its logs to, read by `ctx.serving.logs()` where the step runs. */
  servingLogs: string
  inputs: Record<string, InputLocation>
  /** The asset's per-attempt limit (asset({ timeoutMs })), enforced by the executor from when the compute is about to start. */
  timeoutMs?: number
  /** The asset's code version as planned: a remote worker whose definitions disagree fails the step (STRATA_CODE_MISMATCH). */
  codeVersion?: string
  /** The asset's named pool and its limit, when it has one: a remote executor enforces the limit across workers. */
  pool?: { name: string; limit: number }
}

export interface StepLogLine {
  ts: number
  level: LogLevel
  message: string
}

export interface SerializedError {
  name: string
  message: string
  stack?: string
  code?: string
}

export type StepOutcome =
  | {
      ok: true
      codeVersion: string
      location: string
      format: DataFormat
      bytes: number
      dataVersion: string
      metadata: Record<string, unknown>
      durationMs: number
      /** Results of the asset's checks (none failed blocking). */
      checks?: CheckResultData[]
      /** Registry writes queued by compute through ctx.registry, applied after the materialization is recorded. */
      models?: ModelRequest[]
    }
  | {
      ok: false
      error: SerializedError
      durationMs: number
      /** Check results when the step failed because of them (STRATA_CHECK_FAILED / STRATA_INVALID_CONTRACT). */
      checks?: CheckResultData[]
    }

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { name: err.name, message: err.message, stack: err.stack, code: typeof code === 'string' ? code : undefined }
  }
  return { name: 'Error', message: `Non-error thrown: ${String(err)}` }
}

/** BroadcastChannel on which pool workers stream log lines, tagged with the step's token. */
export const LOG_CHANNEL = 'strata:step-logs'

/** What a pool worker broadcasts about the step it runs: a log line, or that its compute is about to start (definitions loaded). */
export type StepBroadcast = { token: string; line: StepLogLine } | { token: string; started: number }
