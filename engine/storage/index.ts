/**
 * Storage entry point: `openStorage(home)` opens the SQLite database
 * `home/strata.db`, creating the directory and schema when needed.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Storage } from './types.js'
import { StrataError } from '../../assets/errors.js'
import { openSqliteStorage } from './sqlite/index.js'

export type * from './types.js'
export { SqliteStorage, openSqliteStorage, orphanMessage, latestSchemaVersion } from './sqlite/index.js'

export const DATABASE_FILE = 'strata.db'

export async function openStorage(home: string): Promise<Storage> {
  try {
    mkdirSync(home, { recursive: true })
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err)
    throw new StrataError('STRATA_STORAGE', `Could not create the Strata home directory ${home}: ${text}.`, { home })
  }
  return openSqliteStorage(join(home, DATABASE_FILE))
}
