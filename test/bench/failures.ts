// What showing failed last attempts costs the status read: 10,000 unpartitioned
// assets, 100 of them failed in one run with 20,000 other events, read by the
// one getFailedAttempts query and by the whole readAssetStates, against the
// same home before any failure.
import { openWorkspace, readAssetStates, type Workspace } from '../../engine/index.js'
import { layeredDefinitions } from './graphs.js'
import { fmt, makeProject } from './project.js'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return median(times)
}

async function seed(ws: Workspace): Promise<void> {
  await ws.storage.createRun({ runId: 'seed', selection: '*', stepKeys: [], defsPath: 'definitions.ts', pid: process.pid, host: 'bench', startedAt: Date.now() })
  const ids = new Map<string, number>()
  for (const key of ws.graph.topologicalOrder()) {
    const consumed = ws.defs.byKey.get(key)!.upstreamKeys.map((up) => ({ upstreamMaterializationId: ids.get(up)!, upstreamAssetKey: up, upstreamPartitionKey: '', upstreamDataVersion: `dv-${up}` }))
    const m = await ws.storage.recordMaterialization(
      { assetKey: key, partitionKey: '', runId: 'seed', codeVersion: 'v1', dataVersion: `dv-${key}`, location: 'x', format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0 },
      consumed,
    )
    ids.set(key, m.id)
  }
}

export async function run(): Promise<void> {
  console.log('## Failed last attempts in the status read')
  const p = makeProject(layeredDefinitions({ width: 10, layers: 1000 }))
  try {
    const ws = await openWorkspace({ cwd: p.dir })
    await seed(ws)
    const keys = ws.graph.topologicalOrder()
    const before = await timed(3, () => readAssetStates(ws))
    const queryNone = await timed(5, () => ws.storage.getFailedAttempts(keys))

    const now = Date.now()
    await ws.storage.createRun({ runId: 'failing', selection: '*', stepKeys: [], defsPath: 'definitions.ts', pid: process.pid, host: 'bench', startedAt: now })
    const failed = keys.filter((_, i) => i % 100 === 0)
    const noise = Array.from({ length: 20_000 }, (_, i) => ({ runId: 'failing', ts: now, type: 'LOG' as const, assetKey: keys[i % keys.length]!, partitionKey: '', level: 'info' as const, message: `line ${i}` }))
    await ws.storage.appendEvents(noise)
    await ws.storage.appendEvents(
      failed.map((assetKey) => ({ runId: 'failing', ts: now, type: 'STEP_FAILURE' as const, assetKey, partitionKey: '', level: 'error' as const, message: `boom in ${assetKey}\n    at compute` })),
      { runId: 'failing', now, rows: failed.map((assetKey) => ({ assetKey, partitionKey: '', state: 'FAILED' as const })) },
    )
    let found = 0
    const query = await timed(5, async () => (found = (await ws.storage.getFailedAttempts(keys)).length))
    let shown = 0
    const after = await timed(3, async () => (shown = [...(await readAssetStates(ws)).values()].filter((s) => s.display === 'FAILED').length))
    await ws.close()
    console.log(`10,000 assets, ${failed.length} failed in a run of ${noise.length + failed.length} events: getFailedAttempts (one query, with messages) ${fmt(query)}, ${found} found (${fmt(queryNone)} before any failure)`)
    console.log(`  readAssetStates: ${fmt(before)} with no failure, ${fmt(after)} with ${shown} FAILED`)
  } finally {
    p.cleanup()
  }
}
