/** The PostgreSQL backend of `Storage`. */
export { PgStorage, openPgStorage } from './storage.js'
export { PgDb, parsePgUrl, redact, DEFAULT_SCHEMA, type PgTarget, type Sql } from './db.js'
export { migratePg, latestPgSchemaVersion } from './migrate.js'
