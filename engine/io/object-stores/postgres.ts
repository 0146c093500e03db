/**
 * Objects in PostgreSQL, for clusters with no shared volume: each object is
 * a row of `strata_objects` and ~1 MiB chunks in `strata_object_chunks`,
 * inserted in one transaction (visible only once complete) and read back
 * chunk by chunk from one snapshot. `--objects postgres://…?schema=NAME`.
 */
import pg from 'pg'
import { StrataError } from '../../../assets/errors.js'
import { formatOfLocation } from './location.js'
import { missingObjectError } from './missing.js'
import { ensureObjectTables, objectTables } from './postgres-schema.js'
import { parseObjectsUrl, type PgObjectsTarget } from './postgres-url.js'
import type { DeleteGuard, Leftover, ObjectInfo, ObjectStore, PutOptions, Removed } from './types.js'

/** Chunk size: large enough that per-row overhead is negligible, small enough that no single message is huge. */
export const CHUNK_BYTES = 1024 * 1024
/** Chunks fetched per round trip when reading. */
const CHUNKS_PER_READ = 8
const LIST_PAGE = 1000

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', '57P03', '3D000', '28000'])

function unreachable(target: PgObjectsTarget, err: unknown): StrataError {
  const code = (err as { code?: string }).code ?? ''
  return new StrataError(
    'STRATA_OBJECTS_UNREACHABLE',
    `Could not reach the object store ${target.description} (${(err as Error).message}). Check that PostgreSQL is running and accepts connections at ${target.host}:${target.port}, and that the database and user exist.`,
    { host: target.host, port: target.port, cause: code },
  )
}

export class PgObjectStore implements ObjectStore {
  readonly description: string
  private readonly t: ReturnType<typeof objectTables>

  constructor(
    readonly spec: string,
    private readonly target: PgObjectsTarget,
    private readonly pool: pg.Pool,
  ) {
    this.description = target.description
    this.t = objectTables(target.schema)
  }

