/**
 * Binding the serving socket. The reasons a bind fails are environment
 * problems the operator fixes with a flag (another server on the port, a host
 * name that does not resolve, an address of another machine), so each becomes
 * a coded StrataError naming the port or host, not an errno stack.
 */
import type { Server } from 'node:http'
import { StrataError } from '../../assets/errors.js'

const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA'])

export function listenError(err: NodeJS.ErrnoException, host: string, port: number): StrataError {
  const details = { host, port, errno: err.code }
  const hostHint = 'pass --host an address of this machine, e.g. 127.0.0.1 (loopback only) or 0.0.0.0 (all interfaces).'
  if (err.code === 'EADDRINUSE') {
    return new StrataError('STRATA_PORT_IN_USE', `port ${port} on ${host} is already in use: stop the other server or pass another --port (0 picks a free one).`, details)
  }
  if (err.code && UNRESOLVED.has(err.code)) return new StrataError('STRATA_HOST_UNAVAILABLE', `host "${host}" cannot be resolved (${err.code}): ${hostHint}`, details)
  if (err.code === 'EADDRNOTAVAIL') return new StrataError('STRATA_HOST_UNAVAILABLE', `address ${host} is not an address of this machine (EADDRNOTAVAIL): ${hostHint}`, details)
  if (err.code === 'EACCES') {
    return new StrataError('STRATA_LISTEN_FAILED', `no permission to listen on port ${port} on ${host} (EACCES): ports below 1024 need privileges; pass --port 1024 or above.`, details)
  }
  return new StrataError('STRATA_LISTEN_FAILED', `cannot listen on ${host} port ${port} (${err.code ?? 'error'}): ${err.message}`, details)
}

/** Listens on `host:port`; rejects with `listenError`. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port))
    server.once('error', fail)
    server.listen(port, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
}
