// 365 one-partition runs launched one after another in one process, as a
// daemon or the UI launches them: through one warm pool kept across runs
// (createPoolExecutor({ keepAlive: true })), through a fresh pool per run (what
// materialize({ executor: 'pool' }) does), and in-process. Per run: the wall
// time of the materialize() call, and how long after the call the step's
// compute started (the time a run waits before its work begins).
//
// A fresh pool costs a thread start and a definitions import per run, so by
// default it is measured on the first 20 runs only (each takes hundreds of
// milliseconds); WARM_POOL_FRESH_RUNS=365 measures all of them.
import { createPoolExecutor, materialize, openWorkspace, type Executor, type ExecutorName, type Workspace } from '../../engine/index.js'
import { makeProject } from './project.js'

const DAYS = 365
const DEFS = `import { asset, dailyPartitions, defineDefinitions } from 'strata-engine'
export const day = asset({
  key: 'day',
  partitions: dailyPartitions({ start: '2024-01-01', end: '2025-01-01' }),
  compute: (ctx) => {
    ctx.log.info('start')
    return { day: ctx.partitionKey, value: ctx.partitionKey!.length }
  },
})
export default defineDefinitions({ assets: [day] })
`

interface Figures {
  runs: number
  /** Wall time of each materialize() call. */
  wall: number[]
  /** From the call to the compute's first line. */
  start: number[]
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`)

function keysOf(n: number): string[] {
  const start = Date.UTC(2024, 0, 1)
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10))
}

async function measure(ws: Workspace, executor: Executor | ExecutorName, keys: string[]): Promise<Figures> {
  const wall: number[] = []
  const start: number[] = []
  for (const key of keys) {
    let startedAt = 0
    const called = Date.now()
    const t = performance.now()
    const r = await materialize(ws, {
      selection: 'day',
      partitions: { keys: [key] },
      executor,
      onEvent: (e) => {
        if (e.type === 'step-log' && startedAt === 0) startedAt = e.line.ts
      },
    })
    wall.push(performance.now() - t)
    if (r.status !== 'SUCCESS') throw new Error(`run of day[${key}] ended ${r.status}: ${r.steps[0]?.error?.message}`)
    start.push(startedAt - called)
  }
  return { runs: keys.length, wall, start }
}

function line(label: string, f: Figures): string {
  return `${label.padEnd(34)} ${String(f.runs).padStart(4)} runs   ${fmt(mean(f.wall)).padStart(7)} per run (median ${fmt(quantile(f.wall, 0.5))}, p95 ${fmt(quantile(f.wall, 0.95))})   compute started ${fmt(quantile(f.start, 0.5))} after the call (p95 ${fmt(quantile(f.start, 0.95))})`
}

export async function run(): Promise<void> {
  console.log(`## ${DAYS} one-partition runs one after another in one process`)
  const freshRuns = Math.min(DAYS, Number(process.env.WARM_POOL_FRESH_RUNS ?? 20))
  const keys = keysOf(DAYS)
  const results: Array<[string, Figures]> = []
  for (const mode of ['warm pool', 'fresh pool per run', 'in-process'] as const) {
    // A home of its own per mode: each run builds a partition that is missing there.
    const p = makeProject(DEFS)
    const ws = await openWorkspace({ cwd: p.dir })
    try {
      if (mode === 'warm pool') {
        const pool = createPoolExecutor({ keepAlive: true, concurrency: 2 })
        try {
          // The first run starts the thread and imports the definitions; the others find them there.
          const first = await measure(ws, pool, keys.slice(0, 1))
          results.push(['warm pool, first run (cold)', first])
          results.push(['warm pool, the next runs', await measure(ws, pool, keys.slice(1))])
          console.log(`threads started by the warm pool: ${pool.threadsStarted}`)
        } finally {
          await pool.close()
        }
      } else if (mode === 'fresh pool per run') {
        results.push([`fresh pool per run${freshRuns < DAYS ? ` (first ${freshRuns})` : ''}`, await measure(ws, 'pool', keys.slice(0, freshRuns))])
      } else {
        results.push(['in-process', await measure(ws, 'in-process', keys)])
      }
    } finally {
      await ws.close()
      p.cleanup()
    }
  }
  for (const [label, f] of results) console.log(line(label, f))
}
