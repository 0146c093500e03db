/** Shared helpers for the storage tests: temp homes, backends (backends.ts) and record factories. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStorage, type NewMaterialization, type NewRun, type Storage } from '../../engine/storage/index.js'

export function tempHome(): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'strata-storage-test-'))
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) }
}

export { forEachBackend, freshSchemaUrl, newInstance, withStorageOn, BACKENDS, TEST_POSTGRES_URL, type BackendName, type StorageInstance, type WithStorage } from './backends.js'

/** Opens a SQLite storage in a fresh temp home, runs `fn`, then closes it and deletes the home (tests of SQLite itself; see forEachBackend). */
export async function withStorage(fn: (storage: Storage, home: string) => Promise<void>): Promise<void> {
  const { home, cleanup } = tempHome()
  const storage = await openStorage(home)
  try {
    await fn(storage, home)
  } finally {
    await storage.close()
    cleanup()
  }
}

export function newRun(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    runId,
    selection: '*',
    stepKeys: ['raw/a', 'b[2024-01-01]'],
    defsPath: 'examples/hello/definitions.ts',
    pid: 4242,
    host: 'test-host',
    startedAt: 1_700_000_000_000,
    ...overrides,
  }
}

export function newMaterialization(assetKey: string, runId: string, overrides: Partial<NewMaterialization> = {}): NewMaterialization {
  return {
    assetKey,
    partitionKey: '',
    runId,
    codeVersion: 'code-1',
    dataVersion: 'data-1',
    location: `objects/${assetKey}.json`,
    format: 'json',
    bytes: 123,
    metadata: {},
    startedAt: 1_700_000_000_100,
    endedAt: 1_700_000_000_200,
    ...overrides,
  }
}

/** Asserts that `promise` rejects with a StrataError STRATA_STORAGE whose message matches `message`. */
export function storageErrorLike(message: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    const e = err as { name?: string; code?: string; message?: string }
    if (e.name !== 'StrataError' || e.code !== 'STRATA_STORAGE') throw new Error(`expected a STRATA_STORAGE StrataError, got ${String(err)}`)
    if (!message.test(e.message ?? '')) throw new Error(`message ${JSON.stringify(e.message)} does not match ${message}`)
    return true
  }
}
