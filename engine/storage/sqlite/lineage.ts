/** The `lineage_edges` table: which upstream materializations a materialization consumed. */
import type Database from 'better-sqlite3'
import type { LineageEdge } from '../types.js'
import { EDGE_COLUMNS, type EdgeRow, toEdge } from '../rows/lineage.js'

export class LineageTable {
  private readonly insertStmt: Database.Statement
  private readonly listStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO lineage_edges (${EDGE_COLUMNS})
      VALUES (@materializationId, @upstreamMaterializationId, @upstreamAssetKey, @upstreamPartitionKey, @upstreamDataVersion, @inputName)`)
    this.listStmt = db.prepare(`SELECT ${EDGE_COLUMNS} FROM lineage_edges WHERE materialization_id = ? ORDER BY id`)
  }

  /** Inserts the edges of one materialization; call inside a write transaction. */
  insert(materializationId: number, edges: readonly LineageEdge[]): void {
    for (const e of edges) {
      this.insertStmt.run({
        materializationId,
        upstreamMaterializationId: e.upstreamMaterializationId,
        upstreamAssetKey: e.upstreamAssetKey,
        upstreamPartitionKey: e.upstreamPartitionKey ?? '',
        upstreamDataVersion: e.upstreamDataVersion,
        inputName: e.inputName ?? null,
      })
    }
  }

  list(materializationId: number): LineageEdge[] {
    return (this.listStmt.all(materializationId) as EdgeRow[]).map(toEdge)
  }
}
