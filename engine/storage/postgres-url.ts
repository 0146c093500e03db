/**
 * PostgreSQL storage URLs, parsed without loading the `pg` driver: the
 * storage URL checks (url.ts) run on every command, PostgreSQL or not.
 */
import { StrataError } from '../../assets/errors.js'

/** Schema used when the URL has no `?schema=`. */
export const DEFAULT_SCHEMA = 'strata'

/** What a storage URL says, with the password kept out of `description`. */
export interface PgTarget {
  /** Connection string without the `schema` parameter. */
  connectionString: string
  schema: string
  host: string
  port: number
  database: string
  /** `postgres://user@host:port/db?schema=NAME`, never the password. */
  description: string
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

function invalidUrl(url: string, why: string): StrataError {
  return new StrataError('STRATA_INVALID_STORAGE_URL', `Invalid storage URL ${redact(url)}: ${why}`, { url: redact(url) })
}

/** The URL with any password replaced by `***`, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
}

/** Parses `postgres://user[:password]@host[:port]/db[?schema=NAME&…]`. */
export function parsePgUrl(url: string): PgTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidUrl(url, 'it does not parse as a URL. Example: postgres://user@localhost:5432/strata?schema=team_a')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw invalidUrl(url, 'expected postgres:// or postgresql://.')
  const schema = parsed.searchParams.get('schema') ?? DEFAULT_SCHEMA
  if (!SCHEMA_NAME.test(schema)) {
    throw invalidUrl(url, `schema "${schema}" must be lower-case letters, digits and underscores, starting with a letter or underscore (at most 63).`)
  }
  parsed.searchParams.delete('schema')
  const host = parsed.hostname || 'localhost'
  const port = parsed.port ? Number(parsed.port) : 5432
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres'
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''
  return {
    connectionString: parsed.toString(),
    schema,
    host,
    port,
    database,
    description: `postgres://${user}${host}:${port}/${database}?schema=${schema}`,
  }
}
