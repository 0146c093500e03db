// strata serve never lets one request take it down: malformed percent-encoding
// in the route, exceptions anywhere in a handler, non-JSON bodies, and
// requests the HTTP parser itself rejects all get the {"error": {"code",
// "message"}} shape and a count in /metrics, and the server keeps serving.
// Real servers on loopback (127.0.0.1), requests as raw bytes.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { answerOutsideRoutes } from '../../engine/serving/http.js'
import { startServer, type ServingServer } from '../../engine/serving/server.js'
import { errorOf, rawExchange, rawRequest, type RawRequest } from './raw-http.js'
import { sigmoid, toyProject, validPredict, type ToyProject } from './toy-project.js'

const json = [['content-type', 'application/json']] as Array<[string, string]>

describe('strata serve survives bad requests', () => {
  let toy: ToyProject
  let server: ServingServer
  const logs: string[] = []

  before(async () => {
    toy = await toyProject({ quirky: true })
    server = await startServer({ defs: toy.ws.defs, home: toy.ws.home, storage: toy.ws.storage, pollMs: 60_000, log: (l) => logs.push(l) })
  })
  after(async () => {
    await server?.close()
    await toy?.cleanup()
  })

  const send = (r: RawRequest) => rawRequest(server.port, r)
  const metric = async (line: RegExp) => {
    const text = (await send({ method: 'GET', path: '/metrics' })).body
    const m = line.exec(text)
    assert.ok(m, `no ${line} in\n${text}`)
    return Number(text.slice(m.index).split('\n')[0]!.split(' ').pop())
  }
  const stillServing = async () => {
    const health = await send({ method: 'GET', path: '/healthz' })
    assert.equal(health.status, 200)
    assert.equal(JSON.parse(health.body).status, 'ok')
    const ok = await send(validPredict(0.5))
    assert.equal(ok.status, 200, ok.body)
    assert.deepEqual(JSON.parse(ok.body).predictions, [{ probability: sigmoid(0.5), label: 'pos', warnings: [] }])
  }

  it('answers malformed percent-encoding in the model name with 400 invalid_path (GET and POST), and keeps serving', async () => {
    const paths = ['/v1/models/%E0%A4%A/predict', '/v1/models/%/predict', '/v1/models/%zz/predict', '/v1/models/%C3/predict']
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const res = await send({ method, path, headers: json, body: method === 'POST' ? '{"instances": [{"x": 1}]}' : undefined })
        assert.equal(res.status, 400, `${method} ${path}: ${res.body}`)
        const err = errorOf(res)
        assert.equal(err.code, 'invalid_path')
        assert.ok(err.message.includes(path), err.message)
        assert.match(err.message, /malformed percent-encoding.*encodeURIComponent/)
      }
    }
    await stillServing()
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="predict",status="400",code="invalid_path"\}/m), paths.length * 2)
    assert.equal(await metric(/^strata_serving_errors_total\{model="\(unknown\)",code="invalid_path"\}/m), paths.length * 2)
  })

  it('still decodes well-formed names (an encoded unknown name is a 404 naming it)', async () => {
    const res = await send({ method: 'POST', path: '/v1/models/caf%C3%A9/predict', headers: json, body: '{"instances": [{"x": 1}]}' })
    assert.equal(res.status, 404)
    assert.equal(errorOf(res).code, 'unknown_model')
    assert.match(errorOf(res).message, /No served model "café"/)
  })

  it('turns an exception anywhere in a handler into a 500 with the error shape, counted in /metrics', async () => {
    const quirky = (x: number) => send({ method: 'POST', path: '/v1/models/quirky/predict', headers: json, body: JSON.stringify({ instances: [{ x }] }) })
    // The response itself cannot be serialized (a BigInt label): outside predict, in the handler.
    const unserializable = await quirky(1001)
    assert.equal(unserializable.status, 500)
    assert.equal(errorOf(unserializable).code, 'internal')
    assert.match(errorOf(unserializable).message, /^Internal error while handling POST \/v1\/models\/quirky\/predict \(logged; the server keeps serving\): .*BigInt/)
    assert.ok(logs.some((l) => l.startsWith('internal error on POST /v1/models/quirky/predict') && l.includes('BigInt')), logs.join('\n'))
    // predict throws null: still a message, not a crash while describing it.
    const threwNull = await quirky(1002)
    assert.equal(threwNull.status, 500)
    assert.deepEqual(errorOf(threwNull), { code: 'prediction_failed', message: 'quirky v1: threw null' })
    // parseInstance throws a string: the instance is named.
    const threwString = await quirky(1003)
    assert.equal(threwString.status, 400)
    assert.deepEqual(errorOf(threwString), { code: 'invalid_instance', message: 'instances[0]: x 1003 is refused with a bare string' })
    await stillServing()
    assert.equal((await quirky(5)).status, 200)
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="predict",status="500",code="internal"\}/m), 1)
    assert.equal(await metric(/^strata_serving_errors_total\{model="quirky",code="internal"\}/m), 1)
    assert.equal(await metric(/^strata_serving_errors_total\{model="quirky",code="prediction_failed"\}/m), 1)
    assert.equal(await metric(/^strata_serving_requests_total\{model="quirky",version="",stage="",code="500"\}/m), 2)
  })

  it('takes predict bodies only as JSON: 415 unsupported_media_type otherwise, before reading the body', async () => {
    const body = '{"instances": [{"x": 1}]}'
    const refused: Array<string | undefined> = [undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/+json', 'text/json', 'application/json; charset=latin1']
    for (const type of refused) {
      const res = await send({ method: 'POST', path: '/v1/models/toy/predict', headers: type === undefined ? [] : [['content-type', type]], body })
      assert.equal(res.status, 415, `${type}: ${res.body}`)
      const err = errorOf(res)
      assert.equal(err.code, 'unsupported_media_type')
      assert.match(err.message, type?.includes('charset') && type.startsWith('application/json') ? /UTF-8 JSON \(got charset "latin1"\)/ : /Content-Type: application\/json/)
    }
    const accepted = ['application/json', 'application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"', 'application/vnd.strata.v1+json', 'application/json; profile=x']
    for (const type of accepted) {
      const res = await send({ method: 'POST', path: '/v1/models/toy/predict', headers: [['content-type', type]], body })
      assert.equal(res.status, 200, `${type}: ${res.body}`)
    }
    assert.equal(await metric(/^strata_serving_errors_total\{model="toy",code="unsupported_media_type"\}/m), refused.length)
  })

  it('answers what the HTTP parser rejects with the same JSON shape: garbage, huge headers, CONNECT, unknown Expect', async () => {
    const garbage = await rawExchange(server.port, 'NOT HTTP AT ALL\r\n\r\n')
    assert.equal(garbage.status, 400)
    assert.equal(errorOf(garbage).code, 'bad_request')
    const control = await rawExchange(server.port, 'GET /he\x01lthz HTTP/1.1\r\nhost: x\r\n\r\n')
    assert.equal(control.status, 400)
    assert.equal(errorOf(control).code, 'bad_request')
    const huge = await send({ method: 'GET', path: '/healthz', headers: [['x-big', 'a'.repeat(20_000)]] })
    assert.equal(huge.status, 431)
    assert.equal(errorOf(huge).code, 'headers_too_large')
    const tunnel = await rawExchange(server.port, 'CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n')
    assert.equal(tunnel.status, 405)
    assert.equal(errorOf(tunnel).code, 'method_not_allowed')
    const expect = await send({ method: 'GET', path: '/healthz', headers: [['expect', 'the-unexpected']] })
    assert.equal(expect.status, 417)
    assert.match(errorOf(expect).message, /Unsupported Expect header "the-unexpected"/)
    await stillServing()
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="none",status="400",code="bad_request"\}/m), 2)
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="none",status="431",code="headers_too_large"\}/m), 1)
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="none",status="405",code="method_not_allowed"\}/m), 1)
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="none",status="417",code="expectation_failed"\}/m), 1)
  })

  it('counts 404s on unknown routes and 405s on predict by route', async () => {
    const nowhere = await send({ method: 'GET', path: '/v2/anything?x=%' })
    assert.equal(nowhere.status, 404)
    assert.equal(errorOf(nowhere).code, 'not_found')
    const wrongMethod = await send({ method: 'DELETE', path: '/v1/models/toy/predict' })
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.allow, 'POST')
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="none",status="404",code="not_found"\}/m), 1)
    assert.equal(await metric(/^strata_serving_http_errors_total\{route="predict",status="405",code="method_not_allowed"\}/m), 1)
  })

  it('logs and counts an error raised outside any request, and keeps serving', async () => {
    server.fault('uncaughtException', new Error('a timer failed'))
    server.fault('unhandledRejection', null)
    assert.ok(logs.some((l) => l.startsWith('internal error outside any request (uncaughtException), still serving: Error: a timer failed')), logs.join('\n'))
    assert.ok(logs.some((l) => l === 'internal error outside any request (unhandledRejection), still serving: threw null'), logs.join('\n'))
    assert.equal(await metric(/^strata_serving_uncaught_errors_total\{origin="uncaughtException"\}/m), 1)
    await stillServing()
  })
})

