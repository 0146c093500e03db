// Partitioned assets at scale: status of 100,000 partitions, a 3 × 365
// backfill in the pool, and resuming a killed backfill. Prints figures;
// asserts nothing.
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { openWorkspace } from '../../engine/index.js'
import { BIN, fmt, makeProject, timeCli } from './project.js'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const HOURS = 100_000
const HOURLY = `import { asset, defineDefinitions, hourlyPartitions } from 'strata-engine'
const start = new Date(Date.UTC(2012, 0, 1))
const hours = hourlyPartitions({ start, end: new Date(start.getTime() + ${HOURS} * 3_600_000) })
export const events = asset({ key: 'raw/events', partitions: hours, codeVersion: 'v1', compute: (ctx) => ({ hour: ctx.partitionKey }) })
export default defineDefinitions({ assets: [events] })
`

/** a → b → c, daily over 2023 (365 partitions each), identity mappings. */
function yearChain(body: string): string {
  return `import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
const days = dailyPartitions({ start: '2023-01-01', end: '2024-01-01' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const a = asset({ key: 'a', partitions: days, codeVersion: 'v1', compute: async (ctx) => { ${body}; return { day: ctx.partitionKey } } })
export const b = asset({ key: 'b', partitions: days, codeVersion: 'v1', ins: { a }, compute: async (ctx, { a }) => { ${body}; return { day: a.day, n: 1 } } })
export const c = asset({ key: 'c', partitions: days, codeVersion: 'v1', ins: { b }, compute: async (ctx, { b }) => { ${body}; return { day: b.day, n: b.n + 1 } } })
export default defineDefinitions({ assets: [a, b, c] })
`
}

async function statusOf100k(): Promise<void> {
  const p = makeProject(HOURLY)
  try {
    const ws = await openWorkspace({ cwd: p.dir })
    const asset = ws.defs.byKey.get('raw/events')!
    const keys = asset.partitions!.keys()
    // Seed through the Storage API: one recordMaterialization (one transaction) per partition.
    let t = performance.now()
    // Realistic sizes: one backfill run (a UUID) wrote them all; 20-hex-digit data versions.
    const runId = randomUUID()
    await ws.storage.createRun({ runId, selection: 'raw/events', stepKeys: [], defsPath: ws.defsPath, pid: process.pid, host: 'bench', startedAt: Date.now() })
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const now = Date.now()
      await ws.storage.recordMaterialization(
        { assetKey: 'raw/events', partitionKey: k, runId, codeVersion: 'v1', dataVersion: createHash('sha256').update(k).digest('hex').slice(0, 20), location: `objects/x/${i}.json`, format: 'json', bytes: 16, metadata: {}, startedAt: now, endedAt: now },
        [],
      )
    }
    await ws.storage.finishRun(runId, 'SUCCESS', Date.now())
    const seedMs = performance.now() - t
    await ws.close()
    console.log(`seeding ${keys.length.toLocaleString('en')} hourly partitions via Storage.recordMaterialization (one transaction each): ${fmt(seedMs)} (${((seedMs * 1000) / keys.length).toFixed(0)} µs/partition)`)

    const runs: Array<{ ms: number; stdout: string }> = []
    for (let i = 0; i < 3; i++) runs.push(timeCli(p.dir, ['status', 'raw/events', '--json']))
    const parsed = JSON.parse(runs[0]!.stdout) as { total: number; counts: Record<string, number> }
    console.log(
      `strata status KEY --json, ${parsed.total.toLocaleString('en')} partitions (${parsed.counts.FRESH} FRESH): median ${fmt(median(runs.map((r) => r.ms)))} of [${runs.map((r) => fmt(r.ms)).join(', ')}]  [target ≤ 0.5 s]`,
    )
    const text = median([0, 1, 2].map(() => timeCli(p.dir, ['status', 'raw/events']).ms))
    const full = median([0, 1, 2].map(() => timeCli(p.dir, ['status', 'raw/events', '--partitions', '--json']).ms))
    const list = median([0, 1, 2].map(() => timeCli(p.dir, ['list', '--json']).ms))
    const baseline = median([0, 1, 2].map(() => timeCli(p.dir, ['partitions', 'list', '--json']).ms))
    console.log(`  status KEY (text, partition bar): ${fmt(text)}; status KEY --partitions --json (every partition): ${fmt(full)}; list --json: ${fmt(list)}`)
    console.log(`  baseline: a CLI command that only loads definitions and opens storage (partitions list): ${fmt(baseline)}`)

    // Where the time goes, in-process: definitions + storage, the partition
    // state rows, the keys, and the status index.
    const { loadStatusIndex } = await import('../../engine/index.js')
    const w = await openWorkspace({ cwd: p.dir })
    for (let pass = 0; pass < 2; pass++) {
      t = performance.now()
      const states = await w.storage.getPartitionStates('raw/events')
      const tStates = performance.now() - t
      t = performance.now()
      const k = w.defs.byKey.get('raw/events')!.partitions!.keys()
      const tKeys = performance.now() - t
      t = performance.now()
      const index = await loadStatusIndex(w, { keys: ['raw/events'] })
      const tIndex = performance.now() - t
      if (pass === 1) {
        console.log(
          `  in-process (warm): getPartitionStates ${fmt(tStates)} (${states.length} rows), keys() ${fmt(tKeys)} (${k.length}), loadStatusIndex ${fmt(tIndex)} (${index.nodes('raw/events').length} nodes)`,
        )
      }
    }
    await w.close()
  } finally {
    p.cleanup()
  }
}

