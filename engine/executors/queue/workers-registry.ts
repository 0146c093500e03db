import type { Redis } from 'ioredis'
import { HEARTBEAT_TTL_MS, keys, type WorkerInfo } from './protocol.js'

/** Records a worker's heartbeat; the key expires when the worker stops beating (killed, or its host gone). */
export async function beat(redis: Redis, prefix: string, info: WorkerInfo): Promise<void> {
  await redis.set(keys.worker(prefix, info.id), JSON.stringify(info), 'PX', HEARTBEAT_TTL_MS)
}

export async function forget(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.del(keys.worker(prefix, id))
}

/** Live workers of a queue prefix (those whose heartbeat has not expired), by host then pid. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerInfo[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerPattern(prefix), 'COUNT', 500)
    cursor = next
    found.push(...batch)
  } while (cursor !== '0')
  if (found.length === 0) return []
  const values = await redis.mget(...found)
  const workers: WorkerInfo[] = []
  for (const v of values) {
    if (!v) continue
    try {
      workers.push(JSON.parse(v) as WorkerInfo)
    } catch {}
  }
  return workers.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid)
}

/** The live workers of the queue at `url`, for `strata workers`. Fails with STRATA_QUEUE_UNREACHABLE when Redis does not answer. */
export async function listQueueWorkers(url: string): Promise<{ where: string; prefix: string; workers: WorkerInfo[] }> {
  const { connect, parseQueueUrl, waitReachable } = await import('./connection.js')
  const address = parseQueueUrl(url)
  const redis = connect(address)
  try {
    await waitReachable(redis, address)
    return { where: address.where, prefix: address.prefix, workers: await listWorkers(redis, address.prefix) }
  } finally {
    redis.disconnect()
  }
}
