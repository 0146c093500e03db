/**
 * What changed in a home since the daemon last looked, cheaply: assets with
 * materializations newer than a watermark id, and assets whose partition
 * states runs may have changed (runs created since, or RUNNING then and not
 * now), found through the (run_id, state) index. Also the state rows of
 * given slots.
 */
import type Database from 'better-sqlite3'
import type { AutomationWatermark, SlotState } from '../automation-types.js'
import type { SlotKey } from '../types.js'

export class AutomationChangesQuery {
  private readonly maxMaterializationStmt: Database.Statement
  private readonly maxRunStmt: Database.Statement
  private readonly runningStmt: Database.Statement
  private readonly materializedAfterStmt: Database.Statement
  private readonly runsAfterStmt: Database.Statement
  private readonly assetsOfRunsStmt: Database.Statement
  private readonly slotStatesStmt: Database.Statement

  constructor(db: Database.Database) {
    this.maxMaterializationStmt = db.prepare('SELECT coalesce(max(id), 0) FROM materializations').pluck()
    this.maxRunStmt = db.prepare('SELECT coalesce(max(rowid), 0) FROM runs').pluck()
    this.runningStmt = db.prepare(`SELECT run_id FROM runs WHERE status = 'RUNNING'`).pluck()
    this.materializedAfterStmt = db.prepare('SELECT DISTINCT asset_key FROM materializations WHERE id > ?').pluck()
    this.runsAfterStmt = db.prepare('SELECT run_id FROM runs WHERE rowid > ?').pluck()
    this.assetsOfRunsStmt = db.prepare('SELECT DISTINCT asset_key FROM partition_states WHERE run_id IN (SELECT value FROM json_each(?))').pluck()
    this.slotStatesStmt = db.prepare(`
      SELECT ps.asset_key, ps.partition_key, ps.state, ps.run_id, ps.updated_at
      FROM json_each(?) j JOIN partition_states ps ON ps.asset_key = j.value ->> 0 AND ps.partition_key = j.value ->> 1`).raw()
  }

  /** Call inside a read transaction, so the watermark and the changes agree. */
  since(previous: AutomationWatermark | undefined): { assets: string[]; watermark: AutomationWatermark } {
    const watermark: AutomationWatermark = {
      materializationId: this.maxMaterializationStmt.get() as number,
      runRowid: this.maxRunStmt.get() as number,
      running: this.runningStmt.all() as string[],
    }
    if (!previous) return { assets: [], watermark }
    const assets = new Set(this.materializedAfterStmt.all(previous.materializationId) as string[])
    const now = new Set(watermark.running)
    const runs = [...(this.runsAfterStmt.all(previous.runRowid) as string[]), ...previous.running.filter((r) => !now.has(r))]
    if (runs.length) for (const a of this.assetsOfRunsStmt.all(JSON.stringify(runs)) as string[]) assets.add(a)
    return { assets: [...assets], watermark }
  }

  slotStates(slots: readonly SlotKey[]): SlotState[] {
    if (slots.length === 0) return []
    const rows = this.slotStatesStmt.all(JSON.stringify(slots.map((s) => [s.assetKey, s.partitionKey]))) as Array<[string, string, SlotState['state'], string, number]>
    return rows.map(([assetKey, partitionKey, state, runId, updatedAt]) => ({ assetKey, partitionKey, state, runId, updatedAt }))
  }
}
