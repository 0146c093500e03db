// The automation daemon's tick: every asset with eager(), everything fresh
// (nothing to do), over growing graphs of unpartitioned assets and of daily
// partitioned ones (365 days each); then the latency from an upstream
// materialization to the downstream run being requested and started, and an
// idle daemon's CPU and memory (STRATA_BENCH_IDLE_SECONDS=600 measures only that, over
// 10 minutes).
// Times are CPU time of the process (SQLite runs on its thread), stable on a
// busy machine. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { asset, dailyPartitions, defineDefinitions, eager, type AssetDefinition } from '../../assets/index.js'
import { AutomationEngine } from '../../engine/automation/tick.js'
import { manualClock } from '../../engine/automation/clock.js'
import { AssetGraph } from '../../engine/graph/index.js'
import { openStorage } from '../../engine/storage/index.js'
import type { Workspace } from '../../engine/workspace.js'
import { startDaemon } from '../../engine/automation/daemon.js'
import { fmt, makeProject } from './project.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const DAYS = dailyPartitions({ start: '2023-01-01', end: '2024-01-01' })
const NOW = new Date('2024-01-01T12:00:00Z')
/** Chains of CHAIN assets: asset i reads asset i-1 unless it starts a chain. */
const CHAIN = 10

function graph(n: number, partitioned: boolean): AssetDefinition<any>[] {
  const assets: AssetDefinition<any>[] = []
  for (let i = 0; i < n; i++) {
    const up = i % CHAIN === 0 ? undefined : assets[i - 1]
    assets.push(asset({ key: `a${i}`, codeVersion: 'v1', ...(partitioned ? { partitions: DAYS } : {}), ...(up ? { ins: { up } } : {}), automation: eager(), compute: () => i }))
  }
  return assets
}

/** Writes one fresh materialization per (asset, partition), each consuming its upstream's, in one transaction (set-wise SQL: fast to seed). */
function seed(file: string, n: number, partitions: readonly string[]): void {
  const db = new Database(file)
  const runId = 'seed'
  const t = NOW.getTime() - 3_600_000
  db.prepare(`INSERT INTO runs (run_id, status, selection, step_keys, defs_path, pid, host, started_at, ended_at) VALUES (?, 'SUCCESS', '*', '[]', 'bench', ?, ?, ?, ?)`).run(runId, process.pid, hostname(), t, t)
  db.exec('CREATE TEMP TABLE keys (p TEXT NOT NULL)')
  const key = db.prepare('INSERT INTO keys (p) VALUES (?)')
  const mat = db.prepare(`INSERT INTO materializations (asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, started_at, ended_at)
    SELECT @a, p, @run, 'v1', @a || '-' || p, 'x', 'json', 1, @t, @t FROM keys`)
  const latest = db.prepare('INSERT INTO latest_materializations (asset_key, partition_key, materialization_id) SELECT asset_key, partition_key, id FROM materializations WHERE asset_key = ?')
  const state = db.prepare(`INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version, code_version)
    SELECT asset_key, partition_key, 'MATERIALIZED', run_id, ended_at, id, data_version, 'v1' FROM materializations WHERE asset_key = ? AND partition_key != ''`)
  const edges = db.prepare(`INSERT INTO lineage_edges (materialization_id, upstream_materialization_id, upstream_asset_key, upstream_partition_key, upstream_data_version, input_name)
    SELECT d.id, u.id, u.asset_key, u.partition_key, u.data_version, 'up' FROM materializations d JOIN materializations u ON u.asset_key = @up AND u.partition_key = d.partition_key WHERE d.asset_key = @a`)
  db.transaction(() => {
    for (const p of partitions) key.run(p)
    for (let i = 0; i < n; i++) {
      const a = `a${i}`
      mat.run({ a, run: runId, t })
      latest.run(a)
      state.run(a)
      if (i % CHAIN !== 0) edges.run({ a, up: `a${i - 1}` })
    }
  })()
  db.close()
}

