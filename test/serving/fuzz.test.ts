// Fuzzing strata serve over real sockets on loopback: arbitrary paths
// (malformed percent-encoding, control bytes, non-ASCII, absolute and
// asterisk forms), methods, headers and bodies (JSON or not, chunked or not).
// Every request must get a final response with a valid status; every error
// must be the JSON error shape; no request may cause a 5xx; and afterwards
// /healthz answers 200 and a valid prediction is still right.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { startServer, type ServingServer } from '../../engine/serving/server.js'
import { errorOf, rawRequest, type RawRequest } from './raw-http.js'
import { sigmoid, toyProject, validPredict, type ToyProject } from './toy-project.js'

const RUNS = Number(process.env.STRATA_FUZZ_RUNS ?? 300)
const TIMEOUT_MS = 5000

const TOKEN = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~']
// Visible ASCII, a few bytes the parser must refuse (space, tab, NUL, DEL,
// controls) and non-ASCII, so both routing and the parser are exercised.
const PATH_CHARS = [...TOKEN, ...'/?#[]@:;=,()"<>{}\\', ' ', '\t', '\0', '\x7f', '\x01', 'é', '€', '😀']

const segment = fc.oneof(
  fc.constantFrom('v1', 'models', 'toy', 'predict', 'healthz', 'metrics', '', '.', '..', '%', '%E0%A4%A', '%zz', '%C3', '%00', '%2F', '%C3%A9', '%ED%A0%80', '%FF', '%25', 'caf%C3%A9'),
  fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 10 }),
)

const path = fc.oneof(
  fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/')),
  segment.map((s) => `/v1/models/${s}/predict`),
  fc.tuple(segment, fc.constantFrom('', '/', '?x=%', '?', '#frag')).map(([s, tail]) => `/v1/models/${s}/predict${tail}`),
  fc.constantFrom('/healthz', '/metrics', '/v1/models', '/v1/models/', '*', 'http://127.0.0.1/healthz', '//healthz', '/healthz/'),
)

const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'QUERY') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...TOKEN), minLength: 1, maxLength: 8 }) },
)

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/vnd.x+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'application/json; charset=latin1', '', ';;;', 'application/json;charset']
const header: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant('content-type'), fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.string({ maxLength: 30 }))) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('x-request-id'), fc.string({ maxLength: 40 })) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('accept', 'origin', 'upgrade', 'user-agent', 'x-anything'), fc.string({ maxLength: 30 })) },
  { weight: 3, arbitrary: fc.tuple(fc.string({ unit: fc.constantFrom(...TOKEN), minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('expect'), fc.constantFrom('100-continue', 'nope', '')) },
).filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name.toLowerCase()))

const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())
const body = fc.oneof(
  fc.constant(''),
  fc.array(fc.record({ x: number }), { minLength: 1, maxLength: 4 }).map((instances) => JSON.stringify({ instances })),
  fc.array(fc.oneof(fc.record({ x: fc.jsonValue() }), fc.jsonValue()), { maxLength: 4 }).map((instances) => JSON.stringify({ instances })),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }),
)

const anything: fc.Arbitrary<RawRequest> = fc.record({
  method,
  path,
  headers: fc.array(header, { maxLength: 4 }),
  body,
  chunked: fc.boolean(),
})

/** Close to a valid prediction, so fuzzing reaches content-type, body and instance handling too. */
const nearPredict: fc.Arbitrary<RawRequest> = fc.record({
  method: fc.constant('POST'),
  path: fc.oneof({ weight: 3, arbitrary: fc.constant('/v1/models/toy/predict') }, path),
  headers: fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constant(['content-type', 'application/json'] as [string, string]) }, header), fc.array(header, { maxLength: 2 })).map(([h, rest]) => [h, ...rest]),
  body,
  chunked: fc.boolean(),
})

const request = fc.oneof(anything, nearPredict)

describe('strata serve under fuzzed requests', () => {
  let toy: ToyProject
  let server: ServingServer
  const internal: string[] = []

  before(async () => {
    toy = await toyProject()
    server = await startServer({ defs: toy.ws.defs, home: toy.ws.home, storage: toy.ws.storage, pollMs: 60_000, log: (l) => l.startsWith('internal error') && internal.push(l) })
  })
  after(async () => {
    await server?.close()
    await toy?.cleanup()
  })

  it(`answers ${RUNS} arbitrary requests with a valid status and the JSON error shape, then still serves`, async () => {
    const codes = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await rawRequest(server.port, r, TIMEOUT_MS)
        const code = res.status >= 400 && r.method !== 'HEAD' ? errorOf(res).code : String(res.status)
        codes.set(code, (codes.get(code) ?? 0) + 1)
        assert.ok(Number.isInteger(res.status) && res.status >= 200 && res.status <= 599, `status ${res.status}`)
        assert.ok(res.status < 500, `${res.status}: ${res.body}`)
        if (res.status === 200 && r.method !== 'HEAD' && /^\/v1\/models\/[^/]+\/predict\/?$/.test(r.path.split('?')[0]!)) assert.ok(Array.isArray(JSON.parse(res.body).predictions), res.body)
      }),
      { numRuns: RUNS },
    )
    assert.deepEqual(internal, [], 'no request reached the internal-error path')
    // The generators reach routing and body handling, not just the parser's
    // rejections (each of these is expected 20+ times in 300 runs).
    for (const code of ['200', 'bad_request', 'not_found', 'method_not_allowed', 'invalid_json']) assert.ok(codes.has(code), `no ${code} among ${JSON.stringify([...codes])}`)

    const health = await rawRequest(server.port, { method: 'GET', path: '/healthz' })
    assert.equal(health.status, 200)
    assert.equal(JSON.parse(health.body).status, 'ok')
    const ok = await rawRequest(server.port, validPredict(-0.25))
    assert.equal(ok.status, 200)
    assert.deepEqual(JSON.parse(ok.body), { model: { name: 'toy', version: 1, stage: 'production' }, predictions: [{ probability: sigmoid(-0.25), label: 'neg', warnings: [] }] })
  })
})
