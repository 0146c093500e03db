import { errColor } from './output.js'

/** The exit code of a run ended by Ctrl-C, as shells report SIGINT. */
export const INTERRUPTED_EXIT = 130

export interface CtrlC {
  /** Fires on the first Ctrl-C: the run is canceled (no new steps). */
  readonly signal: AbortSignal
  /** Fires on the second: running steps are stopped now. */
  readonly stop: AbortSignal
  /** Exit code for the command's result: 130 once Ctrl-C was pressed. */
  exitCode(code: number): number
  /**
   * After the result is printed: when steps were stopped, exits at once — a
   * step abandoned on the main thread (in-process) would keep the process up.
   */
  exitIfStopped(code: number): void
  dispose(): void
}

/**
 * Ctrl-C while steps run. The first cancels: nothing new starts, running
 * steps get the grace period, then the pool terminates their workers, and
 * the result is printed. The second stops running steps at once (a step on
 * the main thread cannot be interrupted, so the run stops waiting for it).
 * A third exits immediately, whatever is happening.
 */
export function handleCtrlC(opts: { executor: string; graceMs: number; after?: string }): CtrlC {
  const cancel = new AbortController()
  const stop = new AbortController()
  const after = opts.after ? ` ${opts.after}` : ''
  let count = 0
  const say = (text: string) => process.stderr.write(errColor.yellow(`\n${text}\n`))
  const onSigint = () => {
    count++
    if (count === 1) {
      cancel.abort()
      if (opts.executor === 'in-process') say(`Canceling: a step running in-process cannot be interrupted; press Ctrl-C again to record the run as canceled and exit.${after}`)
      else say(`Canceling: nothing new starts; running steps get ${opts.graceMs / 1000} s to finish, then their workers are stopped. Press Ctrl-C again to stop them now.${after}`)
    } else if (count === 2) {
      say('Stopping running steps now.')
      stop.abort()
    } else {
      process.exit(INTERRUPTED_EXIT)
    }
  }
  process.on('SIGINT', onSigint)
  return {
    signal: cancel.signal,
    stop: stop.signal,
    exitCode: (code) => (count > 0 ? INTERRUPTED_EXIT : code),
    exitIfStopped(code) {
      if (!stop.signal.aborted) return
      process.stdout.write('', () => process.exit(code))
    },
    dispose: () => process.off('SIGINT', onSigint),
  }
}
