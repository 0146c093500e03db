/**
 * Object stores to run the same tests on: a filesystem store in a temp
 * directory, and a PostgreSQL store in a fresh random schema of the test
 * server (STRATA_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test),
 * dropped afterwards. An unreachable server fails the test, never skips it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openObjectStore } from '../../engine/io/object-stores/open.js'
import type { ObjectStore } from '../../engine/io/object-stores/types.js'

export const TEST_POSTGRES_URL = process.env.STRATA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export type StoreKind = 'filesystem' | 'postgres'
export const STORE_KINDS: readonly StoreKind[] = ['filesystem', 'postgres']

export interface StoreInstance {
  kind: StoreKind
  /** Opens the store (again: another connection pool, as another process would). */
  spec: string
  schema?: string
  open(): Promise<ObjectStore>
  /** Runs SQL on the test server (PostgreSQL instances only). */
  sql(text: string, params?: unknown[]): Promise<pg.QueryResult>
  cleanup(): Promise<void>
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  try {
    await client.connect()
  } catch (err) {
    throw new Error(`PostgreSQL is unreachable at ${TEST_POSTGRES_URL} (${(err as Error).message}): these tests need it. Start it, or set STRATA_TEST_POSTGRES_URL.`)
  }
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** A PostgreSQL objects URL naming a fresh schema, with extra query parameters. */
export function freshObjectsUrl(extra = ''): { url: string; schema: string } {
  const schema = `strata_objects_test_${randomBytes(6).toString('hex')}`
  return { url: `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}${extra}`, schema }
}

export function dropSchema(schema: string): Promise<void> {
  return withClient(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
}

export function newStore(kind: StoreKind): StoreInstance {
  if (kind === 'filesystem') {
    const dir = mkdtempSync(join(tmpdir(), 'strata-objects-test-'))
    return {
      kind,
      spec: dir,
      open: () => openObjectStore(dir),
      sql: () => Promise.reject(new Error('not a PostgreSQL store')),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const { url, schema } = freshObjectsUrl()
  return {
    kind,
    spec: url,
    schema,
    open: async () => {
      // Checked first, so an unreachable server says what the test needs.
      await withClient(async () => {})
      return openObjectStore(url)
    },
    sql: (text, params) => withClient((c) => c.query(text, params)),
    cleanup: () => dropSchema(schema),
  }
}

/** Opens a store of `kind` in a fresh instance, runs `fn`, closes and cleans up. */
export async function withStore(kind: StoreKind, fn: (store: ObjectStore, instance: StoreInstance) => Promise<void>): Promise<void> {
  const instance = newStore(kind)
  try {
    const store = await instance.open()
    try {
      await fn(store, instance)
    } finally {
      await store.close()
    }
  } finally {
    await instance.cleanup()
  }
}

/** `bytes` bytes determined by `seed` (a sha256 chain): the same content in every process. */
export function seededBytes(bytes: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(bytes)
  let block = createHash('sha256').update(seed).digest()
  for (let at = 0; at < bytes; at += block.length) {
    block.copy(out, at)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
