// Durable puts of several steps flushed together (withSyncBatch): inside a
// batch an object is written as a temp file only, renamed into place and made
// durable when the batch ends; a failing flush leaves no temp file and
// rejects; nested batches join the outer one; outside a batch, and on a
// database store, a put is complete when it returns.
import assert from 'node:assert/strict'
import { existsSync, fsyncSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { putChecked } from '../../engine/io/checked-objects.js'
import { FileObjectStore } from '../../engine/io/object-stores/filesystem.js'
import { objectLocation } from '../../engine/io/object-stores/location.js'
import { currentSyncBatch, setBatchFsyncForTests, withSyncBatch } from '../../engine/io/object-stores/sync-batch.js'
import type { ObjectStore } from '../../engine/io/object-stores/types.js'
import { TEMP_FILE } from '../../engine/io/object-stores/write-file.js'
import { seededBytes, sha256, withStore } from './object-store-helpers.js'

function object(seed: string, size = 100): { location: string; bytes: Buffer } {
  const bytes = seededBytes(size, seed)
  return { location: objectLocation(sha256(bytes), 'json'), bytes }
}

/** `n` objects whose names share one shard directory (their content need not match their names for these store-level tests). */
function sameShard(n: number, shard = 'ab'): Array<{ location: string; bytes: Buffer }> {
  return Array.from({ length: n }, (_, i) => {
    const bytes = seededBytes(64 + i, `same-shard-${i}`)
    return { location: `objects/${shard}/${shard}${sha256(bytes).slice(2)}.json`, bytes }
  })
}

/** Every file under the store's objects directory, temp files included. */
function filesUnder(root: string): string[] {
  const objects = join(root, 'objects')
  if (!existsSync(objects)) return []
  return readdirSync(objects).flatMap((shard) => readdirSync(join(objects, shard)).map((name) => `objects/${shard}/${name}`)).sort()
}

const temps = (root: string) => filesUnder(root).filter((f) => TEMP_FILE.test(f))

async function withFileStore(fn: (store: FileObjectStore) => Promise<void>): Promise<void> {
  await withStore('filesystem', async (store) => fn(store as FileObjectStore))
}

let restoreFsync: (() => void) | undefined
afterEach(() => {
  restoreFsync?.()
  restoreFsync = undefined
})

/** Counts the flush's fsyncs (and fails the `failAt`-th one, 1-based, with EIO). */
function instrumentFsync(failAt?: number): { calls: () => number } {
  let calls = 0
  restoreFsync = setBatchFsyncForTests((fd) => {
    calls++
    if (calls === failAt) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
    fsyncSync(fd)
  })
  return { calls: () => calls }
}

describe('withSyncBatch on a filesystem store', () => {
  it('writes objects under their names only when the batch ends, durable by the time it resolves', async () => {
    await withFileStore(async (store) => {
      const objs = [object('a'), object('b'), object('c', 5000)]
      const fsyncs = instrumentFsync()
      const result = await withSyncBatch(async () => {
        for (const o of objs) assert.deepEqual(await store.put(o.location, o.bytes, { sync: true }), { written: true })
        assert.equal(fsyncs.calls(), 0, 'nothing is flushed before the batch ends')
        for (const o of objs) assert.equal(existsSync(store.pathOf(o.location)), false, `${o.location} is not visible before the flush`)
        assert.equal(temps(store.spec).length, objs.length)
        const listed: string[] = []
        for await (const info of store.list()) listed.push(info.location)
        assert.deepEqual(listed, [], 'gc and listings do not see pending objects')
        // This thread's own reads see what it wrote.
        assert.deepEqual(await store.get(objs[0]!.location), objs[0]!.bytes)
        assert.equal((await store.stat(objs[2]!.location))?.bytes, 5000)
        const streamed: Buffer[] = []
        for await (const chunk of store.stream(objs[1]!.location)) streamed.push(Buffer.from(chunk))
        assert.deepEqual(Buffer.concat(streamed), objs[1]!.bytes)
        return 'done'
      })
      assert.equal(result, 'done')
      assert.equal(currentSyncBatch(), undefined)
      for (const o of objs) assert.deepEqual(readFileSync(store.pathOf(o.location)), o.bytes)
      assert.deepEqual(temps(store.spec), [])
      // Each file, its shard directories, and the new directories' parents (objects/ and the root).
      const shards = new Set(objs.map((o) => o.location.slice(0, 10)))
      assert.equal(fsyncs.calls(), objs.length + shards.size + 2)
    })
  })

  it('fsyncs a shared directory once for all the objects of a batch', async () => {
    await withFileStore(async (store) => {
      mkdirSync(join(store.spec, 'objects', 'ab'), { recursive: true })
      const objs = sameShard(6)
      const fsyncs = instrumentFsync()
      await withSyncBatch(async () => {
        for (const o of objs) await store.put(o.location, o.bytes, { sync: true })
      })
      assert.equal(fsyncs.calls(), objs.length + 1)
      assert.equal(filesUnder(store.spec).length, objs.length)
    })
  })

  it('flushes each temp file through the descriptor its write left open, and closes every one, also when a flush fails', async () => {
    await withFileStore(async (store) => {
      mkdirSync(join(store.spec, 'objects', 'ab'), { recursive: true })
      const openFds = () => readdirSync('/proc/self/fd').length
      for (const failAt of [undefined, 2]) {
        const objs = sameShard(5, failAt ? 'cd' : 'ab')
        const before = openFds()
        const flushed: number[] = []
        let opened = 0
        restoreFsync = setBatchFsyncForTests((fd) => {
          flushed.push(fd)
          if (flushed.length === failAt) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
          fsyncSync(fd)
        })
        const batch = withSyncBatch(async () => {
          for (const o of objs) await store.put(o.location, o.bytes, { sync: true })
          opened = openFds() - before
        })
        if (failAt) await assert.rejects(batch, { code: 'EIO' })
        else await batch
        restoreFsync()
        restoreFsync = undefined
        assert.equal(opened, objs.length, 'each temp file stays open from its write to its fsync')
        assert.equal(openFds(), before, 'no descriptor is left open')
        if (!failAt) assert.equal(new Set(flushed.slice(0, objs.length)).size, objs.length)
      }
      assert.deepEqual(temps(store.spec), [])
    })
  })

  it('writes an object put twice in one batch once, and putChecked needs no read back of it', async () => {
    await withFileStore(async (store) => {
      const o = object('twice')
      const fsyncs = instrumentFsync()
      await withSyncBatch(async () => {
        await putChecked(store, o.location, o.bytes, { sync: true })
        assert.deepEqual(await store.put(o.location, o.bytes, { sync: true }), { written: true })
        await putChecked(store, o.location, o.bytes, { sync: true })
        assert.equal(temps(store.spec).length, 1)
      })
      assert.deepEqual(filesUnder(store.spec), [o.location])
      assert.deepEqual(readFileSync(store.pathOf(o.location)), o.bytes)
      assert.equal(fsyncs.calls(), 1 + 3)
    })
  })

  it('replaces a damaged copy found on disk at the flush, leaving no superseded temp', async () => {
    await withFileStore(async (store) => {
      const o = object('damaged')
      await store.put(o.location, o.bytes, { sync: true })
      const damaged = Buffer.from(o.bytes)
      damaged[0] = damaged[0]! ^ 0xff
      writeFileSync(store.pathOf(o.location), damaged)
      await withSyncBatch(async () => {
        await putChecked(store, o.location, o.bytes, { sync: true })
        assert.deepEqual(readFileSync(store.pathOf(o.location)), damaged, 'the damaged copy stays until the flush')
        await store.put(o.location, o.bytes, { sync: true, replace: true })
        assert.equal(temps(store.spec).length, 2)
      })
      assert.deepEqual(readFileSync(store.pathOf(o.location)), o.bytes)
      assert.deepEqual(filesUnder(store.spec), [o.location])
    })
  })

  it('writes puts without sync at once, as outside a batch', async () => {
    await withFileStore(async (store) => {
      const o = object('no-sync')
      await withSyncBatch(async () => {
        await store.put(o.location, o.bytes, { sync: false })
        assert.deepEqual(readFileSync(store.pathOf(o.location)), o.bytes)
      })
      assert.deepEqual(filesUnder(store.spec), [o.location])
    })
  })

  it('outside a batch, a sync put is in place when it returns', async () => {
    await withFileStore(async (store) => {
      const o = object('outside')
      const fsyncs = instrumentFsync()
      await store.put(o.location, o.bytes, { sync: true })
      assert.deepEqual(readFileSync(store.pathOf(o.location)), o.bytes)
      assert.deepEqual(temps(store.spec), [])
      assert.equal(fsyncs.calls(), 0, 'the batch flush is not involved')
    })
  })

  it('joins nested batches to the outer one, flushed when the outer one ends', async () => {
    await withFileStore(async (store) => {
      const [outer, inner] = [object('outer'), object('inner')]
      await withSyncBatch(async () => {
        const batch = currentSyncBatch()
        await store.put(outer.location, outer.bytes, { sync: true })
        const got = await withSyncBatch(async () => {
          assert.equal(currentSyncBatch(), batch)
          await store.put(inner.location, inner.bytes, { sync: true })
          return 7
        })
        assert.equal(got, 7)
        assert.equal(existsSync(store.pathOf(inner.location)), false, 'the inner batch does not flush on its own')
        assert.equal(temps(store.spec).length, 2)
      })
      assert.deepEqual(filesUnder(store.spec), [outer.location, inner.location].sort())
    })
  })

  for (const failAt of [1, 2, 3]) {
    it(`rejects with the error and leaves no temp file when the flush's fsync of file ${failAt} of 3 fails`, async () => {
      await withFileStore(async (store) => {
        const objs = sameShard(3)
        instrumentFsync(failAt)
        await assert.rejects(
          withSyncBatch(async () => {
            for (const o of objs) await store.put(o.location, o.bytes, { sync: true })
          }),
          { code: 'EIO' },
        )
        assert.deepEqual(filesUnder(store.spec), [], 'no object and no temp file is left')
        assert.equal(currentSyncBatch(), undefined)
        restoreFsync!()
        restoreFsync = undefined
        // The store is usable afterwards, and flushes the directories the failed batch created.
        const fsyncs = instrumentFsync()
        await withSyncBatch(async () => void (await store.put(objs[0]!.location, objs[0]!.bytes, { sync: true })))
        assert.equal(fsyncs.calls(), 1 + 3, 'the new directories are flushed again: the failed batch never made them durable')
        assert.deepEqual(filesUnder(store.spec), [objs[0]!.location])
      })
    })
  }

  it('rejects when a directory fsync fails, with every object renamed and no temp left', async () => {
    await withFileStore(async (store) => {
      const objs = sameShard(2)
      instrumentFsync(3)
      await assert.rejects(
        withSyncBatch(async () => {
          for (const o of objs) await store.put(o.location, o.bytes, { sync: true })
        }),
        { code: 'EIO' },
      )
      assert.deepEqual(temps(store.spec), [])
    })
  })

  it('removes the temp files not yet renamed when a rename fails', async () => {
    await withFileStore(async (store) => {
      const objs = sameShard(3)
      await assert.rejects(
        withSyncBatch(async () => {
          for (const o of objs) await store.put(o.location, o.bytes, { sync: true })
          // A non-empty directory where the second object goes: renaming a file onto it fails.
          mkdirSync(join(store.pathOf(objs[1]!.location), 'blocker'), { recursive: true })
        }),
        (err: NodeJS.ErrnoException) => err.code === 'EISDIR' || err.code === 'ENOTEMPTY',
      )
      assert.deepEqual(temps(store.spec), [])
      assert.deepEqual(readFileSync(store.pathOf(objs[0]!.location)), objs[0]!.bytes, 'renamed before the failure: complete, merely unrecorded')
      assert.equal(existsSync(store.pathOf(objs[2]!.location)), false)
    })
  })

  it("flushes what was put when the batch's function fails, and rejects with its error", async () => {
    await withFileStore(async (store) => {
      const o = object('then-fail')
      await assert.rejects(
        withSyncBatch(async () => {
          await store.put(o.location, o.bytes, { sync: true })
          throw Object.assign(new Error('step failed'), { code: 'STEP_FAILED' })
        }),
        { code: 'STEP_FAILED' },
      )
      assert.equal(currentSyncBatch(), undefined)
      assert.deepEqual(filesUnder(store.spec), [o.location])
    })
  })

  it("rejects with the function's error, leaving no temp, when both it and the flush fail", async () => {
    await withFileStore(async (store) => {
      const o = object('both-fail')
      instrumentFsync(1)
      await assert.rejects(
        withSyncBatch(async () => {
          await store.put(o.location, o.bytes, { sync: true })
          throw Object.assign(new Error('step failed'), { code: 'STEP_FAILED' })
        }),
        { code: 'STEP_FAILED' },
      )
      assert.deepEqual(filesUnder(store.spec), [])
    })
  })
})

describe('withSyncBatch on a PostgreSQL store', () => {
  it('ignores the batch: a put is stored when it returns', async () => {
    await withStore('postgres', async (store: ObjectStore, instance) => {
      const o = object('postgres')
      await withSyncBatch(async () => {
        await store.put(o.location, o.bytes, { sync: true })
        const other = await instance.open()
        try {
          assert.deepEqual(Buffer.from(await other.get(o.location)), o.bytes)
        } finally {
          await other.close()
        }
      })
    })
  })
})