describe('while the models load', () => {
  it('the port is bound first: requests get 503 starting until the models are loaded', async () => {
    const toy = await toyProject()
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as { port: number }).port
    await new Promise((r) => probe.close(r))
    let release!: () => void
    ;(globalThis as { toyLoadGate?: Promise<void> }).toyLoadGate = new Promise<void>((r) => (release = r))
    const starting = startServer({ defs: toy.ws.defs, home: toy.ws.home, storage: toy.ws.storage, port })
    try {
      const early = await rawRequest(port, { method: 'GET', path: '/healthz' })
      assert.equal(early.status, 503)
      assert.equal(early.headers['retry-after'], '1')
      assert.deepEqual(errorOf(early), { code: 'starting', message: 'The server is still loading its models: retry in a moment.' })
      assert.equal((await rawRequest(port, validPredict())).status, 503)
      release()
      const server = await starting
      assert.equal((await rawRequest(port, validPredict())).status, 200)
      await server.close()
    } finally {
      release()
      delete (globalThis as { toyLoadGate?: Promise<void> }).toyLoadGate
      await starting.then((s) => s.close()).catch(() => {})
      await toy.cleanup()
    }
  })
})

describe('request timeouts', () => {
  it('a request whose body never arrives is answered 408 in the JSON error shape', async () => {
    const counted: string[] = []
    const server = createServer({ requestTimeout: 300, connectionsCheckingInterval: 50 }, (req, res) => {
      req.resume()
      req.on('end', () => res.end('the whole body arrived'))
    })
    answerOutsideRoutes(server, (status, code) => counted.push(`${status} ${code}`))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const port = (server.address() as { port: number }).port
      const res = await rawExchange(port, 'POST /v1/models/toy/predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"inst', { timeoutMs: 5000 })
      assert.equal(res.status, 408)
      assert.equal(errorOf(res).code, 'request_timeout')
      assert.deepEqual(counted, ['408 request_timeout'])
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})