  async put(location: string, bytes: Uint8Array, opts: PutOptions = {}): Promise<{ written: boolean }> {
    const now = Date.now()
    if (!opts.replace) {
      // Reuse refreshes touched_at under the row's lock: a gc holding the row waits for nothing and this put then writes anew.
      const touched = await this.pool.query(`UPDATE ${this.t.objects} SET touched_at = $2 WHERE location = $1`, [location, now])
      if (touched.rowCount === 1) return { written: false }
    }
    const client = await this.pool.connect()
    let ok = false
    try {
      await client.query('BEGIN')
      if (opts.replace) await client.query(`DELETE FROM ${this.t.objects} WHERE location = $1`, [location])
      const chunks = Math.ceil(bytes.byteLength / CHUNK_BYTES)
      // A concurrent put of the same content waits here for the first one's commit, then finds the row and writes nothing.
      const inserted = await client.query(
        `INSERT INTO ${this.t.objects} (location, format, bytes, chunks, created_at, touched_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (location) DO NOTHING`,
        [location, formatOfLocation(location) ?? 'json', bytes.byteLength, chunks, now],
      )
      if (inserted.rowCount !== 1) {
        await client.query('ROLLBACK')
        ok = true
        return { written: false }
      }
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      for (let seq = 0; seq < chunks; seq++) {
        await client.query(`INSERT INTO ${this.t.chunks} (location, seq, data) VALUES ($1, $2, $3)`, [location, seq, view.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES)])
      }
      await client.query('COMMIT')
      ok = true
      return { written: true }
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => {})
      client.release()
    }
  }

  /** One buffer of the object's size, filled chunk by chunk (never a second whole copy). */
  async get(location: string): Promise<Uint8Array> {
    let out: Buffer | undefined
    let at = 0
    for await (const { size, data } of this.chunks(location)) {
      out ??= Buffer.allocUnsafe(size)
      data.copy(out, at)
      at += data.byteLength
    }
    return out ?? Buffer.alloc(0)
  }

  async *stream(location: string): AsyncIterable<Uint8Array> {
    for await (const { data } of this.chunks(location)) yield data
  }

  /** Chunks from one snapshot (REPEATABLE READ), so a gc deleting the object midway cannot cut it short; `size` is the whole object's. */
  private async *chunks(location: string): AsyncIterable<{ size: number; data: Buffer }> {
    const client = await this.pool.connect()
    let ended = false
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const head = await client.query<{ chunks: number; bytes: string }>(`SELECT chunks, bytes FROM ${this.t.objects} WHERE location = $1`, [location])
      if (head.rowCount === 0) throw missingObjectError(location, this.description)
      const chunks = head.rows[0]!.chunks
      const size = Number(head.rows[0]!.bytes)
      for (let seq = 0; seq < chunks; seq += CHUNKS_PER_READ) {
        const rows = await client.query<{ data: Buffer }>(`SELECT data FROM ${this.t.chunks} WHERE location = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`, [location, seq, seq + CHUNKS_PER_READ])
        for (const row of rows.rows) yield { size, data: row.data }
      }
      await client.query('COMMIT')
      ended = true
    } finally {
      // A failed read, or a consumer that stopped early, leaves the transaction open: end it before the connection goes back.
      if (!ended) await client.query('ROLLBACK').catch(() => {})
      client.release()
    }
  }

  async stat(location: string): Promise<ObjectInfo | undefined> {
    const r = await this.pool.query<{ bytes: string; touched_at: string }>(`SELECT bytes, touched_at FROM ${this.t.objects} WHERE location = $1`, [location])
    const row = r.rows[0]
    return row ? { location, bytes: Number(row.bytes), modifiedMs: Number(row.touched_at) } : undefined
  }

  async *list(): AsyncIterable<ObjectInfo> {
    let after = ''
    for (;;) {
      const r = await this.pool.query<{ location: string; bytes: string; touched_at: string }>(
        `SELECT location, bytes, touched_at FROM ${this.t.objects} WHERE location > $1 ORDER BY location LIMIT ${LIST_PAGE}`,
        [after],
      )
      for (const row of r.rows) yield { location: row.location, bytes: Number(row.bytes), modifiedMs: Number(row.touched_at) }
      if (r.rows.length < LIST_PAGE) return
      after = r.rows[r.rows.length - 1]!.location
    }
  }

  /**
   * Locks the candidates still older than the cut-off (a put reusing one
   * waits, then finds it gone and writes it anew; one that touched it first
   * makes it too recent to lock here), reads the references again, and
   * deletes the unreferenced ones with their chunks.
   */
  async delete(locations: readonly string[], guard: DeleteGuard): Promise<Removed> {
    if (locations.length === 0) return { count: 0, bytes: 0 }
    const client = await this.pool.connect()
    let ok = false
    try {
      await client.query('BEGIN')
      const locked = await client.query<{ location: string; bytes: string }>(
        `SELECT location, bytes FROM ${this.t.objects} WHERE location = ANY($1) AND touched_at < $2 ORDER BY location FOR UPDATE`,
        [locations, guard.olderThanMs],
      )
      const referenced = locked.rowCount ? await guard.referenced() : new Set<string>()
      const doomed = locked.rows.filter((r) => !referenced.has(r.location))
      if (doomed.length > 0) await client.query(`DELETE FROM ${this.t.objects} WHERE location = ANY($1)`, [doomed.map((d) => d.location)])
      await client.query('COMMIT')
      ok = true
      return { count: doomed.length, bytes: doomed.reduce((n, d) => n + Number(d.bytes), 0) }
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => {})
      client.release()
    }
  }

  /** Writes are transactions: a killed writer leaves nothing behind. */
  async leftovers(): Promise<Leftover[]> {
    return []
  }

  async removeLeftovers(): Promise<Removed> {
    return { count: 0, bytes: 0 }
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}

export async function openPostgresObjectStore(spec: string): Promise<ObjectStore> {
  const target = parseObjectsUrl(spec)
  // allowExitOnIdle: a CLI process that read or wrote objects exits when done, without waiting for idle connections to time out.
  const pool = new pg.Pool({ connectionString: target.connectionString, max: 4, allowExitOnIdle: true })
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    await pool.end().catch(() => {})
    throw UNREACHABLE.has((err as { code?: string }).code ?? '') ? unreachable(target, err) : err
  }
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureObjectTables(client, target.schema)
        break
      } catch (err) {
        // Another process (or the storage) creating the same schema at the same moment.
        const code = (err as { code?: string }).code
        if (attempt < 3 && (code === '23505' || code === '42P06' || code === '42P07')) continue
        throw err
      }
    }
  } catch (err) {
    client.release()
    await pool.end().catch(() => {})
    throw err
  }
  client.release()
  return new PgObjectStore(spec, target, pool)
}
