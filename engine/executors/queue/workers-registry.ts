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
