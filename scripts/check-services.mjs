// Fails loudly when PostgreSQL or Redis is unreachable: the storage
// conformance suite and the queue executor's tests need both, and a test run
// without them must not pass by skipping.
import pg from 'pg'
import IORedis from 'ioredis'

const postgresUrl = process.env.STRATA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const redisUrl = process.env.STRATA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const problems = []

const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 })
try {
  await client.connect()
  const { rows } = await client.query('select version() as v')
  console.log(`PostgreSQL ok: ${String(rows[0].v).split(' on ')[0]} at ${redact(postgresUrl)}`)
} catch (err) {
  problems.push(`PostgreSQL unreachable at ${redact(postgresUrl)}: ${reason(err)}. Start it (pg_ctlcluster <version> main start) or set STRATA_TEST_POSTGRES_URL.`)
} finally {
  await client.end().catch(() => {})
}

const redis = new IORedis(redisUrl, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => null })
redis.on('error', () => {})
try {
  await redis.connect()
  const info = await redis.info('server')
  console.log(`Redis ok: ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'} at ${redisUrl}`)
} catch (err) {
  problems.push(`Redis unreachable at ${redisUrl}: ${reason(err)}. Start redis-server or set STRATA_TEST_REDIS_URL.`)
} finally {
  redis.disconnect()
}

if (problems.length > 0) {
  for (const p of problems) console.error(p)
  process.exit(1)
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}

function reason(err) {
  return String(err?.message ?? err).replace(/\.+$/, '')
}
