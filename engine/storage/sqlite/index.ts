/** The SQLite backend of `Storage`. */
import { SqliteStorage } from './storage.js'

export { SqliteStorage, orphanMessage } from './storage.js'
export { openDatabase, BUSY_TIMEOUT_MS } from './open.js'
export { migrate, latestSchemaVersion } from './migrate.js'
export { migrations, type Migration } from './migrations/index.js'

/** Opens (creating and migrating if needed) the SQLite database at `file`. */
export function openSqliteStorage(file: string): SqliteStorage {
  return new SqliteStorage(file)
}
