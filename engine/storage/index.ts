/**
 * Storage entry point: `openStorage(home)` opens the SQLite database
 * `home/strata.db`, creating the directory and schema when needed.
 */
import { join } from 'node:path'
import type { Storage } from './types.js'
import { ensureHomeDirectory } from '../home.js'
import { openSqliteStorage } from './sqlite/index.js'

export type * from './types.js'
export { SqliteStorage, openSqliteStorage, orphanMessage, latestSchemaVersion } from './sqlite/index.js'

export const DATABASE_FILE = 'strata.db'

export async function openStorage(home: string): Promise<Storage> {
  ensureHomeDirectory(home)
  return openSqliteStorage(join(home, DATABASE_FILE))
}
