// The same contract for every object store (filesystem and PostgreSQL):
// values round-trip, large ones across several chunks; puts are idempotent
// and safe from two processes at once; an object is visible only once fully
// written, even when its writer is killed with kill -9 mid-put; gc removes
// exactly the unreferenced, old objects, even while a put reuses one.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { tableFromArrays, type Table } from 'apache-arrow'
import { loadValue, storeValue } from '../../engine/io/object-store.js'
import { objectLocation } from '../../engine/io/object-stores/location.js'
import { FileObjectStore } from '../../engine/io/object-stores/filesystem.js'
import { CHUNK_BYTES } from '../../engine/io/object-stores/postgres.js'
import type { ObjectStore } from '../../engine/io/object-stores/types.js'
import { REPO_ROOT } from '../integration/helpers.js'
import { seededBytes, sha256, STORE_KINDS, withStore, type StoreInstance } from './object-store-helpers.js'

const PUTTER = join(REPO_ROOT, 'test/io/fixtures/put-objects.ts')
const HOUR = 3_600_000

function putter(spec: string, args: string[]): { child: ChildProcess; lines: string[]; done: Promise<number | null>; waitFor(re: RegExp): Promise<string> } {
  const child = spawn(process.execPath, ['--import', join(REPO_ROOT, 'engine/loader/auto.mjs'), PUTTER, spec, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stderr = ''
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = []
  let buffered = ''
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString()
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      lines.push(line)
      for (const w of waiters.splice(0)) (w.re.test(line) ? w.resolve(line) : waiters.push(w))
    }
  })
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    lines,
    done: done.then((code) => {
      if (code !== 0 && child.signalCode === null) throw new Error(`put-objects exited ${code}: ${stderr}`)
      return code
    }),
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l))
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ re, resolve }))
    },
  }
}

async function allObjects(store: ObjectStore): Promise<string[]> {
  const out: string[] = []
  for await (const o of store.list()) out.push(o.location)
  return out.sort()
}

/** Makes an object look last written `ms` ago. */
async function age(instance: StoreInstance, store: ObjectStore, location: string, ms: number): Promise<void> {
  const then = Date.now() - ms
  if (store instanceof FileObjectStore) utimesSync(store.pathOf(location), new Date(then), new Date(then))
  else await instance.sql(`UPDATE "${instance.schema}".strata_objects SET touched_at = $2 WHERE location = $1`, [location, then])
}

const bigTable = (rows: number): Table =>
  tableFromArrays({ id: Int32Array.from({ length: rows }, (_, i) => i), x: Float64Array.from({ length: rows }, (_, i) => i / 7), name: Array.from({ length: rows }, (_, i) => `row-${i}`) })

