/**
 * The HTTP edge of `strata serve`: the JSON error shape, path decoding, the
 * content-type policy for prediction bodies, bounded body reading, and the
 * node:http server events that would otherwise answer without a JSON body or
 * drop the connection (client errors, CONNECT, unknown `Expect` values).
 *
 * Nothing here throws past its caller: a malformed request becomes an
 * `HttpError`, and the server turns every `HttpError` into
 * `{"error": {"code", "message"}}` with its status.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** A readable message for anything thrown (`throw null`, a string, an object without `message`). */
export function errorMessage(err: unknown): string {
  try {
    if (err instanceof Error) return err.message || err.name
    if (typeof err === 'string') return err
    return `threw ${typeof err === 'object' && err !== null ? Object.prototype.toString.call(err) : String(err)}`
  } catch {
    return 'threw a value that cannot be described'
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

export const errorJson = (e: HttpError) => ({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } })

/** A percent-encoded path segment, decoded; malformed encoding is a 400, not an exception. */
export function decodeSegment(raw: string, path: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'invalid_path', `The path ${JSON.stringify(path)} has malformed percent-encoding in "${raw}" (each %XX must be a hex byte, together valid UTF-8): encode the model name with encodeURIComponent.`)
  }
}

const JSON_SUBTYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json)$/

/**
 * Prediction bodies must say they are JSON. Beyond clarity, this keeps a web
 * page from posting to a local server with a plain form: a browser only sends
 * `application/json` cross-origin after a CORS preflight, which this server
 * never approves.
 */
export function requireJsonBody(req: IncomingMessage): void {
  const header = req.headers['content-type']
  const fix = 'send the header Content-Type: application/json'
  if (header === undefined || header.trim() === '') throw new HttpError(415, 'unsupported_media_type', `A prediction body must be JSON: ${fix} (no Content-Type was sent).`)
  const [type = '', ...params] = header.split(';')
  if (!JSON_SUBTYPE.test(type.trim().toLowerCase())) {
    throw new HttpError(415, 'unsupported_media_type', `A prediction body must be JSON: ${fix} (got ${JSON.stringify(header.slice(0, 200))}).`)
  }
  for (const param of params) {
    const eq = param.indexOf('=')
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase()
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new HttpError(415, 'unsupported_media_type', `A prediction body must be UTF-8 JSON (got charset ${JSON.stringify(charset.slice(0, 100))}): send Content-Type: application/json; charset=utf-8.`)
    }
  }
}

/** The body as UTF-8 text, at most `maxBytes` (413 beyond). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, 'payload_too_large', `The request body is over ${maxBytes} bytes.`)
  const declared = Number(req.headers['content-length'])
  if (declared > maxBytes) {
    req.resume()
    return Promise.reject(tooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= maxBytes) chunks.push(c)
      else {
        // Keep draining (so the 413 can be sent on this connection) but stop buffering.
        chunks.length = 0
        reject(tooLarge())
      }
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', (err) => reject(new HttpError(400, 'aborted', `The request body could not be read: ${errorMessage(err)}`)))
    // A client that hangs up mid-body emits neither 'end' nor always 'error'.
    req.on('close', () => {
      if (!req.complete) reject(new HttpError(400, 'aborted', 'The client closed the connection before the body was complete.'))
    })
  })
}

/** The status and code the server answers a request the HTTP parser rejected. */
export function clientErrorResponse(err: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'The request was not received in time.' }
    default:
      return { status: 400, code: 'bad_request', message: `Malformed HTTP request (${err.code ?? 'parse error'}).` }
  }
}

/** Writes a complete JSON error response straight to a socket, then closes it. */
function answerSocket(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } })
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'content-type: application/json; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`, 'connection: close']
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy())
}

/**
 * Answers, with the JSON error shape, what node:http would otherwise answer
 * with an empty body (parse errors, unknown `Expect`) or not at all (CONNECT
 * closes the socket when nobody listens). `onError` counts each answer.
 */
export function answerOutsideRoutes(server: Server, onError: (status: number, code: string) => void): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already on the wire (the parser failed later in a keep-alive
    // stream) must not be followed by a second one.
    const current = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
      socket.destroy()
      return
    }
    const { status, code, message } = clientErrorResponse(err)
    onError(status, code)
    answerSocket(socket, status, code, message)
  })
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    onError(405, 'method_not_allowed')
    socket.on('error', () => {})
    answerSocket(socket, 405, 'method_not_allowed', `CONNECT is not supported: this server answers POST /v1/models/NAME/predict, GET /v1/models, /healthz, /metrics.`)
  })
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    onError(417, 'expectation_failed')
    sendJson(res, 417, { error: { code: 'expectation_failed', message: `Unsupported Expect header ${JSON.stringify(String(req.headers.expect).slice(0, 100))}: only 100-continue is supported.` } }, { connection: 'close' })
  })
}
