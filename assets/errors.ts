/**
 * Every error Strata raises on purpose carries a stable `code` so scripts and
 * tests can branch on it, and a message that says what to do next.
 */
export type StrataErrorCode =
  | 'STRATA_INVALID_KEY'
  | 'STRATA_INVALID_ASSET'
  | 'STRATA_DUPLICATE_KEY'
  | 'STRATA_UNKNOWN_DEP'
  | 'STRATA_CYCLE'
  | 'STRATA_INVALID_DEFINITIONS'
  | 'STRATA_INVALID_SELECTION'
  | 'STRATA_UNKNOWN_ASSET'
  | 'STRATA_DEFINITIONS_LOAD'
  | 'STRATA_INVALID_PARTITION_KEY'
  | 'STRATA_INVALID_PARTITIONS'
  | 'STRATA_PARTITION_MISMATCH'
  | 'STRATA_FUTURE_LEAK'
  | 'STRATA_MISSING_INPUT'
  | 'STRATA_USAGE'
  | 'STRATA_STORAGE'
  | 'STRATA_STEP_FAILED'
  | 'STRATA_WORKER_DIED'
  /** A stored object's content no longer matches its hash (truncated, emptied, altered): the step needing it failed rather than compute with wrong data; the asset shows STALE and `materialize --stale` rebuilds it. */
  | 'STRATA_CORRUPT_OBJECT'
  /** A step stopped because its run was canceled (Ctrl-C, a cancel request) while it ran; recorded CANCELED, never replacing the last good materialization. */
  | 'STRATA_CANCELED'
  /** A step ran past its time limit (`asset({ timeoutMs })`): it was stopped and failed; retried per its retry policy. */
  | 'STRATA_TIMEOUT'
  /** Nothing to show for a valid request: an asset never materialized has no lineage yet (exit 1, as a search that finds nothing). */
  | 'STRATA_NOT_FOUND'
  /** No run with that id (or unique id prefix). */
  | 'STRATA_UNKNOWN_RUN'
  /** No backfill with that id. */
  | 'STRATA_UNKNOWN_BACKFILL'
  /** A partition was given (`--partition`) for assets that have no partitions. */
  | 'STRATA_NOT_PARTITIONED'
  /** No materialization with that id (or it is of another asset): `strata lineage KEY --materialization ID`, a model version's lineage. */
  | 'STRATA_UNKNOWN_MATERIALIZATION'
  /** A blocking asset check failed: the step failed and its output was not stored. */
  | 'STRATA_CHECK_FAILED'
  /** A data contract document (inline or file) is malformed: unknown type, missing name, … */
  | 'STRATA_INVALID_CONTRACT'
  /** A model registration or stage request is malformed (bad name, stage, metrics, gate). */
  | 'STRATA_INVALID_MODEL'
  /** No such model name or version in the registry. */
  | 'STRATA_UNKNOWN_MODEL'
  /** A model whose gate did not pass cannot reach staging or production. */
  | 'STRATA_GATE_FAILED'
  /** `rollbackModel`: no production version, or none before it to restore. */
  | 'STRATA_NO_ROLLBACK'
  /** `strata serve`: a served model has no production version (promote one), or nothing is served. */
  | 'STRATA_NOT_SERVABLE'
  /** The home's database lost a table or column, or is an empty file: restore it or start a new home. */
  | 'STRATA_DAMAGED_HOME'
  /** `output(value, { metadata })` holds a value JSON cannot store (BigInt, a function, a cycle, a Map, …). */
  | 'STRATA_INVALID_METADATA'
  /** A compute returned a value that would not come back as it was (a class instance, a function, a cycle, …): the message names where. */
  | 'STRATA_UNSUPPORTED_VALUE'
  /** `strata serve`: the port is taken by another process. */
  | 'STRATA_PORT_IN_USE'
  /** `strata serve`: the host does not resolve, or is not an address of this machine. */
  | 'STRATA_HOST_UNAVAILABLE'
  /** `strata serve`: binding the socket failed otherwise (e.g. a privileged port). */
  | 'STRATA_LISTEN_FAILED'
  /** `strata daemon`: another daemon holds the home (its pid and host are named), or took it over; stop it or use another home. */
  | 'STRATA_DAEMON_RUNNING'
  /** `strata init`: the folder's package.json is not a JSON object (or its scripts are not one), so it cannot be updated. */
  | 'STRATA_INVALID_PACKAGE_JSON'
  /** A cron expression that does not parse, uses seconds, or never fires (schedules, onCron, cronTickPassed, freshness, time-window partitions). */
  | 'STRATA_INVALID_CRON'
  /** An automation declaration is malformed: a condition, schedule or sensor option, or a target that names no asset. */
  | 'STRATA_INVALID_AUTOMATION'
  /** Two schedules or two sensors share a name. */
  | 'STRATA_DUPLICATE_NAME'
  /** A queue URL (`--queue`, STRATA_QUEUE_URL, `defineDefinitions({ executor: { queue } })`) that is missing or not `redis://…` / `rediss://…`. */
  | 'STRATA_INVALID_QUEUE_URL'
  /** The queue's Redis server could not be reached, or stayed unreachable mid-run: the message names host:port. */
  | 'STRATA_QUEUE_UNREACHABLE'
  /** No `strata worker` served the step's queue within the worker timeout: start one (the message says how). */
  | 'STRATA_NO_WORKERS'
  /** A step's job vanished from the queue (Redis restarted without persistence, or the queue was emptied): the step failed rather than wait forever. */
  | 'STRATA_QUEUE_LOST'
  /** A worker's definitions give another code version for the asset than the run planned with: both are named. */
  | 'STRATA_CODE_MISMATCH'
  /** A storage URL (`--storage`, STRATA_STORAGE_URL, `defineDefinitions({ storage })`) that is not `sqlite`, `postgres://…` or `postgresql://…`, or is malformed. */
  | 'STRATA_INVALID_STORAGE_URL'
  /** The storage server (PostgreSQL) could not be reached: the message names host:port and what to check. */
  | 'STRATA_STORAGE_UNREACHABLE'
  /** The storage backend does not support this operation yet. */
  | 'STRATA_UNSUPPORTED'
  /** An object store spec (`--objects`, STRATA_OBJECTS, `defineDefinitions({ objects })`) that is neither a directory nor `postgres://…`. */
  | 'STRATA_INVALID_OBJECTS'
  /** The object store's server (PostgreSQL) could not be reached: the message names host:port and what to check. */
  | 'STRATA_OBJECTS_UNREACHABLE'
  /** A materialization's stored object is not in the object store (removed, or another store is in use): re-materialize, or point --objects at the right store. */
  | 'STRATA_MISSING_OBJECT'

export class StrataError extends Error {
  readonly code: StrataErrorCode
  readonly details?: Record<string, unknown>
  constructor(code: StrataErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'StrataError'
    this.code = code
    this.details = details
  }
}

export function isStrataError(err: unknown): err is StrataError {
  return err instanceof Error && typeof (err as StrataError).code === 'string' && (err as StrataError).code.startsWith('STRATA_')
}
