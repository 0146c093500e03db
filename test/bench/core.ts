import { openWorkspace, readAssetStates } from '../../engine/index.js'
import { layeredDefinitions } from './graphs.js'
import { fmt, makeProject, timeCli } from './project.js'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Issue targets: 1,000 assets ≤ 2 s; no-op --stale ≤ 0.3 s; list ≤ 0.5 s; 10,000 load+staleness ≤ 1 s; CPU speed-up ≥ 1.8×. */
export async function run(): Promise<void> {
  console.log('## Core engine')
  {
    const p = makeProject(layeredDefinitions({ width: 10, layers: 100 }))
    try {
      const full = timeCli(p.dir, ['materialize', '--json'])
      const result = JSON.parse(full.stdout) as { durationMs: number; steps: unknown[] }
      const noop = median([0, 1, 2].map(() => timeCli(p.dir, ['materialize', '--stale', '--json']).ms))
      const list = median([0, 1, 2].map(() => timeCli(p.dir, ['list', '--json']).ms))
      const ws = await openWorkspace({ cwd: p.dir })
      const runs = await ws.storage.listRuns({ limit: 1 })
      const events = await ws.storage.getEvents(runs[0]!.runId)
      await ws.close()
      // Rows written during the run: events + materializations + their lineage edges + state upserts.
      const writes = events.length + result.steps.length * 4
      console.log(`1,000 assets, full materialize (pool, 2 cores): ${fmt(full.ms)} wall (CLI), run ${fmt(result.durationMs)}  [target ≤ 2 s]`)
      console.log(`  engine overhead per step (trivial compute): ${(result.durationMs / result.steps.length).toFixed(2)} ms`)
      console.log(`  SQLite rows written during the run: ~${writes} → ${Math.round(writes / (result.durationMs / 1000))} rows/s`)
      console.log(`1,000 assets, no-op materialize --stale: ${fmt(noop)}  [target ≤ 0.3 s]`)
      console.log(`1,000 assets, strata list: ${fmt(list)}  [target ≤ 0.5 s]`)
    } finally {
      p.cleanup()
    }
  }
  {
    const p = makeProject(layeredDefinitions({ width: 10, layers: 1000 }))
    try {
      // Fill storage with a materialization per asset (with lineage) without running 10,000 steps.
      const ws = await openWorkspace({ cwd: p.dir })
      await ws.storage.createRun({ runId: 'seed', selection: '*', stepKeys: [], defsPath: 'definitions.ts', pid: process.pid, host: 'bench', startedAt: Date.now() })
      const ids = new Map<string, { id: number; dv: string }>()
      for (const key of ws.graph.topologicalOrder()) {
        const consumed = ws.defs.byKey.get(key)!.upstreamKeys.map((up) => ({
          upstreamMaterializationId: ids.get(up)!.id,
          upstreamAssetKey: up,
          upstreamPartitionKey: '',
          upstreamDataVersion: ids.get(up)!.dv,
        }))
        const m = await ws.storage.recordMaterialization(
          { assetKey: key, partitionKey: '', runId: 'seed', codeVersion: 'v1', dataVersion: `dv-${key}`, location: 'x', format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0 },
          consumed,
        )
        ids.set(key, { id: m.id, dv: m.dataVersion })
      }
      await ws.close()
      const times: number[] = []
      let fresh = 0
      for (let i = 0; i < 3; i++) {
        const t = performance.now()
        const w = await openWorkspace({ cwd: p.dir })
        const states = await readAssetStates(w)
        times.push(performance.now() - t)
        fresh = [...states.values()].filter((s) => s.status === 'FRESH').length
        await w.close()
      }
      const cli = median([0, 1].map(() => timeCli(p.dir, ['list', '--json']).ms))
      console.log(`10,000 assets: load definitions + graph + staleness of all: ${fmt(median(times.slice(1)))} in-process (first ${fmt(times[0]!)}), ${fresh} FRESH  [target ≤ 1 s]`)
      console.log(`10,000 assets: strata list --json (whole CLI process): ${fmt(cli)}`)
    } finally {
      p.cleanup()
    }
  }
  {
    const burn = 'const end = Date.now() + 500; let x = 0; while (Date.now() < end) x++; return x > 0 ? 1 : 0'
    const defs = [
      "import { asset, defineDefinitions } from 'strata-engine'",
      `const assets = Array.from({ length: 8 }, (_, i) => asset({ key: 'cpu/a' + i, codeVersion: 'v1', compute: () => { ${burn} } }))`,
      'export default defineDefinitions({ assets })',
    ].join('\n')
    const p = makeProject(defs)
    try {
      const one = JSON.parse(timeCli(p.dir, ['materialize', '--json', '--concurrency', '1']).stdout).durationMs as number
      const two = JSON.parse(timeCli(p.dir, ['materialize', '--json', '--concurrency', '2']).stdout).durationMs as number
      console.log(`CPU-bound, 8 × 0.5 s: pool of 1 ${fmt(one)}, pool of 2 ${fmt(two)} → speed-up ${(one / two).toFixed(2)}×  [target ≥ 1.8×]`)
    } finally {
      p.cleanup()
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
