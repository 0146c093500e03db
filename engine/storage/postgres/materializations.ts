/** The `materializations` table: every stored output, newest ids last. */
import type { DataFormat, MaterializationRecord, NewMaterialization } from '../types.js'
import type { Sql } from './db.js'
import { fromJson, toJson } from '../json.js'

export interface MaterializationRow {
  id: number
  asset_key: string
  partition_key: string
  run_id: string
  code_version: string
  data_version: string
  location: string
  format: DataFormat
  bytes: number
  metadata: string
  started_at: number
  ended_at: number
}

export const MATERIALIZATION_COLUMNS =
  'id, asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, metadata, started_at, ended_at'

export function toMaterialization(row: MaterializationRow): MaterializationRecord {
  return {
    id: row.id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    runId: row.run_id,
    codeVersion: row.code_version,
    dataVersion: row.data_version,
    location: row.location,
    format: row.format,
    bytes: row.bytes,
    metadata: fromJson<Record<string, unknown>>(row.metadata, {}),
    startedAt: row.started_at,
    endedAt: row.ended_at,
  }
}

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