export async function tickTimes(n: number, partitioned: boolean): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'strata-bench-automation-'))
  try {
    const storage = await openStorage(home)
    const partitions = partitioned ? DAYS.keys({ now: NOW }) : ['']
    const t = performance.now()
    seed(join(home, 'strata.db'), n, partitions)
    const seedMs = performance.now() - t
    const defs = defineDefinitions({ assets: graph(n, partitioned) })
    const ws: Workspace = { defs, defsPath: join(home, 'definitions.ts'), home, graph: AssetGraph.fromDefinitions(defs), storage, close: () => storage.close() }
    const clock = manualClock(NOW)
    const engine = new AutomationEngine({ ws, clock, launch: false })
    await engine.start()
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    // CPU time of this process (SQLite runs on this thread too): on a busy machine wall time measures the neighbours.
    const cpu = () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    const tick = async () => {
      clock.advance(30_000)
      const t0 = cpu()
      const r = await engine.tick()
      return { ms: cpu() - t0, ...r }
    }
    // The first tick of an engine (a start or a reload) evaluates every condition and records when each started.
    const first = await tick()
    const quiet: number[] = []
    for (let i = 0; i < 5; i++) quiet.push((await tick()).ms)
    // A fresh engine on the same home: every condition evaluated again, none new to record.
    const again: number[] = []
    for (let i = 0; i < 3; i++) {
      const fresh = new AutomationEngine({ ws, clock, launch: false })
      await fresh.start()
      clock.advance(30_000)
      const t0 = cpu()
      await fresh.tick()
      again.push(cpu() - t0)
    }
    const what = partitioned ? `${n.toLocaleString('en')} assets × ${partitions.length} daily partitions` : `${n.toLocaleString('en')} unpartitioned assets`
    console.log(
      `tick CPU time, eager() on ${what}, nothing to do: ${fmt(median(quiet))} when nothing changed since the last tick (median of 5); ${fmt(median(again))} evaluating every condition (median of 3; ${first.evaluated} evaluated, ${first.requested} requested); an engine's very first tick ${fmt(first.ms)}; seeding ${fmt(seedMs)}`,
    )
    await storage.close()
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

/** a (not automated) → b (eager): how long from a new materialization of a to b's run starting, with the daemon ticking every `intervalMs`. */
async function latency(intervalMs: number, samples: number): Promise<void> {
  const p = makeProject(`import { asset, defineDefinitions, eager } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => 1 })
export const b = asset({ key: 'b', ins: { a }, automation: eager(), compute: (_ctx, { a }) => a + 1 })
export default defineDefinitions({ assets: [a, b] })
`)
  const home = join(p.dir, '.strata')
  const storage = await openStorage(home)
  const daemon = await startDaemon({ defsPath: join(p.dir, 'definitions.ts'), home, intervalMs, watch: false })
  try {
    const delays: number[] = []
    const runId = 'bench-upstream'
    await storage.createRun({ runId, selection: 'a', stepKeys: ['a'], defsPath: join(p.dir, 'definitions.ts'), pid: process.pid, host: hostname(), startedAt: Date.now() })
    for (let i = 0; i < samples; i++) {
      // At a random moment of the tick cycle.
      await sleep(intervalMs + Math.random() * intervalMs)
      const before = (await storage.listRuns({ limit: 1 }))[0]?.runId
      const at = Date.now()
      await storage.recordMaterialization({ assetKey: 'a', partitionKey: '', runId, codeVersion: 'x', dataVersion: `v${i}`, location: 'objects/none', format: 'json', bytes: 1, metadata: {}, startedAt: at, endedAt: at }, [])
      for (;;) {
        const [latest] = await storage.listRuns({ limit: 1 })
        if (latest && latest.runId !== before && latest.tags['strata/launched-by'] === 'condition:b') {
          delays.push(latest.startedAt - at)
          break
        }
        await sleep(5)
      }
      // Let b's run end before the next sample.
      for (let w = 0; w < 400 && (await storage.listRuns({ status: 'RUNNING' })).some((r) => r.runId !== runId); w++) await sleep(25)
    }
    const sorted = [...delays].sort((x, y) => x - y)
    console.log(`new upstream data → downstream run started, daemon ticking every ${fmt(intervalMs)}: median ${fmt(sorted[Math.floor(sorted.length / 2)]!)}, max ${fmt(sorted.at(-1)!)} over ${samples} (bound: one interval + 100 ms = ${fmt(intervalMs + 100)})`)
  } finally {
    await daemon.stop('bench')
    await storage.close()
    p.cleanup()
  }
}

/** An idle daemon over `seconds` (every condition evaluated once at start, then nothing new): CPU share and memory, at the start, the end and its peak, so growth shows. */
async function idle(assets: number, seconds: number): Promise<void> {
  const lines = [`import { asset, defineDefinitions, eager } from 'strata-engine'`, `const all = []`]
  lines.push(`for (let i = 0; i < ${assets}; i++) all.push(asset({ key: 'a' + i, ...(i % 10 ? { ins: { up: all[i - 1] } } : {}), automation: eager(), compute: () => i }))`)
  lines.push(`export default defineDefinitions({ assets: all })`)
  const p = makeProject(lines.join('\n'))
  const home = join(p.dir, '.strata')
  const daemon = await startDaemon({ defsPath: join(p.dir, 'definitions.ts'), home, intervalMs: 1000, watch: false })
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
  try {
    await sleep(3000)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const rssStart = process.memoryUsage().rss
    const heapStart = process.memoryUsage().heapUsed
    let rssMax = rssStart
    // On long runs, one line a minute: a leak shows as a steady climb, not as one peak.
    const every = seconds >= 120 ? 60 : Infinity
    for (let s = 1; s <= seconds; s++) {
      await sleep(1000)
      const rss = process.memoryUsage().rss
      rssMax = Math.max(rssMax, rss)
      if (s % every === 0) {
        const c = process.cpuUsage(cpu0)
        console.log(`  ${s / 60} min: RSS ${mib(rss)}, heap ${mib(process.memoryUsage().heapUsed)}, CPU so far ${(((c.user + c.system) / 1000 / (performance.now() - t0)) * 100).toFixed(2)}%`)
      }
    }
    const cpu = process.cpuUsage(cpu0)
    const wall = performance.now() - t0
    const { rss: rssEnd, heapUsed: heapEnd } = process.memoryUsage()
    console.log(
      `idle daemon, ${assets} eager assets, ticking every 1 s, over ${seconds} s: CPU ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)}% of one core (${((cpu.user + cpu.system) / 1000 / seconds).toFixed(1)} ms per tick), RSS ${mib(rssStart)} at start, ${mib(rssEnd)} at end, ${mib(rssMax)} max; JS heap ${mib(heapStart)} → ${mib(heapEnd)} (this process and the daemon's definitions worker)`,
    )
  } finally {
    await daemon.stop('bench')
    p.cleanup()
  }
}

/** `STRATA_BENCH_IDLE_SECONDS=600 npm run bench -- automation`: only the idle measurement, over that many seconds. */
const IDLE_SECONDS = process.env.STRATA_BENCH_IDLE_SECONDS

export async function run(): Promise<void> {
  if (IDLE_SECONDS !== undefined) {
    const seconds = Number(IDLE_SECONDS)
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`STRATA_BENCH_IDLE_SECONDS must be a whole number of seconds (e.g. 600), got '${IDLE_SECONDS}'`)
    return idle(1_000, seconds)
  }
  // First, while this process is small: its memory is part of the figure.
  await idle(1_000, 15)
  for (const n of [1_000, 10_000]) await tickTimes(n, false)
  for (const n of [100, 1_000]) await tickTimes(n, true)
  await latency(1000, 5)
}
