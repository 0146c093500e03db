/**
 * HTTP/1.1 over a bare node:net socket, for tests that must send exactly the
 * bytes they mean (malformed percent-encoding, odd methods and headers,
 * garbage): fetch and http.request normalize or refuse such requests. One
 * request per connection; interim 1xx responses are skipped.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  /** Lower-cased names; the last value of a repeated header. */
  headers: Record<string, string>
  body: string
  /** Statuses of interim responses (100 Continue) received before the final one. */
  interim: number[]
}

export interface RawRequest {
  method: string
  path: string
  headers?: Array<[string, string]>
  body?: string | Uint8Array
  /** Frame the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean
}

/** The bytes of a request: Host and Connection: close first, then `headers`, then the framed body. */
export function requestBytes(port: number, r: RawRequest): Buffer {
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(r.body ?? new Uint8Array())
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close', ...(r.headers ?? []).map(([k, v]) => `${k}: ${v}`)]
  if (r.chunked) {
    lines.push('transfer-encoding: chunked')
    const framed = body.length ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.from('0\r\n\r\n')
    return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), framed])
  }
  if (body.length || r.method === 'POST' || r.method === 'PUT') lines.push(`content-length: ${body.length}`)
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body])
}

/**
 * Sends `bytes` to 127.0.0.1:`port` and reads one final response. Rejects if
 * the server closes the connection without a complete response, or after
 * `timeoutMs`. `head`: the response to a HEAD request has no body.
 */
export function rawExchange(port: number, bytes: Buffer | string, opts: { timeoutMs?: number; head?: boolean } = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 5000
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let buf = Buffer.alloc(0)
    const interim: number[] = []
    let settled = false
    const finish = (err: Error | null, res?: RawResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve(res!)
    }
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms; received ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`)), timeoutMs)
    /** A complete final response at the start of `buf`, if there is one. */
    const parse = (closed: boolean): RawResponse | undefined => {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return undefined
        const [statusLine = '', ...headerLines] = buf.subarray(0, end).toString('latin1').split('\r\n')
        const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine)
        if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`)
        const status = Number(m[1])
        const headers: Record<string, string> = {}
        for (const line of headerLines) {
          const colon = line.indexOf(':')
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
        }
        const rest = buf.subarray(end + 4)
        if (status >= 100 && status < 200) {
          interim.push(status)
          buf = rest
          continue
        }
        if (opts.head || status === 204 || status === 304) return { status, headers, body: '', interim }
        if (headers['content-length'] !== undefined) {
          const length = Number(headers['content-length'])
          return rest.length >= length ? { status, headers, body: rest.subarray(0, length).toString('utf8'), interim } : undefined
        }
        if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
          const body = dechunk(rest)
          return body === undefined ? undefined : { status, headers, body, interim }
        }
        return closed ? { status, headers, body: rest.toString('utf8'), interim } : undefined
      }
    }
    const check = (closed: boolean) => {
      try {
        const res = parse(closed)
        if (res) finish(null, res)
        else if (closed) finish(new Error(`connection closed without a complete response; received ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`))
      } catch (err) {
        finish(err as Error)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      check(false)
    })
    // The server may answer and close before reading all we sent (a reset then): what arrived still counts.
    socket.on('error', () => check(true))
    socket.on('close', () => check(true))
    socket.on('connect', () => socket.write(bytes))
  })
}

function dechunk(data: Buffer): string | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = data.indexOf('\r\n', at)
    if (eol < 0) return undefined
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16)
    if (!(size >= 0)) throw new Error('malformed chunked response')
    if (size === 0) return Buffer.concat(parts).toString('utf8')
    if (data.length < eol + 2 + size + 2) return undefined
    parts.push(data.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** One request, framed by `requestBytes`. */
export const rawRequest = (port: number, r: RawRequest, timeoutMs?: number): Promise<RawResponse> =>
  rawExchange(port, requestBytes(port, r), { timeoutMs, head: r.method === 'HEAD' })

/** The `{"error": {"code", "message"}}` body of an error response; throws if the body is not that shape. */
export function errorOf(res: RawResponse): { code: string; message: string } {
  if (!/^application\/json/.test(res.headers['content-type'] ?? '')) throw new Error(`${res.status} without a JSON content-type: ${JSON.stringify(res.headers)} ${res.body.slice(0, 200)}`)
  const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } }
  const { code, message } = body.error ?? {}
  if (typeof code !== 'string' || !code || typeof message !== 'string' || !message) throw new Error(`${res.status}: not the error shape: ${res.body.slice(0, 300)}`)
  return { code, message }
}
