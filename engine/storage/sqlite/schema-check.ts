/**
 * Checks that an opened database still has every table and column the
 * migrations recorded in it created. A table dropped by hand (or by a tool)
 * would otherwise surface later as "no such table" from deep inside a query.
 */
import Database from 'better-sqlite3'
import { basename, dirname } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { migrations } from './migrations/index.js'

type Schema = Map<string, Set<string>>

let expected: Schema | undefined

function readSchema(db: Database.Database): Schema {
  const schema: Schema = new Map()
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]
  for (const table of tables) {
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]
    schema.set(table, new Set(columns))
  }
  return schema
}

/** The schema every migration produces, built once per process in memory (about a millisecond). */
function expectedSchema(): Schema {
  if (expected) return expected
  const db = new Database(':memory:')
  try {
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) db.exec(m.sql)
    expected = readSchema(db)
    return expected
  } finally {
    db.close()
  }
}

export function damagedHome(file: string, problem: string, remedy?: string): StrataError {
  const home = dirname(file)
  const todo = remedy ?? `Restore ${basename(file)} from a backup, or move ${home} away to start a new home (its run history and materializations are lost)`
  return new StrataError('STRATA_DAMAGED_HOME', `The Strata home ${home} is damaged: ${problem}. ${todo}.`, { home, file })
}

/** Throws STRATA_DAMAGED_HOME naming the first missing table (or column) of an up-to-date database. */
export function checkSchema(db: Database.Database, file: string): void {
  const actual = readSchema(db)
  for (const [table, columns] of expectedSchema()) {
    const have = actual.get(table)
    if (!have) throw damagedHome(file, `its database ${file} has no table "${table}"`)
    for (const column of columns) {
      if (!have.has(column)) throw damagedHome(file, `table "${table}" of its database ${file} has no column "${column}"`)
    }
  }
}
