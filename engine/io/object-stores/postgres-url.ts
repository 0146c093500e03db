import { StrataError } from '../../../assets/errors.js'

/** Schema used when the URL has no `?schema=`. */
export const DEFAULT_OBJECTS_SCHEMA = 'strata'

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export interface PgObjectsTarget {
  /** Connection string without the `schema` parameter. */
  connectionString: string
  schema: string
  host: string
  port: number
  /** `postgres://user@host:port/db?schema=NAME`, never the password. */
  description: string
}

function invalid(url: string, why: string): StrataError {
  const shown = url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
  return new StrataError('STRATA_INVALID_OBJECTS', `Invalid object store URL ${shown}: ${why}`, { spec: shown })
}

/** Parses `postgres://user[:password]@host[:port]/db[?schema=NAME&…]`. */
export function parseObjectsUrl(url: string): PgObjectsTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(url, 'it does not parse as a URL. Example: postgres://user@localhost:5432/strata?schema=objects')
  }
  const schema = parsed.searchParams.get('schema') ?? DEFAULT_OBJECTS_SCHEMA
  if (!SCHEMA_NAME.test(schema)) throw invalid(url, `schema "${schema}" must be lower-case letters, digits and underscores, starting with a letter or underscore (at most 63).`)
  parsed.searchParams.delete('schema')
  const host = parsed.hostname || 'localhost'
  const port = parsed.port ? Number(parsed.port) : 5432
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres'
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''
  return { connectionString: parsed.toString(), schema, host, port, description: `postgres://${user}${host}:${port}/${database}?schema=${schema}` }
}