for (const kind of STORE_KINDS) {
  describe(`${kind} object store`, { concurrency: false }, () => {
    it('round-trips JSON values and Arrow tables, small and spanning several chunks', () =>
      withStore(kind, async (store) => {
        const small = { a: 1, when: new Date(0), tags: new Set(['x']) }
        const s = await storeValue(store, small)
        assert.deepStrictEqual(await loadValue(store, s.location, s.format), small)

        const rows = Array.from({ length: 60_000 }, (_, i) => ({ i, text: `value number ${i} `.repeat(3) }))
        const big = await storeValue(store, rows)
        assert.ok(big.bytes > 3 * CHUNK_BYTES, `the JSON value spans several chunks (${big.bytes} bytes)`)
        assert.deepStrictEqual(await loadValue(store, big.location, big.format), rows)

        const table = bigTable(150_000)
        const t = await storeValue(store, table)
        assert.equal(t.format, 'arrow')
        assert.ok(t.bytes > 2 * CHUNK_BYTES, `the table spans several chunks (${t.bytes} bytes)`)
        const back = (await loadValue(store, t.location, 'arrow')) as Table
        assert.equal(back.numRows, 150_000)
        assert.equal(back.get(149_999)!.name, 'row-149999')
        assert.equal(back.get(70_000)!.x, 10_000)

        // The stored bytes are exactly what was hashed, streamed in order.
        const chunks: Uint8Array[] = []
        for await (const c of store.stream(big.location)) chunks.push(c)
        assert.ok(chunks.length >= 3)
        assert.equal(sha256(Buffer.concat(chunks)), big.contentHash)
        assert.equal((await store.stat(big.location))?.bytes, big.bytes)
        assert.deepEqual(await allObjects(store), [s.location, big.location, t.location].sort())
      }))

    it('a missing object fails with STRATA_MISSING_OBJECT naming the store', () =>
      withStore(kind, async (store) => {
        const location = objectLocation('ab'.repeat(32), 'json')
        await assert.rejects(store.get(location), (e: Error & { code?: string }) => e.code === 'STRATA_MISSING_OBJECT' && e.message.includes(location) && e.message.includes(store.description))
        await assert.rejects(loadValue(store, location, 'json'), { code: 'STRATA_MISSING_OBJECT' })
        assert.equal(await store.stat(location), undefined)
      }))

    it('identical content is stored once; a put reusing it refreshes its time', () =>
      withStore(kind, async (store, instance) => {
        const first = await storeValue(store, { same: true })
        await age(instance, store, first.location, 48 * HOUR)
        const old = (await store.stat(first.location))!.modifiedMs
        assert.ok(old < Date.now() - 47 * HOUR)
        const again = await storeValue(store, { same: true })
        assert.equal(again.location, first.location)
        assert.deepEqual(await store.put(first.location, await store.get(first.location)), { written: false })
        assert.ok((await store.stat(first.location))!.modifiedMs > Date.now() - HOUR, 'reuse refreshed the time gc counts from')
        assert.deepEqual(await allObjects(store), [first.location])
        assert.deepStrictEqual(await loadValue(store, first.location, 'json'), { same: true })
      }))

    it('replace rewrites an object already there', () =>
      withStore(kind, async (store) => {
        const good = seededBytes(3 * CHUNK_BYTES + 17, 'replace')
        const location = objectLocation(sha256(good), 'json')
        await store.put(location, good.subarray(0, 100))
        assert.equal((await store.get(location)).byteLength, 100)
        assert.deepEqual(await store.put(location, good, { replace: true }), { written: true })
        assert.equal(sha256(await store.get(location)), sha256(good))
      }))

    it('two processes putting the same content at once: both succeed, one complete object', () =>
      withStore(kind, async (store, instance) => {
        const size = 3 * CHUNK_BYTES + 12_345
        const expected = seededBytes(size, 'race')
        const location = objectLocation(sha256(expected), 'json')
        const a = putter(instance.spec, ['same', '5', String(size), 'race'])
        const b = putter(instance.spec, ['same', '5', String(size), 'race'])
        await Promise.all([a.done, b.done])
        const results = [...a.lines, ...b.lines].filter((l) => l.startsWith('done'))
        assert.equal(results.length, 10)
        assert.ok(results.every((l) => l.startsWith(`done ${location}`)))
        assert.ok(results.filter((l) => l.endsWith('written')).length >= 1, 'someone wrote it')
        assert.deepEqual(await allObjects(store), [location])
        assert.equal(sha256(await store.get(location)), sha256(expected))
        assert.deepEqual(await store.leftovers(), [])
      }))

    it('a writer killed with kill -9 mid-put leaves no partial object', { timeout: 180_000 }, () =>
      withStore(kind, async (store, instance) => {
        // Large enough that the kill lands while the object is being written;
        // a trial whose kill came just after the write completed proves less, so there are several.
        const size = kind === 'postgres' ? 48 * CHUNK_BYTES : 96 * CHUNK_BYTES
        let caughtMidway = 0
        for (let trial = 0; trial < 5 && caughtMidway < 2; trial++) {
          const p = putter(instance.spec, ['distinct', '1', String(size)])
          const location = (await p.waitFor(/^putting /)).slice('putting '.length)
          await writing(kind, store, instance, location)
          p.child.kill('SIGKILL')
          await p.done
          const visible = await store.stat(location)
          if (visible) {
            // The kill came after the object was complete: it is whole.
            assert.equal(sha256(await store.get(location)), /([0-9a-f]{64})\.json$/.exec(location)![1])
            continue
          }
          caughtMidway++
          await assert.rejects(store.get(location), { code: 'STRATA_MISSING_OBJECT' })
          if (kind === 'postgres') {
            const chunks = await instance.sql(`SELECT count(*)::int AS n FROM "${instance.schema}".strata_object_chunks WHERE location = $1`, [location])
            assert.equal(chunks.rows[0].n, 0, 'no orphan chunks')
            assert.deepEqual(await store.leftovers(), [])
          } else {
            const left = await store.leftovers()
            assert.equal(left.length, 1, 'the partial write is a temporary file, found as a leftover')
            assert.equal(left[0]!.pid, p.child.pid)
            assert.deepEqual(await store.removeLeftovers(left), { count: 1, bytes: left[0]!.bytes })
            assert.deepEqual(await store.leftovers(), [])
          }
        }
        assert.ok(caughtMidway >= 1, 'at least one kill landed mid-put')
        for (const location of await allObjects(store)) assert.equal(sha256(await store.get(location)), /([0-9a-f]{64})\.json$/.exec(location)![1], 'every visible object is complete')
        // Content written afterwards is complete.
        const again = seededBytes(2 * CHUNK_BYTES + 1, 'after-kill')
        const loc = objectLocation(sha256(again), 'json')
        assert.deepEqual(await store.put(loc, again), { written: true })
        assert.equal(sha256(await store.get(loc)), sha256(again))
      }))

    it('a reader polling during puts sees each object absent or whole, never partial', { timeout: 120_000 }, () =>
      withStore(kind, async (store, instance) => {
        const p = putter(instance.spec, ['distinct', '6', String(2 * CHUNK_BYTES + 999)])
        let reads = 0
        const check = async () => {
          for (const location of p.lines.filter((l) => l.startsWith('putting ')).map((l) => l.slice('putting '.length))) {
            try {
              const bytes = await store.get(location)
              assert.equal(sha256(bytes), /([0-9a-f]{64})\.json$/.exec(location)![1], 'a visible object is complete')
              reads++
            } catch (err) {
              if ((err as { code?: string }).code !== 'STRATA_MISSING_OBJECT') throw err
            }
          }
        }
        let finished = false
        void p.done.finally(() => (finished = true))
        while (!finished) {
          await check()
          await new Promise((r) => setTimeout(r, 1))
        }
        await p.done
        await check()
        assert.ok(reads >= 6)
        assert.equal((await allObjects(store)).length, 6)
      }))

    it('delete removes only old, unreferenced candidates; a put reusing one meanwhile gets it back whole', () =>
      withStore(kind, async (store, instance) => {
        const old = await storeValue(store, 'old and unreferenced')
        const referenced = await storeValue(store, 'old but referenced')
        const recent = await storeValue(store, 'recent')
        const reused = await storeValue(store, 'old, reused during gc')
        for (const s of [old, referenced, reused]) await age(instance, store, s.location, 48 * HOUR)
        let concurrentPut: Promise<unknown> | undefined
        const removed = await store.delete(
          [old, referenced, recent, reused].map((s) => s.location),
          {
            olderThanMs: Date.now() - 24 * HOUR,
            referenced: async () => {
              // A step storing the same value while gc holds its candidates.
              concurrentPut = storeValue(store, 'old, reused during gc')
              await new Promise((r) => setTimeout(r, 50))
              return new Set([referenced.location])
            },
          },
        )
        await concurrentPut
        assert.equal(removed.count, 2, 'the old unreferenced object and the one about to be reused are removed…')
        assert.deepEqual(await allObjects(store), [referenced.location, recent.location, reused.location].sort(), '…and the reused one is stored anew')
        assert.deepStrictEqual(await loadValue(store, reused.location, 'json'), 'old, reused during gc')
        assert.ok((await store.stat(reused.location))!.modifiedMs > Date.now() - HOUR)
        assert.equal(await store.stat(old.location), undefined)
      }))
  })
}

/** Waits until the put of `location` is under way (its temporary file, or its transaction's chunks, being written). */
async function writing(kind: string, store: ObjectStore, instance: StoreInstance, location: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (kind === 'postgres') {
      const r = await instance.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state <> 'idle' AND query LIKE $1`, [`INSERT INTO "${instance.schema}".strata_object_chunks%`])
      if (r.rows[0].n > 0) return
    } else if ((await store.leftovers()).some((l) => l.id.startsWith(location) && l.bytes > 0)) return
    await new Promise((r) => setTimeout(r, 2))
  }
  throw new Error(`the put of ${location} never started`)
}
