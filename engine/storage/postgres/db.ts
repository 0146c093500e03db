/**
 * The PostgreSQL connection: a `pg.Pool` built from a storage URL, every
 * connection's search_path set to the instance's schema (`?schema=NAME`,
 * default `strata`), and a transaction helper that retries serialization
 * failures and deadlocks, which PostgreSQL reports instead of waiting.
 */
import pg from 'pg'
import { StrataError } from '../../../assets/errors.js'
import { parsePgUrl, type PgTarget } from '../postgres-url.js'

export { DEFAULT_SCHEMA, parsePgUrl, redact, type PgTarget } from '../postgres-url.js'

/** BIGINT (int8) columns hold epoch milliseconds and ids, all well within 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

/** Something to run queries on: the pool (autocommit) or a transaction's client. */
export interface Sql {
  rows<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>
  one<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R | undefined>
  /** Runs a statement; returns the affected row count. */
  exec(text: string, params?: readonly unknown[]): Promise<number>
}

function sqlOn(q: { query: pg.Pool['query'] } | pg.PoolClient): Sql {
  const run = (text: string, params?: readonly unknown[]) => (q as pg.PoolClient).query(text, params as unknown[] | undefined)
  return {
    rows: async <R>(text: string, params?: readonly unknown[]) => (await run(text, params)).rows as R[],
    one: async <R>(text: string, params?: readonly unknown[]) => (await run(text, params)).rows[0] as R | undefined,
    exec: async (text: string, params?: readonly unknown[]) => (await run(text, params)).rowCount ?? 0,
  }
}

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE'

export interface TransactionOptions {
  /** @defaultValue 'READ COMMITTED' */
  isolation?: Isolation
  /** A read-only transaction (a consistent snapshot with REPEATABLE READ). @defaultValue false */
  readOnly?: boolean
}

/** serialization_failure, deadlock_detected: the transaction did nothing and can run again. */
const RETRYABLE = new Set(['40001', '40P01'])
const MAX_ATTEMPTS = 8

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])

export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** Connection failures become STRATA_STORAGE_UNREACHABLE naming the server and what to check; anything else is returned as is. */
export function connectionError(err: unknown, target: PgTarget): unknown {
  const code = pgCode(err)
  const where = `${target.host}:${target.port}`
  const details = { host: target.host, port: target.port, database: target.database, ...(code ? { cause: code } : {}) }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new StrataError(
      'STRATA_STORAGE_UNREACHABLE',
      `Cannot reach PostgreSQL at ${where} (${code}) for storage ${target.description}. Check that the server is running and accepts TCP connections on that host and port (listen_addresses, firewall), or fix the URL given with --storage, STRATA_STORAGE_URL or defineDefinitions({ storage }).`,
      details,
    )
  }
  if (code === '28P01' || code === '28000') {
    return new StrataError(
      'STRATA_STORAGE_UNREACHABLE',
      `PostgreSQL at ${where} refused the login for storage ${target.description}: ${(err as Error).message}. Check the user and password in the storage URL, and pg_hba.conf on the server.`,
      details,
    )
  }
  if (code === '3D000') {
    return new StrataError(
      'STRATA_STORAGE_UNREACHABLE',
      `PostgreSQL at ${where} has no database "${target.database}" (storage ${target.description}). Create it (createdb ${target.database}) or name an existing one in the storage URL.`,
      details,
    )
  }
  return err
}

export class PgDb {
  readonly pool: pg.Pool
  readonly target: PgTarget
  /** Autocommit queries on the pool (one statement each). */
  readonly sql: Sql

  constructor(url: string, opts: { max?: number } = {}) {
    this.target = parsePgUrl(url)
    this.pool = new pg.Pool({
      connectionString: this.target.connectionString,
      max: opts.max ?? 10,
      types,
      // Set at connection start-up, so no query can run on the wrong schema.
      options: `-c search_path=${this.target.schema}`,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 10_000,
      // Idle pooled connections must not keep a CLI process alive.
      allowExitOnIdle: true,
    })
    // An idle client losing its server connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {})
    const pool = this.pool
    this.sql = sqlOn({ query: (async (text: string, params?: unknown[]) => {
      try {
        return await pool.query(text, params)
      } catch (err) {
        throw connectionError(err, this.target)
      }
    }) as pg.Pool['query'] })
  }

  get schema(): string {
    return this.target.schema
  }

  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect()
    } catch (err) {
      throw connectionError(err, this.target)
    }
  }

  /**
   * Runs `fn` in a transaction on one pooled connection and commits. A
   * serialization failure or deadlock rolls back and runs `fn` again (a few
   * times, with a short random pause), so `fn` must only have effects
   * through `tx`.
   */
  async transaction<T>(fn: (tx: Sql) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const begin = `BEGIN ISOLATION LEVEL ${opts.isolation ?? 'READ COMMITTED'}${opts.readOnly ? ' READ ONLY' : ''}`
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect()
      let broken = false
      try {
        await client.query(begin)
        const result = await fn(sqlOn(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        try {
          await client.query('ROLLBACK')
        } catch {
          broken = true
        }
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(pgCode(err) ?? '')) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt))
          continue
        }
        throw connectionError(err, this.target)
      } finally {
        client.release(broken)
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
