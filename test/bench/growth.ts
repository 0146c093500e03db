// How the engine's cost per step grows with the size of a run: trivial steps
// on the pool executor, the `strata` bin called directly, at 100 / 1,000 /
// 10,000 assets (10 wide, each reading 2 of the layer above) and one asset
// backfilled over 365 / 3,650 / 36,525 daily partitions. Flat is the goal.
// Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { layeredDefinitions } from './graphs.js'
import { BIN, fmt, makeProject } from './project.js'

interface Measured {
  wallMs: number
  runMs: number
  steps: number
  ok: number
  /** Peak resident set of the CLI process (worker threads included), in MiB; undefined without /usr/bin/time. */
  peakMiB?: number
  /** User + system CPU time of the CLI process, all threads (steadier than wall time on a shared machine). */
  cpuMs?: number
  /** What the executor did, from the run's end event: worker threads started and hand-offs to them. */
  threads?: number
  handOffs?: number
}

/** The executor figures of a run's end event (`strata logs RUN_ID --json`). */
function executorFigures(dir: string, runId: string): { threads?: number; handOffs?: number } {
  const r = spawnSync(process.execPath, [BIN, 'logs', runId, '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0) return {}
  const events = (JSON.parse(r.stdout) as { events: Array<{ type: string; data?: { threadsStarted?: number; handOffs?: number } }> }).events
  const end = events.find((e) => e.type.startsWith('RUN_') && e.type !== 'RUN_START')?.data
  return { threads: end?.threadsStarted, handOffs: end?.handOffs }
}

const TIME = '/usr/bin/time'

/** Runs the CLI (its JSON output read for the run's duration) and its peak RSS through GNU time. */
function measureCli(dir: string, args: string[]): Measured {
  const withTime = existsSync(TIME)
  const t = performance.now()
  const r = withTime
    ? spawnSync(TIME, ['-f', 'STRATA_BENCH_MAXRSS_KB=%M CPU=%U+%S', process.execPath, BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const wallMs = performance.now() - t
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const out = JSON.parse(r.stdout) as { runId?: string; durationMs: number; steps?: Array<{ status: string }>; counts?: { total: number; SUCCESS: number } }
  const steps = out.counts?.total ?? out.steps?.length ?? 0
  const ok = out.counts?.SUCCESS ?? out.steps?.filter((s) => s.status === 'SUCCESS').length ?? 0
  const kb = /STRATA_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1]
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr)
  return { wallMs, runMs: out.durationMs, steps, ok, ...(out.runId ? executorFigures(dir, out.runId) : {}), ...(kb ? { peakMiB: Number(kb) / 1024 } : {}), ...(cpu ? { cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 } : {}) }
}

function line(label: string, m: Measured, base?: Measured): string {
  const perStep = m.runMs / m.steps
  const growth = base ? `  ×${(perStep / (base.runMs / base.steps)).toFixed(2)} vs smallest` : ''
  const rss = m.peakMiB !== undefined ? `, peak RSS ${m.peakMiB.toFixed(0)} MiB` : ''
  const cpu = m.cpuMs !== undefined ? `, CPU ${(m.cpuMs / m.steps).toFixed(3)} ms/step` : ''
  const executor = m.threads !== undefined ? `, ${m.threads} thread(s), ${m.handOffs} hand-offs` : ''
  return `  ${label.padEnd(22)} ${perStep.toFixed(3)} ms/step (run ${fmt(m.runMs)}, wall ${fmt(m.wallMs)}, ${m.ok}/${m.steps} SUCCESS${rss}${cpu}${executor})${growth}`
}

/** One asset over `days` daily partitions from 1925-01-01: its definitions and the last key. */
function dailyAsset(days: number): { defs: string; from: string; to: string } {
  const start = Date.UTC(1925, 0, 1)
  const end = new Date(start + days * 86_400_000)
  const to = new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10)
  const defs = `import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
const days = dailyPartitions({ start: '1925-01-01', end: '${end.toISOString().slice(0, 10)}' })
export const daily = asset({ key: 'daily', partitions: days, codeVersion: 'v1', compute: (ctx) => ({ day: ctx.partitionKey }) })
export default defineDefinitions({ assets: [daily] })
`
  return { defs, from: '1925-01-01', to }
}

/** Targets: ≤ 0.25 ms/step at 1,000 and 10,000 assets; 36,525 partitions ≤ 15 s; flat growth. */
export async function run(): Promise<void> {
  const sizes = (process.env.STRATA_BENCH_GROWTH ?? 'assets,partitions').split(',')
  console.log('## Growth: cost per trivial step as runs grow (pool executor, strata bin)')
  if (sizes.includes('assets')) {
    console.log('assets (layers of 10, each reading 2 of the layer above), strata materialize --json:')
    let base: Measured | undefined
    for (const n of [100, 1_000, 10_000]) {
      const p = makeProject(layeredDefinitions({ width: 10, layers: n / 10 }))
      try {
        const m = measureCli(p.dir, ['materialize', '--json'])
        console.log(line(`${n.toLocaleString('en')} assets`, m, base))
        base ??= m
      } finally {
        p.cleanup()
      }
    }
    console.log('  [target ≤ 0.25 ms/step at 1,000 and 10,000 assets; flat]')
  }
  if (sizes.includes('partitions')) {
    console.log('one asset × N daily partitions, one strata backfill --json:')
    let base: Measured | undefined
    for (const days of [365, 3_650, 36_525]) {
      const { defs, from, to } = dailyAsset(days)
      const p = makeProject(defs)
      try {
        const m = measureCli(p.dir, ['backfill', 'daily', '--from', from, '--to', to, '--json'])
        console.log(line(`${days.toLocaleString('en')} partitions`, m, base))
        base ??= m
      } finally {
        p.cleanup()
      }
    }
    console.log('  [target: 36,525 partitions ≤ 15 s; flat]')
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
