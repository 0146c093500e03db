// npm run bench -- object-stores: the filesystem and PostgreSQL object stores
// side by side (wall time): a small object's put and get (the trivial step's
// cost), and the throughput of a 32 MiB object through put, get and stream.
import { randomBytes } from 'node:crypto'
import { objectLocation } from '../../engine/io/object-stores/location.js'
import type { ObjectStore } from '../../engine/io/object-stores/types.js'
import { sha256, STORE_KINDS, withStore } from '../io/object-store-helpers.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fresh = (bytes: number) => {
  const data = randomBytes(bytes)
  return { data, location: objectLocation(sha256(data), 'json') }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

async function measure(store: ObjectStore): Promise<string> {
  const puts: number[] = []
  const reuses: number[] = []
  const gets: number[] = []
  for (let i = 0; i < 200; i++) {
    const o = fresh(2048)
    puts.push(await timed(() => store.put(o.location, o.data)))
    reuses.push(await timed(() => store.put(o.location, o.data)))
    gets.push(await timed(() => store.get(o.location)))
  }
  const big = fresh(32 * 1024 * 1024)
  const put = await timed(() => store.put(big.location, big.data))
  const get = await timed(() => store.get(big.location))
  const stream = await timed(async () => {
    for await (const _ of store.stream(big.location));
  })
  const mbps = (ms: number) => `${(32 / (ms / 1000)).toFixed(0)} MiB/s`
  return `2 KiB object: put ${median(puts).toFixed(2)} ms, reuse ${median(reuses).toFixed(2)} ms, get ${median(gets).toFixed(2)} ms (medians of 200); 32 MiB object: put ${mbps(put)}, get ${mbps(get)}, stream ${mbps(stream)}`
}

export async function run(): Promise<void> {
  console.log('## Object stores (wall time; the filesystem store with its default durability)')
  for (const kind of STORE_KINDS) {
    await withStore(kind, async (store) => console.log(`${kind}: ${await measure(store)}`))
  }
}
