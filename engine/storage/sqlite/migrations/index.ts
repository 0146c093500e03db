/**
 * The ordered list of schema migrations. To change the schema, add a new file
 * `NNN-name.ts` exporting `version`, `name` and `sql` (never edit an applied
 * one) and append it here. Versions must be strictly increasing.
 */
import * as m001 from './001-initial.js'
import * as m002 from './002-backfills-dynamic-partitions.js'
import * as m003 from './003-checks.js'
import * as m004 from './004-model-registry.js'
import * as m005 from './005-partition-state-code-version.js'
import * as m006 from './006-partition-key-layouts.js'
import * as m007 from './007-code-versions.js'
import * as m008 from './008-automation.js'
import * as m009 from './009-corrupt-objects.js'
import * as m010 from './010-leases.js'

export interface Migration {
  version: number
  name: string
  /** SQL script run with `db.exec`, inside the migration transaction. */
  sql: string
}

export const migrations: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010]
