/**
 * The ordered list of PostgreSQL schema migrations (numbered on their own,
 * not after SQLite's). To change the schema, add `NNN-name.ts` exporting
 * `version`, `name` and `sql` (never edit an applied one) and append it here.
 */
import * as m001 from './001-core.js'
import * as m002 from './002-model-registry.js'
import * as m003 from './003-automation.js'
import * as m004 from './004-leases.js'

export interface Migration {
  version: number
  name: string
  /** SQL script run as one multi-statement query inside the migration transaction. */
  sql: string
}

export const migrations: readonly Migration[] = [m001, m002, m003, m004]
