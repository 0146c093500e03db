// strata serve on loopback: requests/s and p50/p99 latency of single and
// batched predictions, from a bounded load generator (keep-alive agent, fixed
// request count, fixed concurrency). Two models: a trivial one in a temp
// project (the server's own overhead) and the flights model, when `npm start`
// has built it and a version is in production (skipped otherwise).
import { request, Agent } from 'node:http'
import { join } from 'node:path'
import { openWorkspace, type Workspace } from '../../engine/index.js'
import { storeValue } from '../../engine/io/object-store.js'
import { registerModel } from '../../engine/registry/index.js'
import { startServer } from '../../engine/serving/server.js'
import { makeProject, REPO } from './project.js'

const REQUESTS = 2000
const CONCURRENCY = 16
const BATCH = 100

const TOY = `import { defineDefinitions, servedModel } from 'strata-engine'
export default defineDefinitions({
  assets: [],
  serving: {
    toy: servedModel({
      load: (a) => a,
      parseInstance: (j) => { if (typeof j?.x !== 'number') throw new Error('x must be a number'); return j.x },
      predict: (m, xs) => xs.map((x) => { const probability = 1 / (1 + Math.exp(-m.w * x)); return { probability, label: probability >= 0.5 ? 'pos' : 'neg' } }),
    }),
  },
})
`

interface LoadResult {
  rps: number
  p50: number
  p99: number
  errors: number
}

/** Sends `total` POSTs of `body` with `concurrency` in flight; latencies in ms. */
async function load(url: string, body: string, total = REQUESTS, concurrency = CONCURRENCY): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const { hostname, port, pathname } = new URL(url)
  const latencies: number[] = []
  let errors = 0
  let sent = 0
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now()
      const req = request({ host: hostname, port, path: pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume()
        res.on('end', () => {
          latencies.push(performance.now() - t0)
          if (res.statusCode !== 200) errors++
          resolve()
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  const worker = async () => {
    while (sent < total) {
      sent++
      await one()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return { rps: total / seconds, p50: q(0.5), p99: q(0.99), errors }
}

const line = (label: string, r: LoadResult, instances: number) =>
  console.log(
    `${label.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s  ${(r.rps * instances).toFixed(0).padStart(7)} predictions/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.errors ? `  ${r.errors} errors!` : ''}`,
  )

async function bench(ws: Workspace, name: string, instance: (i: number) => unknown): Promise<void> {
  const server = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage })
  try {
    const url = `${server.url}/v1/models/${name}/predict`
    await load(url, JSON.stringify({ instances: [instance(0)] }), 200) // warm-up
    line(`${name}: single instance`, await load(url, JSON.stringify({ instances: [instance(0)] })), 1)
    line(`${name}: batch of ${BATCH}`, await load(url, JSON.stringify({ instances: Array.from({ length: BATCH }, (_, i) => instance(i)) })), BATCH)
  } finally {
    await server.close()
  }
}

export async function run(): Promise<void> {
  console.log(`## Serving (strata serve, loopback, ${REQUESTS} requests at concurrency ${CONCURRENCY}, keep-alive)`)
  const p = makeProject(TOY)
  try {
    const ws = await openWorkspace({ defsFile: join(p.dir, 'definitions.ts') })
    try {
      const { location } = await storeValue(ws.home, { w: 1.5 })
      await registerModel(ws, { name: 'toy', metrics: {}, codeVersion: 'w', artifact: location, gate: { passed: true, reasons: [] }, stage: 'production' })
      await bench(ws, 'toy', (i) => ({ x: (i % 20) / 10 - 1 }))
    } finally {
      await ws.close()
    }
  } finally {
    p.cleanup()
  }
  let ws: Workspace | undefined
  try {
    ws = await openWorkspace({ defsFile: join(REPO, 'examples/flights/definitions.ts') })
    const prod = (await ws.storage.listModels('flight_delay')).find((m) => m.stage === 'production')
    if (!prod || !(await ws.storage.getLatest('serving/online_features'))) {
      console.log('flight_delay: skipped (run npm start, strata materialize serving/online_features, strata models promote flight_delay 1 production)')
      return
    }
    const routes = [['SFO', 'LAX', 337], ['ORD', 'LGA', 733], ['ATL', 'DFW', 731], ['DEN', 'PHX', 602], ['BOS', 'DCA', 399]] as const
    await bench(ws, 'flight_delay', (i) => {
      const [origin, destination, distance] = routes[i % routes.length]!
      return { origin, destination, distance, date: `2001-06-30T${String(6 + (i % 16)).padStart(2, '0')}:05:00Z` }
    })
  } finally {
    await ws?.close()
  }
}
