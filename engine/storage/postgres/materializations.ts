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
