/**
 * kill -9 of the daemon at random moments, 24 times, each followed by a
 * restart on the same home, with a clock running an hour per real second: an
 * hourly schedule (catchUp 'all') and a sensor with a cursor and run keys
 * keep requesting runs throughout. At the end no tick is lost (every hour has
 * its schedule tick, every sensor cursor value its run key), no tick or run
 * key is processed twice, every request has exactly one run, and no
 * partition was materialized twice.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { createProject, REPO_ROOT, sleep } from '../integration/helpers.js'

const TRIALS = 24
const RATE = 3600
const START = '2024-02-01T00:30:00Z'

const DEFS = `import { asset, defineDefinitions, hourlyPartitions, schedule, sensor } from 'strata-engine'
const hours = hourlyPartitions({ start: '2024-01-01-00:00' })
const HOUR = 3_600_000
const key = (n) => new Date(Date.UTC(2024, 0, 1) + n * HOUR).toISOString().slice(0, 13).replace('T', '-') + ':00'
export const a = asset({ key: 'a', partitions: hours, compute: (ctx) => ctx.partitionKey })
export const b = asset({ key: 'b', partitions: hours, compute: (ctx) => ctx.partitionKey })
export default defineDefinitions({
  assets: [a, b],
  schedules: [schedule({ name: 'hourly', cron: '0 * * * *', target: 'a', catchUp: 'all' })],
  sensors: [
    sensor({
      name: 'counter',
      intervalSeconds: 1800,
      target: 'b',
      evaluate: ({ cursor }) => {
        const n = Number(cursor ?? 0)
        return { cursor: String(n + 1), runRequests: [{ runKey: String(n), partitionKeys: [key(n)] }] }
      },
    }),
  ],
  automation: { maxConcurrentRuns: 4 },
})
`

function startChild(dir: string, home: string, realStart: number, clock: { start: string; rate: number } = { start: START, rate: RATE }): { child: ChildProcess; started: Promise<void>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', join(REPO_ROOT, 'engine/loader/auto.mjs'), join(REPO_ROOT, 'test/automation/fixtures/daemon-child.ts'), join(dir, 'definitions.ts'), home, clock.start, String(realStart), String(clock.rate)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
  const started = new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c
      if (out.includes('started')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`the daemon exited (${code}) before it started: ${err}`)))
  })
  started.catch(() => {})
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, started, exited, stderr: () => err }
}

interface Row {
  [k: string]: unknown
}

test(`kill -9 of the daemon at ${TRIALS} random moments loses no tick and launches no run twice`, { timeout: 240_000 }, async (t) => {
  const project = createProject(DEFS)
  const home = join(project.dir, '.strata')
  const realStart = Date.now()
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const d = startChild(project.dir, home, realStart)
      // Mostly while it ticks and runs; sometimes while it is still starting.
      if (trial % 4 !== 3) await d.started
      await sleep(50 + Math.floor(Math.random() * 700))
      d.child.kill('SIGKILL')
      await d.exited
    }
    // A last daemon, its clock stopped where the timeline is, catches up, then stops gracefully once every request has ended.
    const frozen = new Date(Date.parse(START) + (Date.now() - realStart) * RATE).toISOString()
    const last = startChild(project.dir, home, Date.now(), { start: frozen, rate: 0 })
    await last.started
    const open = () => {
      const db = new Database(join(home, 'strata.db'), { readonly: true, timeout: 5000 })
      try {
        return (db.prepare(`SELECT count(*) AS n FROM automation_requests WHERE status != 'DONE'`).get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    await sleep(1500)
    for (let i = 0; i < 900 && open() > 0; i++) await sleep(100)
    last.child.kill('SIGTERM')
    assert.equal(await last.exited, 0, last.stderr())

    const db = new Database(join(home, 'strata.db'), { readonly: true })
    try {
      const all = <T = Row>(sql: string) => db.prepare(sql).all() as T[]
      // Schedule: one tick per hour, none missing between the first and the last.
      const hours = all<{ t: number }>(`SELECT scheduled_for AS t FROM automation_ticks WHERE source_kind = 'schedule' AND scheduled_for IS NOT NULL ORDER BY t`).map((r) => r.t)
      assert.ok(hours.length >= 10, `only ${hours.length} schedule ticks were processed`)
      for (let i = 1; i < hours.length; i++) assert.equal(hours[i]! - hours[i - 1]!, 3_600_000, `a schedule tick is missing or repeated after ${new Date(hours[i - 1]!).toISOString()}`)
      const requested = all<{ n: number; t: number }>(`SELECT count(*) AS n, t.scheduled_for AS t FROM automation_requests r JOIN automation_ticks t ON t.tick_id = r.tick_id WHERE r.source_kind = 'schedule' GROUP BY t.scheduled_for`)
      assert.equal(requested.length, hours.length, 'every schedule tick requested its run')
      assert.ok(requested.every((r) => r.n === 1))
      // Sensor: run keys 0..N, each once; the cursor never skipped one.
      const keys = all<{ k: string }>(`SELECT run_key AS k FROM automation_run_keys WHERE sensor_name = 'counter'`).map((r) => Number(r.k)).sort((x, y) => x - y)
      assert.ok(keys.length >= 5, `only ${keys.length} sensor requests`)
      assert.deepEqual(keys, keys.map((_, i) => i))
      // Every request launched exactly once: its run exists, and runs exist only for requests.
      const orphans = all(`SELECT r.request_id FROM automation_requests r LEFT JOIN runs x ON x.run_id = r.run_id WHERE x.run_id IS NULL OR r.status != 'DONE'`)
      assert.deepEqual(orphans, [])
      const strays = all(`SELECT x.run_id FROM runs x LEFT JOIN automation_requests r ON r.run_id = x.run_id WHERE r.run_id IS NULL`)
      assert.deepEqual(strays, [])
      // Nothing built twice.
      const twice = all(`SELECT asset_key, partition_key, count(*) AS n FROM materializations GROUP BY asset_key, partition_key HAVING n > 1`)
      assert.deepEqual(twice, [])
      const runs = all<{ status: string; n: number }>(`SELECT status, count(*) AS n FROM runs GROUP BY status`)
      assert.ok(runs.some((r) => r.status === 'SUCCESS' && r.n > 0), JSON.stringify(runs))
      t.diagnostic(`${hours.length} schedule ticks, ${keys.length} sensor run keys, runs: ${runs.map((r) => `${r.n} ${r.status}`).join(', ')}`)
    } finally {
      db.close()
    }
  } finally {
    project.cleanup()
  }
})
