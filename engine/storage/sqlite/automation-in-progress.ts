/** Slots IN_PROGRESS for RUNNING runs, found from the running runs (few) through partition_states' (run_id, state) index. */
import type Database from 'better-sqlite3'
import type { SlotHolder } from '../types.js'

export class InProgressQuery {
  private readonly stmt: Database.Statement

  constructor(db: Database.Database) {
    this.stmt = db.prepare(`
      SELECT ps.asset_key, ps.partition_key, r.run_id, r.pid, r.host
      FROM runs r JOIN partition_states ps ON ps.run_id = r.run_id AND ps.state = 'IN_PROGRESS'
      WHERE r.status = 'RUNNING'`).raw()
  }

  all(): SlotHolder[] {
    return (this.stmt.all() as Array<[string, string, string, number, string]>).map(([assetKey, partitionKey, runId, pid, host]) => ({ assetKey, partitionKey, runId, pid, host }))
  }
}
