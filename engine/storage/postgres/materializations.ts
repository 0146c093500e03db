/** The `materializations` table: every stored output, newest ids last. */
import type { MaterializationRecord, NewMaterialization } from '../types.js'
import type { Sql } from './db.js'
import { toJson } from '../json.js'
import { type MaterializationRow, toMaterialization } from '../rows/materializations.js'

export const MATERIALIZATION_COLUMNS =
  'id, asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, metadata, started_at, ended_at'

/** Inserts one materialization; returns its id. */
export async function insertMaterialization(tx: Sql, m: NewMaterialization): Promise<number> {
  const row = await tx.one<{ id: number }>(
    `INSERT INTO materializations
       (asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, metadata, started_at, ended_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING id`,
    [m.assetKey, m.partitionKey, m.runId, m.codeVersion, m.dataVersion, m.location, m.format, m.bytes, toJson(m.metadata ?? {}), m.startedAt, m.endedAt],
  )
  return row!.id
}

/** Inserts materializations in one statement; returns their ids in the order given. */
export async function insertMaterializations(tx: Sql, ms: readonly NewMaterialization[]): Promise<number[]> {
  if (ms.length === 0) return []
  // WITH ORDINALITY + ORDER BY keeps nextval in list order, so ascending ids follow the given order.
  const rows = await tx.rows<{ id: number }>(
    `INSERT INTO materializations
       (asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, metadata, started_at, ended_at)
     SELECT a, p, r, c, d, l, f, b, m, s, e
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[])
       WITH ORDINALITY AS x(a, p, r, c, d, l, f, b, m, s, e, n)
     ORDER BY n
     RETURNING id`,
    [
      ms.map((m) => m.assetKey),
      ms.map((m) => m.partitionKey),
      ms.map((m) => m.runId),
      ms.map((m) => m.codeVersion),
      ms.map((m) => m.dataVersion),
      ms.map((m) => m.location),
      ms.map((m) => m.format),
      ms.map((m) => m.bytes),
      ms.map((m) => toJson(m.metadata ?? {})),
      ms.map((m) => m.startedAt),
      ms.map((m) => m.endedAt),
    ],
  )
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b)
}

export async function getMaterialization(sql: Sql, id: number): Promise<MaterializationRecord | undefined> {
  const row = await sql.one<MaterializationRow>(`SELECT ${MATERIALIZATION_COLUMNS} FROM materializations WHERE id = $1`, [id])
  return row ? toMaterialization(row) : undefined
}

export async function materializationExists(sql: Sql, id: number): Promise<boolean> {
  return (await sql.one('SELECT 1 FROM materializations WHERE id = $1', [id])) !== undefined
}

/** Newest first. */
export async function listMaterializations(sql: Sql, assetKey: string, opts: { partitionKey?: string; limit?: number } = {}): Promise<MaterializationRecord[]> {
  const limit = opts.limit ?? null
  const rows =
    opts.partitionKey === undefined
      ? await sql.rows<MaterializationRow>(`SELECT ${MATERIALIZATION_COLUMNS} FROM materializations WHERE asset_key = $1 ORDER BY id DESC LIMIT $2`, [assetKey, limit])
      : await sql.rows<MaterializationRow>(
          `SELECT ${MATERIALIZATION_COLUMNS} FROM materializations WHERE asset_key = $1 AND partition_key = $2 ORDER BY id DESC LIMIT $3`,
          [assetKey, opts.partitionKey, limit],
        )
  return rows.map(toMaterialization)
}
