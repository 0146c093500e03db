import type pg from 'pg'

/**
 * The object store's own tables in the schema: one row per object, written in
 * the same transaction as its chunks, so an object is visible only once all
 * of it is (a killed writer's transaction leaves nothing).
 */
export function objectTables(schema: string): { objects: string; chunks: string; ddl: string[] } {
  const q = `"${schema}"`
  const objects = `${q}.strata_objects`
  const chunks = `${q}.strata_object_chunks`
  return {
    objects,
    chunks,
    ddl: [
      `CREATE SCHEMA IF NOT EXISTS ${q}`,
      `CREATE TABLE IF NOT EXISTS ${objects} (
        location TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        chunks INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        -- last written or reused by a put: gc's grace period counts from it
        touched_at BIGINT NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${chunks} (
        location TEXT NOT NULL REFERENCES ${objects} (location) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (location, seq)
      )`,
    ],
  }
}

/**
 * Creates the tables once per schema. Concurrent processes opening a new
 * schema would race on CREATE … IF NOT EXISTS (it is not atomic against
 * itself), so creation holds a transaction-scoped advisory lock.
 */
export async function ensureObjectTables(client: pg.PoolClient, schema: string): Promise<void> {
  const { objects, ddl } = objectTables(schema)
  const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [objects])
  if (exists.rows[0]?.ok === true) return
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`strata-objects:${schema}`])
    for (const statement of ddl) await client.query(statement)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}
