/** Queue URLs: parsed without loading a Redis client (the public API exposes them). */
import { StrataError } from '../../../assets/errors.js'

/** Where a queue lives: a Redis server, and the key prefix that separates independent queues on it. */
export interface QueueAddress {
  /** The Redis URL without the `prefix` parameter. */
  redisUrl: string
  /** Every key, job and channel of this queue starts with it. @defaultValue 'strata' */
  prefix: string
  /** host:port, for messages (no password). */
  where: string
}

export const DEFAULT_PREFIX = 'strata'

/** The queue URL from the flag, else $STRATA_QUEUE_URL, else the definitions' `executor.queue`. */
export function queueUrlFrom(flag: string | undefined, fromDefinitions?: string): string | undefined {
  return flag ?? process.env.STRATA_QUEUE_URL ?? fromDefinitions
}

/** Parses `redis://[user:pass@]HOST[:PORT][/DB][?prefix=NAME]` (or `rediss://` for TLS). */
export function parseQueueUrl(url: string | undefined): QueueAddress {
  if (!url) {
    throw new StrataError('STRATA_INVALID_QUEUE_URL', 'The queue executor needs a Redis URL: pass --queue redis://HOST:6379, set STRATA_QUEUE_URL, or defineDefinitions({ executor: { queue } }).')
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new StrataError('STRATA_INVALID_QUEUE_URL', `"${url}" is not a queue URL; use redis://HOST:6379 (or rediss:// for TLS).`)
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new StrataError('STRATA_INVALID_QUEUE_URL', `"${url}" is not a queue URL: it must start with redis:// or rediss:// (e.g. redis://127.0.0.1:6379).`)
  }
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_PREFIX
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new StrataError('STRATA_INVALID_QUEUE_URL', `Queue prefix "${prefix}" may only hold letters, digits, _ . and -.`)
  }
  parsed.searchParams.delete('prefix')
  const where = `${parsed.hostname || '127.0.0.1'}:${parsed.port || 6379}`
  return { redisUrl: parsed.toString(), prefix, where }
}
