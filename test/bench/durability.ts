// What durability costs: an object written with fsync (file, then its
// directory after the rename) against without; reading an object with its
// content hash checked against without; SQLite commits with synchronous =
// FULL against NORMAL (WAL); and whole materialize runs of small steps with
// each object durability policy; and durable puts of N objects made durable
// together in one sync batch (as a worker running N steps as one task does)
// against one by one. Directory: STRATA_BENCH_DIR (default: the
// OS temp dir), since fsync costs depend on the file system and the disk.
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statfsSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileObjectStore } from '../../engine/io/object-stores/filesystem.js'
import { withSyncBatch } from '../../engine/io/object-stores/sync-batch.js'
import { materializeBench } from './durability-runs.js'

const BENCH_DIR = process.env.STRATA_BENCH_DIR ?? tmpdir()

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function writeObject(dir: string, name: string, bytes: Uint8Array, sync: boolean): void {
  const path = join(dir, name)
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, bytes)
    if (sync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  if (sync) {
    const d = openSync(dir, 'r')
    try {
      fsyncSync(d)
    } finally {
      closeSync(d)
    }
  }
}

/** Median ms per object over `n` writes of `size` bytes, each to a new name (as new content is). */
function writeCost(root: string, size: number, n: number, sync: boolean): number {
  const dir = mkdtempSync(join(root, 'w-'))
  const bytes = new Uint8Array(size).fill(7)
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    writeObject(dir, `o${i}`, bytes, sync)
    ms.push(performance.now() - t)
  }
  rmSync(dir, { recursive: true, force: true })
  return median(ms)
}

function readCost(root: string, size: number, n: number, verify: boolean): number {
  const dir = mkdtempSync(join(root, 'r-'))
  const bytes = new Uint8Array(size).fill(3)
  writeObject(dir, 'o', bytes, false)
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const read = readFileSync(join(dir, 'o'))
    if (verify) createHash('sha256').update(read).digest('hex')
    ms.push(performance.now() - t)
  }
  rmSync(dir, { recursive: true, force: true })
  return median(ms)
}

/** ms per commit of a small write transaction (one row, as a step's event or state write) in WAL mode. */
function commitCost(root: string, synchronous: 'NORMAL' | 'FULL', n: number): number {
  const dir = mkdtempSync(join(root, 'db-'))
  const db = new Database(join(dir, 'bench.db'))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
  const tx = db.transaction((v: string) => insert.run(v))
  const t = performance.now()
  for (let i = 0; i < n; i++) tx.immediate(`row ${i}`)
  const ms = (performance.now() - t) / n
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return ms
}

/** A store whose 256 shard directories exist already, as in a home in use (a new shard adds fsyncs of its parents). */
function storeWithShards(root: string): FileObjectStore {
  const dir = mkdtempSync(join(root, 'b-'))
  for (let i = 0; i < 256; i++) mkdirSync(join(dir, 'objects', i.toString(16).padStart(2, '0')), { recursive: true })
  return new FileObjectStore(dir)
}

/** µs per object of `total` new 1 KiB objects put with sync, `batch` to a sync batch (0: one by one, outside any batch). */
async function putCost(root: string, total: number, batch: number): Promise<number> {
  const store = storeWithShards(root)
  const objects = Array.from({ length: total }, (_, i) => {
    const bytes = new Uint8Array(1024).fill(i % 251)
    new DataView(bytes.buffer).setUint32(0, i)
    const hash = createHash('sha256').update(bytes).digest('hex')
    return { location: `objects/${hash.slice(0, 2)}/${hash}.json`, bytes }
  })
  const t = performance.now()
  if (batch === 0) {
    for (const o of objects) await store.put(o.location, o.bytes, { sync: true })
  } else {
    for (let at = 0; at < total; at += batch) {
      await withSyncBatch(async () => {
        for (const o of objects.slice(at, at + batch)) await store.put(o.location, o.bytes, { sync: true })
      })
    }
  }
  const us = ((performance.now() - t) * 1000) / total
  rmSync(store.spec, { recursive: true, force: true })
  return us
}

const BATCH_SIZES = [1, 8, 32, 128]
const BATCH_ROUNDS = 5

/** One by one and batched measured alternately, round after round, so that both see the same disk and load; medians printed. */
async function batchBench(root: string): Promise<void> {
  console.log(`sync batch, 1 KiB objects (µs/object, median of ${BATCH_ROUNDS} alternating rounds; libuv threadpool ${process.env.UV_THREADPOOL_SIZE ?? 4})`)
  console.log('  N objects      one by one   one batch   ratio')
  for (const n of BATCH_SIZES) {
    const total = Math.max(256, n * 4)
    const serial: number[] = []
    const batched: number[] = []
    for (let r = 0; r < BATCH_ROUNDS; r++) {
      serial.push(await putCost(root, total, 0))
      batched.push(await putCost(root, total, n))
    }
    const [s, b] = [median(serial), median(batched)]
    console.log(`  ${String(n).padStart(4)}           ${s.toFixed(0).padStart(7)}     ${b.toFixed(0).padStart(7)}   ${(s / b).toFixed(2).padStart(5)}x`)
  }
}

const SIZES: Array<[string, number, number]> = [
  ['1 KiB', 1024, 400],
  ['64 KiB', 64 * 1024, 200],
  ['1 MiB', 1024 * 1024, 60],
  ['16 MiB', 16 * 1024 * 1024, 8],
]

export async function run(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true })
  const root = mkdtempSync(join(BENCH_DIR, 'strata-bench-durability-'))
  try {
    const fsType = statfsSync(root).type.toString(16)
    console.log(`durability: ${root} (statfs type 0x${fsType})`)
    console.log('object write (ms, median)      plain    fsync   ratio')
    for (const [label, size, n] of SIZES) {
      const plain = writeCost(root, size, n, false)
      const synced = writeCost(root, size, n, true)
      console.log(`  ${label.padEnd(8)}                  ${plain.toFixed(3).padStart(7)}  ${synced.toFixed(3).padStart(7)}  ${(synced / plain).toFixed(1).padStart(5)}x`)
    }
    console.log('object read (ms, median)        plain   +sha256  ratio')
    for (const [label, size, n] of SIZES) {
      const plain = readCost(root, size, n, false)
      const verified = readCost(root, size, n, true)
      console.log(`  ${label.padEnd(8)}                  ${plain.toFixed(3).padStart(7)}  ${verified.toFixed(3).padStart(7)}  ${(verified / plain).toFixed(1).padStart(5)}x`)
    }
    const normal = commitCost(root, 'NORMAL', 500)
    const full = commitCost(root, 'FULL', 500)
    console.log(`SQLite commit, WAL (ms)         NORMAL ${normal.toFixed(3)}   FULL ${full.toFixed(3)}   ${(full / normal).toFixed(1)}x`)
    await batchBench(root)
    await materializeBench(root)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
