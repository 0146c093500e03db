import type { AssetDefinition } from '../../assets/types.js'

/**
 * Wait before retry number `retryNumber` (1 for the first retry), with
 * Dagster's semantics: constant, linear (`delay * n`) or exponential
 * (`delay * (2^n - 1)`) backoff, then optional jitter.
 */
export function retryDelayMs(policy: NonNullable<AssetDefinition['retry']>, retryNumber: number, random: () => number = Math.random): number {
  const base = policy.delayMs
  let delay = base
  if (policy.backoff === 'linear') delay = base * retryNumber
  else if (policy.backoff === 'exponential') delay = base * (2 ** retryNumber - 1)
  const jitter = policy.jitter === true ? 'full' : policy.jitter
  if (jitter === 'full') delay = random() * delay
  else if (jitter === 'plus_minus') delay = delay + (2 * random() * base - base)
  return Math.max(0, delay)
}
