/**
 * The `partition_key_layouts` table (migration 006) and the rewrite of stored
 * multi-partition keys into the layout the definitions use.
 *
 * Which key becomes which is decided by the caller (it has the definitions);
 * this module finds the assets whose recorded layout differs, hands it their
 * stored keys, and applies the renames to every table in one IMMEDIATE
 * transaction, so two processes opening the same home cannot both rewrite
 * (the second finds the layout already recorded). Renames go through a temp
 * table and set-based UPDATEs, one pass per table, so a history of millions
 * of events is scanned once, not once per key.
 */
import type Database from 'better-sqlite3'
import type { PartitionKeyLayout, PartitionKeyRewrite } from '../types.js'
import { KEY_SOURCES, KEYED_HISTORY, KEYED_UNIQUE } from '../rows/key-layouts.js'

const RENAMED = `SELECT r.new_key FROM temp.partition_key_renames r WHERE r.asset_key = %A AND r.old_key = %K`
const renamed = (asset: string, key: string): string => RENAMED.replace('%A', asset).replace('%K', key)
/** SQLite's char(1): parks a row under a key no real key can have (keys have no control characters). */
const PARK = 'char(1)'

export class PartitionKeyLayouts {
  constructor(private readonly db: Database.Database) {}

  /** Multi-partitioned assets whose recorded layout is not `expected`, with their recorded layout (null when never recorded). */
  private pending(expected: ReadonlyMap<string, readonly string[]>): Array<{ assetKey: string; recorded: string[] | null | undefined }> {
    const rows = this.db.prepare('SELECT asset_key, dimensions FROM partition_key_layouts').raw().all() as Array<[string, string | null]>
    const recorded = new Map(rows.map(([asset, dims]) => [asset, dims === null ? null : (JSON.parse(dims) as string[])]))
    const out: Array<{ assetKey: string; recorded: string[] | null | undefined }> = []
    for (const [assetKey, dims] of expected) {
      const r = recorded.get(assetKey)
      if (r === undefined && !recorded.has(assetKey)) out.push({ assetKey, recorded: undefined })
      else if (r === null || JSON.stringify(r) !== JSON.stringify(dims)) out.push({ assetKey, recorded: r ?? null })
    }
    return out
  }

