// Binding the serving socket: each way it fails is a coded StrataError that
// names the port or host and says which flag to change.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { describe, it } from 'node:test'
import { isStrataError } from '../../assets/errors.js'
import { listen, listenError } from '../../engine/serving/listen.js'

const errno = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('listen', () => {
  it('a taken port is STRATA_PORT_IN_USE with the port, host and errno in its details', async () => {
    const first = createServer()
    const second = createServer()
    await listen(first, 0, '127.0.0.1')
    const port = (first.address() as { port: number }).port
    try {
      const err = await listen(second, port, '127.0.0.1').then(() => assert.fail('the second bind succeeded'), (e: unknown) => e)
      assert.ok(isStrataError(err))
      assert.equal(err.code, 'STRATA_PORT_IN_USE')
      assert.deepEqual(err.details, { host: '127.0.0.1', port, errno: 'EADDRINUSE' })
      assert.equal(second.listening, false)
    } finally {
      await new Promise((r) => first.close(r))
    }
  })

  it('maps resolution failures, foreign addresses, privileged ports and anything else to coded errors', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']) {
      const err = listenError(errno(code), 'db.internal', 8080)
      assert.equal(err.code, 'STRATA_HOST_UNAVAILABLE')
      assert.equal(err.message, `host "db.internal" cannot be resolved (${code}): pass --host an address of this machine, e.g. 127.0.0.1 (loopback only) or 0.0.0.0 (all interfaces).`)
    }
    assert.equal(listenError(errno('EADDRNOTAVAIL'), '10.9.9.9', 8080).code, 'STRATA_HOST_UNAVAILABLE')
    const denied = listenError(errno('EACCES'), '0.0.0.0', 80)
    assert.equal(denied.code, 'STRATA_LISTEN_FAILED')
    assert.equal(denied.message, 'no permission to listen on port 80 on 0.0.0.0 (EACCES): ports below 1024 need privileges; pass --port 1024 or above.')
    const other = listenError(errno('EMFILE', 'too many open files'), '127.0.0.1', 9000)
    assert.equal(other.code, 'STRATA_LISTEN_FAILED')
    assert.equal(other.message, 'cannot listen on 127.0.0.1 port 9000 (EMFILE): too many open files')
  })
})
