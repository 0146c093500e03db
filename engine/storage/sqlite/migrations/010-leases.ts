/**
 * Leases on runs and backfills: the orchestrating process (`lease_owner`, an
 * id unique to that process) renews `lease_expires_at` by heartbeat. A run or
 * backfill on another host whose lease expired is failed by whoever notices
 * (its pid cannot be checked from here); rows from before leases have none
 * and are judged by their pid on their own host only, as before.
 */
export const version = 10
export const name = 'leases'
export const sql = `
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE backfills ADD COLUMN lease_owner TEXT;
ALTER TABLE backfills ADD COLUMN lease_expires_at INTEGER;
`
