import { createRequire } from 'node:module'
import type { Redis, RedisOptions } from 'ioredis'
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

/** How the queue's connections behave: BullMQ needs `maxRetriesPerRequest: null`; reconnects are retried quickly and forever (the executor's watchdog decides when to give up). */
const OPTIONS: RedisOptions = {
  maxRetriesPerRequest: null,
  connectTimeout: 5000,
  retryStrategy: (times) => Math.min(200 * times, 2000),
}

/** Loaded on first use: commands that never use the queue do not load ioredis or BullMQ. */
export function loadIORedis(): typeof import('ioredis').Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis
}

export function loadBullMQ(): typeof import('bullmq') {
  return createRequire(import.meta.url)('bullmq') as typeof import('bullmq')
}

export function connect(address: QueueAddress): Redis {
  const IORedis = loadIORedis()
  const redis = new IORedis(address.redisUrl, OPTIONS)
  // Errors surface through readiness checks and the watchdog; an unhandled 'error' event would crash the process.
  redis.on('error', () => {})
  return redis
}

/** Resolves once `redis` answers, or fails with STRATA_QUEUE_UNREACHABLE after `timeoutMs`. */
export async function waitReachable(redis: Redis, address: QueueAddress, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StrataError('STRATA_QUEUE_UNREACHABLE', `Cannot reach the queue's Redis at ${address.where} (waited ${Math.round(timeoutMs / 1000)} s). Start Redis (e.g. redis-server, or docker run -p 6379:6379 redis:7) or fix --queue / STRATA_QUEUE_URL.`)),
      timeoutMs,
    )
  })
  try {
    await Promise.race([redis.ping(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
