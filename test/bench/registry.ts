// The model registry and the daemon's storage writes on each backend:
// registering a version and promoting one to production, for a model with
// few versions and one with 2,000 (a write must not cost more as a model's
// history grows), then a daemon tick commit with one request and a lease
// renewal. SQLite in a temp home, PostgreSQL in a fresh schema of the test
// server (STRATA_TEST_POSTGRES_URL), dropped afterwards. Median of repeats.
import type { NewModelVersion, Storage } from '../../engine/storage/index.js'
import { newInstance, type BackendName } from '../storage/backends.js'

const REPEATS = 40
const LARGE = 2_000
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const version = (name: string, createdAt: number): NewModelVersion => ({
  name,
  metrics: { auc: 0.8 },
  config: { depth: 6 },
  lineage: {},
  codeVersion: 'code-1',
  artifact: `objects/${name}/${createdAt}.json`,
  gate: { passed: true, reasons: [] },
  createdAt,
})

async function timed(fn: (i: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now()
    await fn(i)
    ms.push(performance.now() - t)
  }
  return median(ms)
}

async function measure(s: Storage, name: string, existing: number): Promise<{ register: number; promote: number }> {
  for (let i = 0; i < existing; i++) await s.registerModel(version(name, i))
  const register = await timed((i) => s.registerModel(version(name, existing + i)))
  const promote = await timed((i) => s.setModelStage(name, 1 + (i % (existing + REPEATS)), 'production', 1_000_000 + i))
  return { register, promote }
}

async function bench(backend: BackendName): Promise<void> {
  const instance = newInstance(backend)
  const s = await instance.open()
  try {
    // Warm up the connections and the code paths first, so the first figures are not the pool's start-up.
    await measure(s, 'warm-up', 10)
    const small = await measure(s, 'small', 10)
    const large = await measure(s, 'large', LARGE)
    const tick = await timed((i) =>
      s.commitAutomationTick({
        tick: { sourceKind: 'schedule', sourceName: 'daily', tickKey: String(i), evaluatedAt: i, status: 'REQUESTED' },
        cursor: { cursor: String(i), failures: 0 },
        requests: [{ requestKey: `r${i}`, runId: `run-${i}`, sourceKind: 'schedule', sourceName: 'daily', selection: 'a', assetKeys: ['a'], slots: [{ assetKey: 'a', partitionKey: '' }], reason: 'cron', tags: {}, createdAt: i }],
      }),
    )
    await s.acquireDaemonLease({ owner: 'bench', pid: process.pid, host: 'bench', now: 0, ttlMs: 30_000 }, () => true)
    const renew = await timed((i) => s.renewDaemonLease('bench', i, 30_000))
    const f = (ms: number) => `${ms.toFixed(2)} ms`
    console.log(`${backend.padEnd(8)} register: ${f(small.register)} (10 versions), ${f(large.register)} (${LARGE.toLocaleString('en')} versions)`)
    console.log(`${''.padEnd(8)} promote to production: ${f(small.promote)} (10 versions), ${f(large.promote)} (${LARGE.toLocaleString('en')} versions)`)
    console.log(`${''.padEnd(8)} daemon tick with one request: ${f(tick)}; lease renewal: ${f(renew)}`)
  } finally {
    await s.close()
    await instance.cleanup()
  }
}

export async function run(): Promise<void> {
  console.log(`Model registry and daemon writes (median of ${REPEATS})`)
  for (const backend of ['sqlite', 'postgres'] as const) await bench(backend)
}
