// The queue executor's cost and scaling: engine overhead per trivial step
// through Redis (1,000-asset layered graph) with 1, 2 and 4 worker processes
// next to the pool executor; CPU-bound steps (8 × 0.5 s) on 1 vs 2 worker
// processes; and the time from kill -9 of a worker to its step running on
// another. Needs Redis (STRATA_TEST_REDIS_URL, default redis://127.0.0.1:6379).
// Prints figures; asserts nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { layeredDefinitions } from './graphs.js'
import { BIN, fmt, makeProject } from './project.js'

const REDIS = process.env.STRATA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const POSTGRES = process.env.STRATA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Bench {
  url: string
  prefix: string
  objects: string
  cleanup(): Promise<void>
}

async function freshQueue(): Promise<Bench> {
  const prefix = `strata-bench-${randomBytes(5).toString('hex')}`
  const redis = new Redis(REDIS, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3000 })
  try {
    await redis.connect()
  } catch (err) {
    throw new Error(`Redis is unreachable at ${REDIS} (${(err as Error).message}): the queue benchmark needs it.`)
  }
  const objects = mkdtempSync(join(tmpdir(), 'strata-bench-objects-'))
  return {
    url: `${REDIS}${REDIS.includes('?') ? '&' : '?'}prefix=${prefix}`,
    prefix,
    objects,
    async cleanup() {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
        cursor = next
        if (keys.length) await redis.del(...keys)
      } while (cursor !== '0')
      redis.disconnect()
      rmSync(objects, { recursive: true, force: true })
    },
  }
}

