// PostgreSQL vs SQLite storage: `strata status` of 100,000 partitions and a
// no-op `materialize --stale` of 1,000 assets, each through the CLI on both
// backends (PostgreSQL: a fresh schema of STRATA_TEST_POSTGRES_URL, dropped
// afterwards). Prints figures; asserts nothing.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { openWorkspace } from '../../engine/index.js'
import type { MaterializationToRecord } from '../../engine/storage/index.js'
import { layeredDefinitions } from './graphs.js'
import { fmt, makeProject, timeCli } from './project.js'

const BASE = process.env.STRATA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const HOURS = 100_000
const HOURLY = `import { asset, defineDefinitions, hourlyPartitions } from 'strata-engine'
const start = new Date(Date.UTC(2012, 0, 1))
const hours = hourlyPartitions({ start, end: new Date(start.getTime() + ${HOURS} * 3_600_000) })
export const events = asset({ key: 'raw/events', partitions: hours, codeVersion: 'v1', compute: (ctx) => ({ hour: ctx.partitionKey }) })
export default defineDefinitions({ assets: [events] })
`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

interface Backend {
  name: string
  /** CLI arguments choosing the storage. */
  args: string[]
  url?: string
  drop(): Promise<void>
}

function backends(): Backend[] {
  const schema = `strata_bench_${randomBytes(5).toString('hex')}`
  const url = `${BASE}${BASE.includes('?') ? '&' : '?'}schema=${schema}`
  return [
    { name: 'SQLite', args: [], drop: async () => {} },
    {
      name: 'PostgreSQL',
      args: ['--storage', url],
      url,
      drop: async () => {
        const c = new pg.Client({ connectionString: BASE })
        await c.connect()
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        await c.end()
      },
    },
  ]
}

async function statusOf100k(b: Backend): Promise<void> {
  const p = makeProject(HOURLY)
  try {
    const ws = await openWorkspace({ cwd: p.dir, ...(b.url ? { storage: b.url } : {}) })
    const keys = ws.defs.byKey.get('raw/events')!.partitions!.keys()
    const runId = randomUUID()
    await ws.storage.createRun({ runId, selection: 'raw/events', stepKeys: [], defsPath: ws.defsPath, pid: process.pid, host: 'bench', startedAt: Date.now() })
    let t = performance.now()
    // Seeded by group commit, 1,000 per transaction (what a large backfill's run does).
    for (let i = 0; i < keys.length; i += 1000) {
      const batch: MaterializationToRecord[] = keys.slice(i, i + 1000).map((k, j) => {
        const now = Date.now()
        return {
          materialization: { assetKey: 'raw/events', partitionKey: k, runId, codeVersion: 'v1', dataVersion: createHash('sha256').update(k).digest('hex').slice(0, 20), location: `objects/x/${i + j}.json`, format: 'json', bytes: 16, metadata: {}, startedAt: now, endedAt: now },
          consumed: [],
        }
      })
      await ws.storage.recordMaterializations(batch)
    }
    await ws.storage.finishRun(runId, 'SUCCESS', Date.now())
    const seedMs = performance.now() - t
    t = performance.now()
    const states = await ws.storage.getPartitionStates('raw/events')
    const readMs = performance.now() - t
    await ws.close()
    const runs = [0, 1, 2].map(() => timeCli(p.dir, [...b.args, 'status', 'raw/events', '--json']))
    const parsed = JSON.parse(runs[0]!.stdout) as { total: number; counts: Record<string, number> }
    console.log(`${b.name}: strata status raw/events --json, ${parsed.total.toLocaleString('en')} partitions (${parsed.counts.FRESH} FRESH): median ${fmt(median(runs.map((r) => r.ms)))} of [${runs.map((r) => fmt(r.ms)).join(', ')}]`)
    console.log(`  seeding ${keys.length.toLocaleString('en')} materializations in batches of 1,000: ${fmt(seedMs)}; getPartitionStates (${states.length.toLocaleString('en')} rows) in-process: ${fmt(readMs)}`)
  } finally {
    p.cleanup()
  }
}

async function staleNoop1000(b: Backend): Promise<void> {
  const p = makeProject(layeredDefinitions({ width: 10, layers: 100 }))
  try {
    const full = timeCli(p.dir, [...b.args, 'materialize', '--json'])
    const noop = [0, 1, 2].map(() => timeCli(p.dir, [...b.args, 'materialize', '--stale', '--json']).ms)
    console.log(`${b.name}: 1,000 assets, full materialize ${fmt(full.ms)}; no-op materialize --stale: median ${fmt(median(noop))} of [${noop.map(fmt).join(', ')}]`)
  } finally {
    p.cleanup()
  }
}

export async function run(): Promise<void> {
  console.log('## PostgreSQL vs SQLite storage')
  for (const b of backends()) {
    try {
      await statusOf100k(b)
      await b.drop()
      await staleNoop1000(b)
    } finally {
      await b.drop()
    }
  }
}
