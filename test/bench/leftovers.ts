// What cleaning leftovers costs: the check made on every open of a home, the
// scan made after a crash (or once a day), `strata gc` over many objects, and
// the schema check made on every open.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectGarbage } from '../../engine/io/object-gc.js'
import { staleTemps, sweepLeftovers } from '../../engine/io/leftovers.js'
import { openStorage } from '../../engine/storage/index.js'
import { openDatabase } from '../../engine/storage/sqlite/open.js'
import { checkSchema } from '../../engine/storage/sqlite/schema-check.js'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function timed(fn: () => Promise<unknown> | unknown, times: number): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < times; i++) {
    const t = performance.now()
    await fn()
    ms.push(performance.now() - t)
  }
  return median(ms)
}

/** A home with `n` object files spread over the 256 shards, all referenced by a materialization. */
async function homeWithObjects(n: number) {
  const home = mkdtempSync(join(tmpdir(), 'strata-bench-leftovers-'))
  const storage = await openStorage(home)
  await storage.createRun({ runId: 'seed', selection: '*', stepKeys: [], defsPath: 'd.ts', pid: process.pid, host: 'bench', startedAt: 0 })
  await storage.finishRun('seed', 'SUCCESS', 1)
  for (let s = 0; s < 256; s++) mkdirSync(join(home, 'objects', s.toString(16).padStart(2, '0')), { recursive: true })
  for (let i = 0; i < n; i++) {
    const hash = i.toString(16).padStart(64, '0')
    const shard = (i % 256).toString(16).padStart(2, '0')
    const location = `objects/${shard}/${hash.slice(0, 62)}${shard}.json`
    writeFileSync(join(home, location), '1')
    await storage.recordMaterialization(
      { assetKey: `a${i}`, partitionKey: '', runId: 'seed', codeVersion: 'v', dataVersion: 'd', location, format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0 },
      [],
    )
  }
  return { home, storage, cleanup: async () => (await storage.close(), rmSync(home, { recursive: true, force: true })) }
}

export async function run(): Promise<void> {
  console.log('## Leftovers (temp files, gc) and the schema check')
  for (const n of [1_000, 20_000]) {
    const h = await homeWithObjects(n)
    try {
      await sweepLeftovers(h.home, h.storage, { afterCrash: true })
      const skip = await timed(() => sweepLeftovers(h.home, h.storage, { afterCrash: false }), 200)
      const scan = await timed(() => staleTemps(h.home, h.storage, Date.now()), 5)
      const gc = await timed(() => collectGarbage(h.home, h.storage, { dryRun: true }), 3)
      console.log(`${n.toLocaleString('en-US')} objects: open-time check without a crash ${(skip * 1000).toFixed(0)} µs; temp scan after a crash ${scan.toFixed(1)} ms; gc (dry run) ${gc.toFixed(0)} ms`)
    } finally {
      await h.cleanup()
    }
  }
  const home = mkdtempSync(join(tmpdir(), 'strata-bench-schema-'))
  try {
    const file = join(home, 'strata.db')
    openDatabase(file).close()
    const db = openDatabase(file)
    const check = await timed(() => checkSchema(db, file), 200)
    db.close()
    const open = await timed(() => openDatabase(file).close(), 50)
    console.log(`schema check per open: ${(check * 1000).toFixed(0)} µs (opening the database, check included: ${open.toFixed(2)} ms)`)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
