/**
 * Storing and loading values (engine/io): what the exact round trip costs.
 * - Plain JSON (the common case) against the former JSON IO manager
 *   (JSON.stringify / JSON.parse alone): the plain-data check is the only
 *   extra work, and loading is unchanged.
 * - Rows with a Date each (tagged JSON) against devalue, a well-known library
 *   for the same job, and against the lossy JSON of before.
 * Serialize + sha256 + deserialize in memory, then through the object store
 * (files in a temp home). Medians of CPU time, runs interleaved; 15–40 s in all.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as devalue from 'devalue'
import { jsonIO } from '../../engine/io/json-io.js'
import { loadValue, storeValue } from '../../engine/io/object-store.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** CPU time of this process in ms: on a busy machine, wall time mostly measures the other processes. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

// Collecting before each timed step keeps one codec's garbage out of the next one's figure.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function rows(n: number, withDate: boolean): unknown[] {
  const out: unknown[] = []
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = { id: i, name: `user-${i}`, score: i * 0.37, tags: ['a', 'b'], active: i % 2 === 0, nested: { x: i, y: 'z' } }
    if (withDate) row.at = new Date(Date.UTC(2024, 0, 1) + i * 60_000)
    out.push(row)
  }
  return out
}

interface Codec {
  name: string
  write(v: unknown): Promise<Uint8Array>
  read(b: Uint8Array): Promise<unknown>
}

const formerJson: Codec = {
  name: 'former JSON IO (JSON.stringify/parse)',
  write: async (v) => encoder.encode(JSON.stringify(v)),
  read: async (b) => JSON.parse(decoder.decode(b)),
}
const current: Codec = { name: 'now (jsonIO)', write: (v) => jsonIO.serialize(v), read: (b) => jsonIO.deserialize(b) }
const withDevalue: Codec = {
  name: 'devalue.stringify/parse',
  write: async (v) => encoder.encode(devalue.stringify(v)),
  read: async (b) => devalue.parse(decoder.decode(b)),
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(codecs: Codec[], value: unknown, runs: number): Promise<Map<string, { write: number; read: number; bytes: number }>> {
  const times = new Map(codecs.map((c) => [c.name, { write: [] as number[], read: [] as number[], bytes: 0 }]))
  for (let r = 0; r < runs + 1; r++) {
    for (const c of codecs) {
      gc()
      const t0 = cpuMs()
      const bytes = await c.write(value)
      sha(bytes)
      gc()
      const t1 = cpuMs()
      await c.read(bytes)
      const t2 = cpuMs()
      const m = times.get(c.name)!
      m.bytes = bytes.byteLength
      // The first round warms up the JIT.
      if (r > 0) {
        m.write.push(t1 - t0)
        m.read.push(t2 - t1)
      }
    }
  }
  return new Map([...times].map(([k, m]) => [k, { write: median(m.write), read: median(m.read), bytes: m.bytes }]))
}

const ms = (x: number) => `${x.toFixed(0)} ms`
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`

function report(results: Map<string, { write: number; read: number; bytes: number }>, baseline: string): void {
  const base = results.get(baseline)!
  for (const [name, r] of results) {
    const total = r.write + r.read
    const rel = name === baseline ? '' : `  (${(total / (base.write + base.read)).toFixed(2)}× ${baseline})`
    console.log(`  ${name.padEnd(40)} store ${ms(r.write).padStart(7)} + load ${ms(r.read).padStart(7)} = ${ms(total).padStart(7)}, ${mb(r.bytes)}${rel}`)
  }
}

export async function run(): Promise<void> {
  console.log('## IO: exact values (serialize + sha256 + deserialize, median CPU time)')
  const plain = rows(100_000, false)
  console.log(`plain JSON, 100,000 rows of objects:`)
  report(await measure([formerJson, current], plain, 5), formerJson.name)

  const dated = rows(100_000, true)
  console.log(`the same rows with a Date each (formerly stored as ISO strings, lossy):`)
  // devalue is slow enough that two timed runs are plenty.
  const datedResults = new Map([...(await measure([current, formerJson], dated, 3)), ...(await measure([withDevalue], dated, 2))])
  report(datedResults, current.name)

  const home = mkdtempSync(join(tmpdir(), 'strata-bench-io-'))
  try {
    const store: number[] = []
    const load: number[] = []
    for (let r = 0; r < 3; r++) {
      // A distinct value per round, so each store writes a new file.
      const value = [r, ...plain]
      gc()
      const t0 = cpuMs()
      const s = await storeValue(home, value)
      gc()
      const t1 = cpuMs()
      await loadValue(home, s.location, s.format)
      if (r > 0) {
        store.push(t1 - t0)
        load.push(cpuMs() - t1)
      }
    }
    console.log(`object store (files), plain rows: storeValue ${ms(median(store))}, loadValue ${ms(median(load))}`)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
