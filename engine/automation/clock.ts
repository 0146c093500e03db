/**
 * Time for automation comes from a clock given to it, never from the system
 * directly, so every behaviour (a cron tick, midnight, a sensor's interval, a
 * lease expiring) can be tested without waiting.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that moves only when told to: tests. */
export interface ManualClock extends Clock {
  set(at: Date | string | number): void
  advance(ms: number): void
}

export function manualClock(start: Date | string | number): ManualClock {
  let t = new Date(start).getTime()
  return {
    now: () => new Date(t),
    set: (at) => {
      t = new Date(at).getTime()
    },
    advance: (ms) => {
      t += ms
    },
  }
}

/**
 * A clock that starts at `start` and runs at `rate` × real time from
 * `realStart` (epoch ms): `strata daemon --now ISO` and tests that need time
 * to pass faster than it does (a daemon killed and restarted keeps the same
 * timeline when given the same `start` and `realStart`).
 */
export function offsetClock(start: Date | string | number, opts: { rate?: number; realStart?: number; real?: () => number } = {}): Clock {
  const base = new Date(start).getTime()
  const real = opts.real ?? (() => Date.now())
  const realStart = opts.realStart ?? real()
  const rate = opts.rate ?? 1
  return { now: () => new Date(base + (real() - realStart) * rate) }
}
