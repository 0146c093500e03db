/** The `daemon_lease` table: the one daemon holding a home, with a lease its heartbeat renews. */
import type Database from 'better-sqlite3'
import type { DaemonLease, LeaseClaim } from '../automation-types.js'

interface LeaseRow {
  owner: string
  pid: number
  host: string
  acquired_at: number
  heartbeat_at: number
  expires_at: number
}

const toLease = (r: LeaseRow): DaemonLease => ({ owner: r.owner, pid: r.pid, host: r.host, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at, expiresAt: r.expires_at })

export class DaemonLeaseTable {
  private readonly getStmt: Database.Statement
  private readonly insertStmt: Database.Statement
  private readonly replaceStmt: Database.Statement
  private readonly renewStmt: Database.Statement
  private readonly releaseStmt: Database.Statement

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT * FROM daemon_lease WHERE id = 1')
    this.insertStmt = db.prepare(`
      INSERT INTO daemon_lease (id, owner, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (1, @owner, @pid, @host, @now, @now, @expires)
      ON CONFLICT (id) DO NOTHING`)
    // Compare-and-set on the previous owner: whoever decided the old lease was dead decided on that lease.
    this.replaceStmt = db.prepare(`
      UPDATE daemon_lease SET owner = @owner, pid = @pid, host = @host, acquired_at = @now, heartbeat_at = @now, expires_at = @expires
      WHERE id = 1 AND owner = @previous`)
    this.renewStmt = db.prepare('UPDATE daemon_lease SET heartbeat_at = ?, expires_at = ? WHERE id = 1 AND owner = ?')
    this.releaseStmt = db.prepare('DELETE FROM daemon_lease WHERE id = 1 AND owner = ?')
  }

  get(): DaemonLease | undefined {
    const row = this.getStmt.get() as LeaseRow | undefined
    return row ? toLease(row) : undefined
  }

  /** Takes the lease if it is free, or still held by `previous` (judged dead). Call inside a write transaction. */
  take(claim: LeaseClaim, previous: string | undefined): boolean {
    const params = { owner: claim.owner, pid: claim.pid, host: claim.host, now: claim.now, expires: claim.now + claim.ttlMs }
    if (previous === undefined) return this.insertStmt.run(params).changes > 0
    return this.replaceStmt.run({ ...params, previous }).changes > 0
  }

  renew(owner: string, now: number, ttlMs: number): boolean {
    return this.renewStmt.run(now, now + ttlMs, owner).changes > 0
  }

  release(owner: string): void {
    this.releaseStmt.run(owner)
  }
}
