/**
 * The storage backends every conformance test runs against: SQLite in a temp
 * home, and PostgreSQL in a fresh random schema of the test server
 * (STRATA_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test),
 * dropped afterwards. An unreachable server fails the test, never skips it.
 */
import { describe } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openStorage, type Storage } from '../../engine/storage/index.js'

export const TEST_POSTGRES_URL = process.env.STRATA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export type BackendName = 'sqlite' | 'postgres'

/** A place to open storages in: a temp home and, for PostgreSQL, a schema of its own. */
export interface StorageInstance {
  backend: BackendName
  home: string
  /** The URL to pass as `openStorage(home, { url })`, `--storage` or STRATA_STORAGE_URL; undefined for SQLite. */
  url: string | undefined
  open(): Promise<Storage>
  /** Deletes the home and drops the schema. */
  cleanup(): Promise<void>
}

/** A PostgreSQL URL naming a fresh schema (not created yet: the first open migrates it), and how to drop it. */
export function freshSchemaUrl(prefix = 'strata_test'): { url: string; schema: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`
  const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`
  return { url, schema, drop: () => dropSchema(schema) }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  try {
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end().catch(() => {})
  }
}

export function newInstance(backend: BackendName): StorageInstance {
  const home = mkdtempSync(join(tmpdir(), `strata-storage-test-${backend}-`))
  const schema = backend === 'postgres' ? freshSchemaUrl() : undefined
  return {
    backend,
    home,
    url: schema?.url,
    open: () => openStorage(home, { url: schema?.url }),
    cleanup: async () => {
      rmSync(home, { recursive: true, force: true })
      await schema?.drop()
    },
  }
}

export const BACKENDS: readonly BackendName[] = ['sqlite', 'postgres']

export type WithStorage = (fn: (storage: Storage, instance: StorageInstance) => Promise<void>) => Promise<void>

/** Opens a storage in a fresh instance of `backend`, runs `fn`, then closes it and cleans up. */
export function withStorageOn(backend: BackendName): WithStorage {
  return async (fn) => {
    const instance = newInstance(backend)
    try {
      const storage = await instance.open()
      try {
        await fn(storage, instance)
      } finally {
        await storage.close()
      }
    } finally {
      await instance.cleanup()
    }
  }
}

/**
 * Registers the tests `define` declares once per backend, each group in a
 * `describe` named after the backend; `define` gets that backend's
 * `withStorage`. The storage conformance suite is every file doing this.
 */
export function forEachBackend(define: (withStorage: WithStorage, backend: BackendName) => void): void {
  for (const backend of BACKENDS) describe(backend, () => define(withStorageOn(backend), backend))
}