  /** Distinct stored keys containing "|" of each asset, from every table. */
  private storedKeys(assetKeys: readonly string[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>(assetKeys.map((a) => [a, new Set<string>()]))
    const json = JSON.stringify(assetKeys)
    for (const s of KEY_SOURCES) {
      const rows = this.db
        .prepare(`SELECT DISTINCT ${s.asset}, ${s.key} FROM ${s.table} WHERE ${s.asset} IN (SELECT value FROM json_each(?)) AND instr(${s.key}, '|') > 0`)
        .raw()
        .all(json) as Array<[string, string]>
      for (const [asset, key] of rows) out.get(asset)!.add(key)
    }
    return out
  }

  private record(assetKey: string, dimensions: readonly string[], now: number): void {
    this.db
      .prepare(
        `INSERT INTO partition_key_layouts (asset_key, dimensions, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (asset_key) DO UPDATE SET dimensions = excluded.dimensions, updated_at = excluded.updated_at`,
      )
      .run(assetKey, JSON.stringify(dimensions), now)
  }

  private rename(renames: ReadonlyArray<readonly [asset: string, oldKey: string, newKey: string]>): void {
    const db = this.db
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS partition_key_renames (
      asset_key TEXT NOT NULL, old_key TEXT NOT NULL, new_key TEXT NOT NULL, PRIMARY KEY (asset_key, old_key)) WITHOUT ROWID`)
    db.exec('CREATE INDEX IF NOT EXISTS temp.partition_key_renames_new ON partition_key_renames (asset_key, new_key)')
    db.exec('DELETE FROM temp.partition_key_renames')
    const insert = db.prepare('INSERT INTO temp.partition_key_renames (asset_key, old_key, new_key) VALUES (?, ?, ?)')
    for (const [asset, oldKey, newKey] of renames) insert.run(asset, oldKey, newKey)
    const assets = 'SELECT DISTINCT asset_key FROM temp.partition_key_renames'

    for (const { table, asset, key } of KEYED_HISTORY) {
      const to = renamed(`${table}.${asset}`, `${table}.${key}`)
      db.prepare(`UPDATE ${table} SET ${key} = (${to}) WHERE ${asset} IN (${assets}) AND EXISTS (${to})`).run()
    }
    // Usually no new key is also an old one (a reorder does not map a key onto
    // another stored key) and no row already holds a new key: then one pass
    // per table suffices, without the de-duplication or the parking pass.
    const chained = db.prepare('SELECT 1 FROM temp.partition_key_renames a JOIN temp.partition_key_renames b ON b.asset_key = a.asset_key AND b.old_key = a.new_key LIMIT 1').get() !== undefined
    const merged = db.prepare('SELECT 1 FROM temp.partition_key_renames GROUP BY asset_key, new_key HAVING count(*) > 1 LIMIT 1').get() !== undefined
    for (const { table, group, recency } of KEYED_UNIQUE) {
      const to = renamed(`${table}.asset_key`, `${table}.partition_key`)
      const taken =
        db.prepare(`SELECT 1 FROM ${table} t WHERE t.asset_key IN (${assets}) AND EXISTS (SELECT 1 FROM temp.partition_key_renames r WHERE r.asset_key = t.asset_key AND r.new_key = t.partition_key) LIMIT 1`).get() !== undefined
      if (!chained && !merged && !taken) {
        db.prepare(`UPDATE ${table} SET partition_key = (${to}) WHERE asset_key IN (${assets}) AND EXISTS (${to})`).run()
        continue
      }
      const g = group.replace(', ', ', x.')
      db.prepare(
        `DELETE FROM ${table} WHERE (asset_key, partition_key${group}) IN (
           SELECT asset_key, partition_key${group} FROM (
             SELECT x.asset_key, x.partition_key${g},
                    row_number() OVER (PARTITION BY x.asset_key${g}, coalesce(r.new_key, x.partition_key) ORDER BY x.${recency} DESC, x.partition_key DESC) AS rn
             FROM ${table} x LEFT JOIN temp.partition_key_renames r ON r.asset_key = x.asset_key AND r.old_key = x.partition_key
             WHERE x.asset_key IN (${assets}))
           WHERE rn > 1)`,
      ).run()
      // Two passes, so swapping keys (a|b ↔ b|a) never meets a unique key still held by the other row.
      db.prepare(`UPDATE ${table} SET partition_key = ${PARK} || (${to}) WHERE asset_key IN (${assets}) AND EXISTS (${to})`).run()
      db.prepare(`UPDATE ${table} SET partition_key = substr(partition_key, 2) WHERE asset_key IN (${assets}) AND substr(partition_key, 1, 1) = ${PARK}`).run()
    }
    db.exec('DELETE FROM temp.partition_key_renames')
  }

  /**
   * Brings every asset of `expected` (asset → dimension names in key order)
   * to that layout: `plan` decides the renames of an asset whose recorded
   * layout differs (undefined: leave it as it is); an asset never recorded
   * has no keys in another layout and just gets `expected` recorded.
   */
  upgrade(expected: ReadonlyMap<string, readonly string[]>, plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined, now: number): PartitionKeyRewrite[] {
    // Read without the write lock first: on every open but the first, nothing is pending.
    if (this.pending(expected).length === 0) return []
    const tx = this.db.transaction((): PartitionKeyRewrite[] => {
      const todo = this.pending(expected)
      const stale = todo.filter((t) => t.recorded !== undefined)
      const keys = this.storedKeys(stale.map((t) => t.assetKey))
      const applied: PartitionKeyRewrite[] = []
      const renames: Array<[string, string, string]> = []
      for (const t of todo) {
        if (t.recorded === undefined) {
          this.record(t.assetKey, expected.get(t.assetKey)!, now)
          continue
        }
        const rewrite = plan({ assetKey: t.assetKey, dimensions: t.recorded, keys: [...keys.get(t.assetKey)!].sort() })
        if (!rewrite) continue
        for (const [from, to] of rewrite.renames) if (from !== to) renames.push([t.assetKey, from, to])
        this.record(t.assetKey, rewrite.dimensions, now)
        applied.push(rewrite)
      }
      if (renames.length) this.rename(renames)
      return applied
    })
    return tx.immediate()
  }
}