interface Worker {
  child: ChildProcess
  pid: number
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** A `strata worker` in a project folder of its own; resolves once it serves the queue. */
async function startWorker(q: Bench, defs: string, concurrency: number): Promise<Worker> {
  const p = makeProject(defs)
  const child = spawn(process.execPath, [BIN, 'worker', '-f', join(p.dir, 'definitions.ts'), '--queue', q.url, '--objects', q.objects, '--concurrency', String(concurrency)], {
    cwd: p.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let err = ''
  child.stderr!.on('data', (c) => (err += String(c)))
  const exited = new Promise<void>((r) => child.on('close', () => r()))
  while (!/Worker pid \d+/.test(err)) {
    if (child.exitCode !== null) throw new Error(`strata worker exited: ${err}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    child,
    pid: child.pid!,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
      p.cleanup()
    },
  }
}

/** `strata materialize --json` in `dir`: the run's own duration (from its JSON) and the CLI's wall time. */
function materialize(dir: string, args: string[]): { runMs: number; wallMs: number; steps: number; ok: number } {
  const t = performance.now()
  const r = spawnSync(process.execPath, [BIN, 'materialize', '--json', ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } })
  const wallMs = performance.now() - t
  if (r.status !== 0 && r.status !== 1) throw new Error(`strata materialize ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const out = JSON.parse(r.stdout) as { durationMs: number; steps: Array<{ status: string }> }
  return { runMs: out.durationMs, wallMs, steps: out.steps.length, ok: out.steps.filter((s) => s.status === 'SUCCESS').length }
}

/** Whether this version has PostgreSQL storage (`--storage postgres://…`). */
function hasPostgresStorage(dir: string): boolean {
  const r = spawnSync(process.execPath, [BIN, 'materialize', '--help'], { cwd: dir, encoding: 'utf8' })
  return /--storage/.test(r.stdout + r.stderr)
}

async function overhead(): Promise<void> {
  const defs = layeredDefinitions({ width: 10, layers: 100 })
  console.log('Engine overhead per trivial step, 1,000 assets (10 wide, each reading 2 of the layer above), one run, fresh home:')
  const line = (label: string, m: ReturnType<typeof materialize>) =>
    console.log(`  ${label.padEnd(34)} ${(m.runMs / m.steps).toFixed(2)} ms/step (run ${fmt(m.runMs)}, wall ${fmt(m.wallMs)}, ${m.ok}/${m.steps} SUCCESS)`)
  const local = makeProject(defs)
  try {
    line('pool executor, SQLite', materialize(local.dir, []))
    rmSync(join(local.dir, '.strata'), { recursive: true, force: true })
    if (hasPostgresStorage(local.dir)) {
      const schema = `bench_${randomBytes(4).toString('hex')}`
      line('pool executor, PostgreSQL', materialize(local.dir, ['--storage', `${POSTGRES}?schema=${schema}`]))
      spawnSync('psql', [POSTGRES, '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore' })
    } else console.log('  pool executor, PostgreSQL           (not measured: no --storage in this version)')
  } finally {
    local.cleanup()
  }
  for (const n of [1, 2, 4]) {
    const q = await freshQueue()
    const p = makeProject(defs)
    const workers: Worker[] = []
    try {
      for (let i = 0; i < n; i++) workers.push(await startWorker(q, defs, 2))
      line(`queue, ${n} worker process(es) × 2 threads`, materialize(p.dir, ['--executor', 'queue', '--queue', q.url]))
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      p.cleanup()
      await q.cleanup()
    }
  }
}

async function cpuBound(): Promise<void> {
  const defs = `import { asset, defineDefinitions } from 'strata-engine'
const burn = (ms) => { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x > 0 }
export default defineDefinitions({ assets: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => asset({ key: 'cpu' + i, codeVersion: 'v1', compute: () => burn(500) })) })
`
  console.log('CPU-bound: 8 steps × 0.5 s of computation, one thread per worker process:')
  const walls: number[] = []
  for (const n of [1, 2]) {
    const q = await freshQueue()
    const p = makeProject(defs)
    const workers: Worker[] = []
    try {
      for (let i = 0; i < n; i++) workers.push(await startWorker(q, defs, 1))
      const m = materialize(p.dir, ['--executor', 'queue', '--queue', q.url])
      walls.push(m.runMs)
      console.log(`  ${n} worker process(es): run ${fmt(m.runMs)} (${m.ok}/${m.steps} SUCCESS)`)
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      p.cleanup()
      await q.cleanup()
    }
  }
  console.log(`  speed-up 2 vs 1: ×${(walls[0]! / walls[1]!).toFixed(2)}  [target ≥ ×1.8 on 2 free cores]`)
}

async function killHandOff(): Promise<void> {
  const marks = join(mkdtempSync(join(tmpdir(), 'strata-bench-marks-')), 'marks.txt')
  writeFileSync(marks, '')
  const defs = `import { appendFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
export const slow = asset({ key: 'slow', compute: async () => { appendFileSync(${JSON.stringify(marks)}, process.pid + ' ' + Date.now() + '\\n'); await new Promise((r) => setTimeout(r, 1000)); return 1 } })
export default defineDefinitions({ assets: [slow] })
`
  const starts = () => readFileSync(marks, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number])
  const q = await freshQueue()
  const p = makeProject(defs)
  let workers: Worker[] = []
  const gaps: number[] = []
  try {
    for (let trial = 0; trial < 3; trial++) {
      while (workers.length < 2) workers.push(await startWorker(q, defs, 1))
      const before = starts().length
      const run = spawn(process.execPath, [BIN, 'materialize', '--json', '--executor', 'queue', '--queue', q.url], { cwd: p.dir, stdio: 'ignore' })
      const done = new Promise((r) => run.on('close', r))
      while (starts().length === before) await new Promise((r) => setTimeout(r, 20))
      const victim = workers.find((w) => w.pid === starts()[before]![0])!
      const killedAt = Date.now()
      victim.child.kill('SIGKILL')
      workers = workers.filter((w) => w !== victim)
      while (starts().length === before + 1) await new Promise((r) => setTimeout(r, 20))
      gaps.push(starts()[before + 1]![1] - killedAt)
      await done
      await victim.stop()
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    p.cleanup()
    await q.cleanup()
    rmSync(join(marks, '..'), { recursive: true, force: true })
  }
  console.log(`kill -9 of the worker running a step → the step running on another worker: ${gaps.map((g) => fmt(g)).join(', ')} (3 trials; job lock 3 s, stalled check every 1 s)`)
}

export async function run(): Promise<void> {
  console.log('## Queue executor (Redis + BullMQ, strata worker processes)')
  const parts = (process.env.STRATA_BENCH_QUEUE ?? 'overhead,cpu,kill').split(',')
  if (parts.includes('overhead')) await overhead()
  if (parts.includes('cpu')) await cpuBound()
  if (parts.includes('kill')) await killHandOff()
}
