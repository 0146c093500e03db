/** `strata workers`: what the public API reads of a queue, with no Redis client type in its signature. */
import type { WorkerInfo } from './protocol.js'
import { listWorkers } from './workers-registry.js'

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
