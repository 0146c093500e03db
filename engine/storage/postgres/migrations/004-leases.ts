/** Leases on runs and backfills, as SQLite's migration 010 (see engine/storage/leases.ts). */
export const version = 4
export const name = 'leases'
export const sql = `
ALTER TABLE runs ADD COLUMN lease_owner TEXT COLLATE "C";
ALTER TABLE runs ADD COLUMN lease_expires_at BIGINT;
ALTER TABLE backfills ADD COLUMN lease_owner TEXT COLLATE "C";
ALTER TABLE backfills ADD COLUMN lease_expires_at BIGINT;
`
