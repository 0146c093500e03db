/**
 * Storage entry point: `openStorage(home)` opens the SQLite database
 * `home/strata.db`, creating the directory and schema when needed.
 */
import { join } from 'node:path'
import type { Storage } from './types.js'
import { ensureHomeDirectory } from '../home.js'
import { openSqliteStorage } from './sqlite/index.js'
import { checkedStorage } from './checked.js'

export type * from './types.js'
export { checkedStorage } from './checked.js'
export { SqliteStorage, openSqliteStorage, orphanMessage, latestSchemaVersion } from './sqlite/index.js'

export const DATABASE_FILE = 'strata.db'

export async function openStorage(home: string): Promise<Storage> {
  ensureHomeDirectory(home)
  // Arguments are checked above the backend, so every backend refuses the same input alike.
  return checkedStorage(openSqliteStorage(join(home, DATABASE_FILE)))
}
