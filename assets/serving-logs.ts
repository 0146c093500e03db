/**
 * `ctx.serving` in a compute: what `strata serve` logged, so assets can
 * compare served predictions with actual outcomes without knowing where the
 * server keeps its logs.
 */

/** One of `strata serve`'s JSON-lines logs. */
export interface ServingLogFile {
  /** Where it is, for messages. */
  readonly path: string
  /** Its whole text; undefined when the server never wrote it. */
  readonly text: string | undefined
}

/** `strata serve`'s logs: `shadow` (with `--shadow`: production and shadow answers side by side) and `predictions` (with `--canary`: who answered each request). */
export interface ServingLogs {
  readonly shadow: ServingLogFile
  readonly predictions: ServingLogFile
}

export interface ServingContext {
  /** Reads the serving logs as they are now (the server appends to them while it runs). */
  logs(): Promise<ServingLogs>
}
