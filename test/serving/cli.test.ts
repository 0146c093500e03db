// `strata serve` through the real CLI: environment and usage problems are one
// coded line and exit 2 (port in use, unresolvable or foreign host, invalid
// --port), and a running server outlives malformed URLs and errors its models
// raise outside any request.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { expectExit, type CliResult } from '../integration/helpers.js'
import { errorOf, rawRequest } from './raw-http.js'
import { sigmoid, toyProject, validPredict, type ToyProject } from './toy-project.js'

/** Exactly one line on stderr, carrying `code`, and no stack. */
function oneCodedLine(r: CliResult, code: string): string {
  expectExit(r, 2)
  const lines = r.stderr.split('\n').filter((l) => l.trim())
  assert.equal(lines.length, 1, r.stderr)
  assert.ok(lines[0]!.endsWith(`[${code}]`), r.stderr)
  assert.doesNotMatch(r.stderr, /^\s+at /m)
  return lines[0]!
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const t0 = Date.now()
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('strata serve: usage and environment errors (exit 2, one coded line)', () => {
  let toy: ToyProject
  let blocker: Server
  let taken: number

  before(async () => {
    toy = await toyProject()
    blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    taken = (blocker.address() as { port: number }).port
  })
  after(async () => {
    await new Promise((r) => blocker?.close(r))
    await toy?.cleanup()
  })

  it('a port already in use', async () => {
    const line = oneCodedLine(await toy.p.run(['serve', '--port', String(taken)]), 'STRATA_PORT_IN_USE')
    assert.equal(line, `error port ${taken} on 127.0.0.1 is already in use: stop the other server or pass another --port (0 picks a free one). [STRATA_PORT_IN_USE]`)
  })

  it('a host that does not resolve, or is not an address of this machine', async () => {
    const [unresolved, foreign] = await Promise.all([toy.p.run(['serve', '--port', '0', '--host', 'no-such-host.invalid']), toy.p.run(['serve', '--port', '0', '--host', '192.0.2.1'])])
    assert.match(oneCodedLine(unresolved, 'STRATA_HOST_UNAVAILABLE'), /^error host "no-such-host\.invalid" cannot be resolved \(E[A-Z_]+\): pass --host an address of this machine/)
    assert.match(oneCodedLine(foreign, 'STRATA_HOST_UNAVAILABLE'), /^error address 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)/)
  })

  it('an invalid --port or an empty --host', async () => {
    const ports = ['65536', '--port=-1', 'abc', '', '1.5', '0x50', '1e3', ' 80']
    const results = await Promise.all(ports.map((p) => toy.p.run(['serve', ...(p.startsWith('--') ? [p] : ['--port', p])])))
    results.forEach((r, i) => {
      const line = oneCodedLine(r, 'STRATA_USAGE')
      if (!ports[i]!.startsWith('--')) assert.ok(line.includes(`--port must be a whole number from 0 to 65535 (got "${ports[i]}")`), line)
    })
    assert.match(oneCodedLine(await toy.p.run(['serve', '--host', '']), 'STRATA_USAGE'), /--host needs an address/)
  })
})

describe('strata serve keeps serving (the real CLI)', () => {
  let toy: ToyProject
  let started: ReturnType<ToyProject['p']['start']>
  let stderr = ''
  let port: number

  before(async () => {
    toy = await toyProject({ quirky: true })
    started = toy.p.start(['serve', '--port', '0', '--json'])
    let stdout = ''
    started.child.stdout!.on('data', (c) => (stdout += c))
    started.child.stderr!.on('data', (c) => (stderr += c))
    await until('the server to listen', () => stdout.includes('"url"'))
    port = Number(new URL(JSON.parse(stdout).url).port)
  })
  after(async () => {
    started?.child.kill('SIGKILL')
    await started?.result.catch(() => {})
    await toy?.cleanup()
  })

  const healthy = async () => {
    const health = await rawRequest(port, { method: 'GET', path: '/healthz' })
    assert.equal(health.status, 200)
    const ok = await rawRequest(port, validPredict(2))
    assert.equal(ok.status, 200, ok.body)
    assert.equal(JSON.parse(ok.body).predictions[0].probability, sigmoid(2))
  }

  it('answers a malformed percent-encoded path with 400 on GET and POST instead of exiting', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await rawRequest(port, { method, path: '/v1/models/%E0%A4%A/predict', headers: [['content-type', 'application/json']], body: method === 'POST' ? '{"instances": [{"x": 1}]}' : undefined })
      assert.equal(res.status, 400)
      assert.equal(errorOf(res).code, 'invalid_path')
    }
    assert.equal(started.child.exitCode, null, stderr)
    await healthy()
  })

  it('logs and counts an uncaught exception and an unhandled rejection raised by model code, and keeps serving', async () => {
    for (const x of [666, 667]) {
      const res = await rawRequest(port, { method: 'POST', path: '/v1/models/quirky/predict', headers: [['content-type', 'application/json']], body: JSON.stringify({ instances: [{ x }] }) })
      assert.equal(res.status, 200)
    }
    await until('both errors in the log', () => stderr.includes('late failure in a model callback') && stderr.includes('forgotten promise in a model'))
    assert.match(stderr, /internal error outside any request \(uncaughtException\), still serving: Error: late failure in a model callback/)
    assert.match(stderr, /internal error outside any request \(unhandledRejection\), still serving: Error: forgotten promise in a model/)
    const metrics = (await rawRequest(port, { method: 'GET', path: '/metrics' })).body
    assert.match(metrics, /^strata_serving_uncaught_errors_total\{origin="uncaughtException"\} 1$/m)
    assert.match(metrics, /^strata_serving_uncaught_errors_total\{origin="unhandledRejection"\} 1$/m)
    await healthy()
  })

  it('stops cleanly on SIGTERM afterwards', async () => {
    started.child.kill('SIGTERM')
    expectExit(await started.result, 0)
  })
})
