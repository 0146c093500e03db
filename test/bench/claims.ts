// Preparing the steps of a backfill: 3,650 daily partitions of one asset (and
// of an asset reading it), decided and claimed one step at a time
// (prepareStep: a read and a write transaction per step) vs in batches
// (prepareSteps: one read and one claimSlotsMany per batch), on SQLite and
// PostgreSQL. Each pass starts from a fresh storage. Prints µs per step, wall
// clock and this process's CPU; asserts nothing.
import { hostname } from 'node:os'
import { asset, defineDefinitions } from '../../assets/index.js'
import { dailyPartitions } from '../../assets/partitions/index.js'
import { prepareStep, type PrepareContext, type Prepared } from '../../engine/execution/prepare-step.js'
import { prepareSteps } from '../../engine/execution/prepare-steps.js'
import type { PlannedStep } from '../../engine/execution/plan.js'
import type { MaterializationToRecord, Storage } from '../../engine/storage/types.js'
import { newInstance, type BackendName } from '../storage/backends.js'

const DAYS = 3_650
const PASSES = 3
const days = dailyPartitions({ start: '2015-01-01', end: new Date(Date.UTC(2015, 0, 1) + DAYS * 86_400_000) })
const raw = asset({ key: 'raw', partitions: days, codeVersion: 'r1', compute: () => 1 })
const clean = asset({ key: 'clean', partitions: days, ins: { raw }, codeVersion: 'c1', compute: (_ctx, { raw }) => raw })
const defs = defineDefinitions({ assets: [raw, clean] })
const KEYS = days.keys()

type Mode = { name: string; batch: number }
const MODES: Mode[] = [
  { name: 'one by one', batch: 1 },
  { name: 'batches of 16', batch: 16 },
  { name: 'batches of 64', batch: 64 },
]
/** `raw`: a root, nothing to read upstream; `clean`: one materialized upstream partition per step. */
const ASSETS = ['raw', 'clean'] as const

async function seedRaw(s: Storage): Promise<void> {
  await s.createRun({ runId: 'seed', selection: 'raw', stepKeys: [], defsPath: 'definitions.ts', pid: process.pid, host: hostname(), startedAt: 0 })
  for (let i = 0; i < KEYS.length; i += 1000) {
    const batch: MaterializationToRecord[] = KEYS.slice(i, i + 1000).map((k) => ({
      materialization: { assetKey: 'raw', partitionKey: k, runId: 'seed', codeVersion: 'r1', dataVersion: `raw-${k}`, location: `objects/raw/${k}.json`, format: 'json', bytes: 2, metadata: {}, startedAt: 1, endedAt: 2 },
      consumed: [],
    }))
    await s.recordMaterializations(batch)
  }
  await s.finishRun('seed', 'SUCCESS', 3)
}

/** Prepares every partition of `assetKey` in `mode` on a fresh storage; µs per step (wall, CPU). */
async function pass(backend: BackendName, assetKey: string, mode: Mode): Promise<{ wall: number; cpu: number }> {
  const instance = newInstance(backend)
  const storage = await instance.open()
  try {
    if (assetKey === 'clean') await seedRaw(storage)
    const runId = `bench-${mode.batch}`
    await storage.createRun({ runId, selection: assetKey, stepKeys: [], defsPath: 'definitions.ts', pid: process.pid, host: hostname(), startedAt: Date.now() })
    const ctx: PrepareContext = { defs, storage, runId, runStarted: Date.now(), keysOptions: {}, skipUpToDate: false }
    const steps: PlannedStep[] = KEYS.map((k, order) => ({ id: `${assetKey}[${k}]`, assetKey, partitionKeys: [k], upstream: [], downstream: [], order }))
    const results: Prepared[] = []
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    if (mode.batch === 1) {
      for (const step of steps) results.push(await prepareStep(ctx, step, 1))
    } else {
      for (let i = 0; i < steps.length; i += mode.batch) results.push(...(await prepareSteps(ctx, steps.slice(i, i + mode.batch).map((step) => ({ step, attempt: 1 })))))
    }
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const notReady = results.filter((r) => r.kind !== 'ready').length
    if (notReady > 0) throw new Error(`${notReady} of ${results.length} steps were not ready: the bench measures the claim of ready steps`)
    return { wall: (wall * 1000) / steps.length, cpu: (cpu.user + cpu.system) / steps.length }
  } finally {
    await storage.close()
    await instance.cleanup()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function run(): Promise<void> {
  console.log(`Preparing ${KEYS.length.toLocaleString('en')} daily steps: µs per step, median of ${PASSES} passes (wall clock / main-thread CPU)`)
  for (const backend of ['sqlite', 'postgres'] as const) {
    for (const assetKey of ASSETS) {
      const figures = new Map<string, Array<{ wall: number; cpu: number }>>(MODES.map((m) => [m.name, []]))
      // Modes interleaved pass by pass, so drift on a shared machine spreads over all of them.
      for (let i = 0; i < PASSES; i++) for (const mode of MODES) figures.get(mode.name)!.push(await pass(backend, assetKey, mode))
      const line = MODES.map((m) => {
        const f = figures.get(m.name)!
        return `${m.name} ${median(f.map((x) => x.wall)).toFixed(0)} / ${median(f.map((x) => x.cpu)).toFixed(0)}`
      })
      console.log(`  ${backend.padEnd(8)} ${assetKey.padEnd(6)} ${line.join(' · ')}`)
    }
  }
}
