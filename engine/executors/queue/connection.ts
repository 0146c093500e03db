import { createRequire } from 'node:module'
import type { Redis, RedisOptions } from 'ioredis'
import { StrataError } from '../../../assets/errors.js'

export { DEFAULT_PREFIX, parseQueueUrl, queueUrlFrom, type QueueAddress } from './url.js'
import type { QueueAddress } from './url.js'

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