async function backfillYear(): Promise<void> {
  const p = makeProject(yearChain(''))
  try {
    const r = timeCli(p.dir, ['backfill', '*', '--from', '2023-01-01', '--to', '2023-12-31', '--json'])
    const out = JSON.parse(r.stdout) as { status: string; durationMs: number; counts: { SUCCESS: number; total: number } }
    const steps = out.counts.total
    console.log(
      `backfill 3 assets × 365 daily partitions (pool, trivial compute): ${fmt(r.ms)} wall (CLI), run ${fmt(out.durationMs)}, ${out.status} ${out.counts.SUCCESS}/${steps}  [target ≤ 5 s]`,
    )
    console.log(`  engine overhead per partition step: ${(out.durationMs / steps).toFixed(2)} ms (run duration / steps); ${((r.ms - out.durationMs) / 1000).toFixed(2)} s outside the run (start-up, planning, backfill bookkeeping)`)
    const one = timeCli(p.dir, ['backfill', '*', '--from', '2023-01-01', '--to', '2023-12-31', '--json', '--concurrency', '1'])
    const oneOut = JSON.parse(one.stdout) as { durationMs: number; counts: { total: number } }
    console.log(`  same again with --concurrency 1 (re-materializes everything): ${fmt(one.ms)} wall, run ${fmt(oneOut.durationMs)} → ${(oneOut.durationMs / oneOut.counts.total).toFixed(2)} ms/step`)
    const inProc = timeCli(p.dir, ['backfill', '*', '--from', '2023-01-01', '--to', '2023-12-31', '--json', '--executor', 'in-process'])
    const inProcOut = JSON.parse(inProc.stdout) as { durationMs: number; counts: { total: number } }
    console.log(`  same again with --executor in-process: ${fmt(inProc.ms)} wall, run ${fmt(inProcOut.durationMs)} → ${(inProcOut.durationMs / inProcOut.counts.total).toFixed(2)} ms/step`)
    const stale = timeCli(p.dir, ['backfill', '*', '--from', '2023-01-01', '--to', '2023-12-31', '--stale', '--json'])
    const staleOut = JSON.parse(stale.stdout) as { status: string; counts: Record<string, number> }
    console.log(`  backfill --stale over the same range (all fresh): ${fmt(stale.ms)} wall, ${staleOut.status}, ${staleOut.counts.total} targets`)
  } finally {
    p.cleanup()
  }
}

async function resumeKilled(): Promise<void> {
  // Each step sleeps 5 ms so that a kill lands mid-way.
  const p = makeProject(yearChain('await sleep(5)'))
  try {
    timeCli(p.dir, ['backfill', 'list', '--json']) // creates the home, so the poller below never races a migration
    const ws = await openWorkspace({ cwd: p.dir })
    const child = spawn(process.execPath, [BIN, 'backfill', '*', '--from', '2023-01-01', '--to', '2023-12-31', '--json'], { cwd: p.dir, stdio: 'ignore' })
    const exited = new Promise<void>((r) => child.on('exit', () => r()))
    let id: string | undefined
    let done = 0
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline && child.exitCode === null) {
      const [b] = await ws.storage.listBackfills({ limit: 1 })
      if (b?.status === 'RUNNING') {
        const counts = await ws.storage.countBackfillTargets(b.backfillId)
        if (counts.SUCCESS >= 1095 / 2) {
          id = b.backfillId
          done = counts.SUCCESS
          break
        }
      }
      await sleep(20)
    }
    child.kill('SIGKILL')
    await exited
    await ws.close()
    if (!id) {
      console.log('resume: the backfill ended before it could be killed halfway; no figure')
      return
    }
    const t0 = Date.now()
    const r = timeCli(p.dir, ['backfill', 'resume', id, '--json'])
    const out = JSON.parse(r.stdout) as { status: string; runId: string; durationMs: number; counts: { SUCCESS: number; total: number } }
    const w = await openWorkspace({ cwd: p.dir })
    const events = await w.storage.getEvents(out.runId, { types: ['RUN_START', 'STEP_START'] })
    const run = await w.storage.getRun(out.runId)
    await w.close()
    const runStart = events.find((e) => e.type === 'RUN_START')?.ts ?? run?.startedAt
    const firstStep = events.find((e) => e.type === 'STEP_START')?.ts
    const stepsRun = events.filter((e) => e.type === 'STEP_START').length
    const baseline = median([0, 1, 2].map(() => timeCli(p.dir, ['backfill', 'list', '--json']).ms))
    console.log(`resume a backfill of 1,095 targets killed (SIGKILL) with ${done} SUCCESS recorded: ${out.status} ${out.counts.SUCCESS}/${out.counts.total}, ${fmt(r.ms)} wall, run ${fmt(out.durationMs)}; the resume ran ${stepsRun} steps (${1095 - done} were not recorded as done)`)
    console.log(
      `  time to plan the resume: CLI start → first STEP_START ${firstStep ? fmt(firstStep - t0) : '?'}; CLI start → RUN_START ${runStart ? fmt(runStart - t0) : '?'}; wall − run duration ${fmt(r.ms - out.durationMs)}  (CLI baseline, backfill list: ${fmt(baseline)})`,
    )
  } finally {
    p.cleanup()
  }
}

/** Targets: status of 100,000 partitions ≤ 0.5 s; 3 × 365 backfill ≤ 5 s. */
export async function run(): Promise<void> {
  console.log('## Partitions and backfills')
  await statusOf100k()
  await backfillYear()
  await resumeKilled()
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
