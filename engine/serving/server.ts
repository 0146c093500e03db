/**
 * Online serving of registered models (`strata serve`): an HTTP server
 * (node:http) over the served models declared in
 * `defineDefinitions({ serving })` (see assets/serving.ts).
 *
 *   POST /v1/models/:name/predict   {"instances": [...]} → {"model": {name, version, stage}, "predictions": [...]}
 *   GET  /v1/models                 what is loaded: name, version, stage, role, loadedAt
 *   GET  /healthz                   {"status": "ok"}
 *   GET  /metrics                   Prometheus text format
 *
 * Every prediction carries `warnings` (see warnings.ts): what the served
 * model says its features lacked for that instance, counted in /metrics.
 *
 * Errors are `{"error": {"code", "message"}}` with 400 (invalid_json,
 * invalid_request, invalid_instance, invalid_path), 404 (unknown_model,
 * not_found), 405, 413, 415 (unsupported_media_type: predict bodies must be
 * `application/json`), 422 (features_unavailable, only with
 * `strictFeatures`), 500 (prediction_failed, internal), 503
 * (model_unavailable). No request can end the process: whatever a handler
 * throws becomes a 500 `internal` (logged, counted in /metrics), and the
 * parser's rejections get the same JSON shape (see http.ts).
 *
 * Versions (models.ts): the port is bound first, then the `production`
 * version of every served model is loaded (STRATA_NOT_SERVABLE if one has
 * none; requests meanwhile get 503 `starting`). The registry and the features
 * assets are polled every `pollMs` (and on `refresh()`, which the CLI calls on
 * SIGHUP): when the version in a stage or the features' data version changes,
 * the new one is loaded and swapped in; the old one is unloaded once its
 * in-flight requests finish. A failed load keeps the previous version serving.
 *
 * Shadow (`shadow: 'staging'`): every request answered by production is also
 * scored by the shadow stage's version after the response is sent; both
 * answers and their divergence are appended to `<home>/serving/shadow.jsonl`
 * (one JSON object per request; see `ShadowRecord`).
 *
 * Canary (`canary: { stage: 'staging', percent: 5 }`): a request goes to the
 * canary version when a hash of its key falls in the first `percent` of 100
 * buckets; the key is the `X-Request-Id` header, else the request's instances
 * (canonical JSON). The same key always gets the same version. With a canary,
 * every answered request (canary-routed or production) is appended to
 * `<home>/serving/predictions.jsonl` with the version that answered (one JSON
 * object per request; see `PredictionRecord`), so the two versions can be
 * compared on their realized outcomes.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { StrataError } from '../../assets/errors.js'
import type { ModelStage } from '../../assets/registry.js'
import { InvalidInstanceError, type Prediction } from '../../assets/serving.js'
import type { Definitions } from '../../assets/types.js'
import type { Storage } from '../storage/types.js'
import { answerOutsideRoutes, decodeSegment, errorJson, errorMessage, HttpError, readBody, requireJsonBody, sendJson as send } from './http.js'
import { listen } from './listen.js'
import { createModelSet, type LoadedInfo, type ServingRole } from './models.js'
import { PREDICTIONS_LOG, SHADOW_LOG } from './log-reader.js'
import type { ObjectStore } from '../io/object-stores/types.js'
import { ServingMetrics } from './metrics.js'

/** What `startServer` serves and how: the definitions' served models, read from this home's storage and objects. */
export interface ServeOptions {
  defs: Definitions
  home: string
  storage: Storage
  /** Where model artifacts and features are loaded from: an open object store or its spec. @defaultValue the home's own objects */
  objects?: ObjectStore | string
  /** @defaultValue 0 (an ephemeral port) */
  port?: number
  /** @defaultValue '127.0.0.1' */
  host?: string
  /** Also score every request with this stage's version; record both. */
  shadow?: ModelStage
  /** Route about `percent`% of requests (deterministically by key) to this stage's version. */
  canary?: { stage: ModelStage; percent: number }
  /**
   * Refuse (422 `features_unavailable`) a request with an instance whose
   * features the store does not hold (a served model's warning marked
   * `unavailable`), instead of scoring it with a warning. @defaultValue false
   */
  strictFeatures?: boolean
  /** Registry poll interval. @defaultValue 1000 */
  pollMs?: number
  /** Most instances per request. @defaultValue 10000 */
  maxInstances?: number
  /** Most request body bytes. @defaultValue 8 MiB */
  maxBodyBytes?: number
  /** Operational lines (loads, swaps, load failures). */
  log?: (line: string) => void
}

export type { LoadedInfo, ServingRole } from './models.js'

/** A line of `<home>/serving/shadow.jsonl`. */
export interface ShadowRecord {
  at: string
  model: string
  requestId: string
  instances: unknown[]
  production: { version: number; predictions: Prediction[] }
  shadow: { version: number; stage: ModelStage; predictions?: Prediction[]; error?: string }
  /** Absolute probability differences and label disagreements (absent when the shadow failed). */
  divergence?: { maxAbs: number; meanAbs: number; labelDisagreements: number; instances: number }
}

/** A line of `<home>/serving/predictions.jsonl` (written when a canary is configured). */
export interface PredictionRecord {
  at: string
  model: string
  requestId: string
  /** Who answered: the canary version or production. */
  role: 'production' | 'canary'
  version: number
  stage: ModelStage
  /** The versions loaded in each role when the request was answered (canary null when none was loaded). */
  versions: { production: number | null; canary: number | null }
  instances: unknown[]
  predictions: Prediction[]
}

/** A running model server (`startServer`). */
export interface ServingServer {
  /** `http://HOST:PORT`, with the port actually bound. */
  readonly url: string
  /** The port actually bound (the ephemeral one chosen when `port` was 0). */
  readonly port: number
  /** Re-reads the registry now and swaps versions that changed (what SIGHUP does). */
  refresh(): Promise<void>
  /** The model versions loaded now, one per served model and role. */
  loaded(): LoadedInfo[]
  /** Resolves when pending shadow and prediction records are written. */
  flush(): Promise<void>
  /**
   * Logs and counts an error raised outside any request (the CLI routes the
   * process's uncaught exceptions and unhandled rejections here); serving goes on.
   */
  fault(origin: string, err: unknown): void
  /** Stops the server (open connections are dropped), waits for a registry refresh in progress and for pending records, then unloads the models. */
  close(): Promise<void>
}

export { SHADOW_LOG, PREDICTIONS_LOG }

/** Canary bucket of a key, in [0, 100). */
export function canaryBucket(model: string, key: string): number {
  const h = createHash('sha256').update(model).update('\0').update(key).digest()
  return (h.readUInt32BE(0) / 2 ** 32) * 100
}

/** Starts serving (see the top of this file); engine/serve.ts is its public, lazily loading face. */
export async function startServer(opts: ServeOptions): Promise<ServingServer> {
  const { defs, home, storage } = opts
  const log = opts.log ?? (() => {})
  const pollMs = opts.pollMs ?? 1000
  const maxInstances = opts.maxInstances ?? 10_000
  const maxBodyBytes = opts.maxBodyBytes ?? 8 * 1024 * 1024
  const metrics = new ServingMetrics()
  const entries = Object.entries(defs.serving ?? {})
  if (entries.length === 0) {
    throw new StrataError('STRATA_NOT_SERVABLE', 'Nothing to serve: the definitions declare no served models. Add defineDefinitions({ serving: { NAME: servedModel({ load, parseInstance, predict }) } }).')
  }
  if (opts.canary && !(opts.canary.percent >= 0 && opts.canary.percent <= 100)) throw new StrataError('STRATA_USAGE', `Canary share must be between 0 and 100 (got ${opts.canary.percent}).`)
  const roles: Array<[ServingRole, ModelStage]> = [['production', 'production']]
  if (opts.shadow) roles.push(['shadow', opts.shadow])
  if (opts.canary) roles.push(['canary', opts.canary.stage])
  const models = createModelSet({ defs, objects: opts.objects ?? home, storage, roles, metrics, log })
  const { served } = models

  // ------------------------------------------------------------ shadow log
  let shadowWrites: Promise<void> = Promise.resolve()
  const pendingShadow = new Set<Promise<void>>()
  const shadowPath = join(home, SHADOW_LOG)
  const predictionsPath = join(home, PREDICTIONS_LOG)
  if (opts.shadow || opts.canary) mkdirSync(join(home, 'serving'), { recursive: true })
  const record = (r: ShadowRecord) => {
    shadowWrites = shadowWrites.then(() => appendFile(shadowPath, JSON.stringify(r) + '\n')).catch((err) => log(`shadow log: ${errorMessage(err)}`))
  }
  const recordPrediction = (r: PredictionRecord) => {
    shadowWrites = shadowWrites.then(() => appendFile(predictionsPath, JSON.stringify(r) + '\n')).catch((err) => log(`predictions log: ${errorMessage(err)}`))
  }

  // ------------------------------------------------------------ requests
  async function predict(req: IncomingMessage, res: ServerResponse, name: string, t0: bigint): Promise<void> {
    const s = served.get(name)
    if (!s) throw new HttpError(404, 'unknown_model', `No served model "${name}". Served: ${[...served.keys()].join(', ')}.`)
    requireJsonBody(req)
    const text = await readBody(req, maxBodyBytes)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `The request body is not valid JSON: ${errorMessage(err)}`)
    }
    const raw = (body as { instances?: unknown } | null)?.instances
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(raw)) {
      throw new HttpError(400, 'invalid_request', 'The request body must be {"instances": [ ... ]}.')
    }
    if (raw.length === 0) throw new HttpError(400, 'invalid_request', '"instances" is empty: send at least one instance.')
    if (raw.length > maxInstances) throw new HttpError(400, 'invalid_request', `${raw.length} instances: at most ${maxInstances} per request.`)
    const instances = new Array<unknown>(raw.length)
    const problems: Array<{ index: number; field: string | null; message: string }> = []
    for (let i = 0; i < raw.length; i++) {
      try {
        instances[i] = s.spec.parseInstance(raw[i])
      } catch (err) {
        const field = err instanceof InvalidInstanceError ? err.field : null
        problems.push({ index: i, field, message: errorMessage(err) })
        if (problems.length >= 20) break
      }
    }
    if (problems.length) {
      const p = problems[0]!
      const where = `instances[${p.index}]${p.field ? `.${p.field}` : ''}`
      throw new HttpError(400, 'invalid_instance', `${where}: ${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`, problems)
    }
    const header = req.headers['x-request-id']
    const requestId = typeof header === 'string' && header ? header : undefined
    let role: ServingRole = 'production'
    if (opts.canary && s.slots.has('canary')) {
      const key = requestId ?? JSON.stringify(raw)
      if (canaryBucket(name, key) < opts.canary.percent) role = 'canary'
    }
    const slot = s.slots.get(role)
    if (!slot) throw new HttpError(503, 'model_unavailable', `Model "${name}" has no production version loaded. Promote one: strata models promote ${name} VERSION production.`)
    let predictions: Prediction[]
    try {
      const scored = await models.score(s, slot, instances, opts.strictFeatures === true)
      predictions = scored.predictions
      for (const list of scored.warnings) for (const w of list) metrics.warnings.inc({ model: name, kind: w.kind })
    } catch (err) {
      if (err instanceof HttpError) throw err
      throw new HttpError(500, 'prediction_failed', `${name} v${slot.model.version}: ${errorMessage(err)}`)
    }
    const version = slot.model.version
    const stage = slot.model.stage
    send(res, 200, { model: { name, version, stage }, predictions }, { 'x-model-version': String(version), ...(requestId ? { 'x-request-id': requestId } : {}) })
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    metrics.requests.inc({ model: name, version, stage, code: 200 })
    metrics.instances.inc({ model: name, version }, instances.length)
    metrics.latency.observe({ model: name, version }, seconds)
    if (opts.canary) {
      recordPrediction({
        at: new Date().toISOString(),
        model: name,
        requestId: requestId ?? randomUUID(),
        role: role === 'canary' ? 'canary' : 'production',
        version,
        stage,
        versions: { production: s.slots.get('production')?.model.version ?? null, canary: s.slots.get('canary')?.model.version ?? null },
        instances: raw,
        predictions,
      })
    }
    const shadow = role === 'production' ? s.slots.get('shadow') : undefined
    if (shadow) {
      const done = new Promise<void>((r) => setImmediate(r)).then(async () => {
        const rec: ShadowRecord = {
          at: new Date().toISOString(),
          model: name,
          requestId: requestId ?? randomUUID(),
          instances: raw,
          production: { version, predictions },
          shadow: { version: shadow.model.version, stage: shadow.model.stage },
        }
        try {
          const { predictions: other } = await models.score(s, shadow, instances)
          rec.shadow.predictions = other
          let maxAbs = 0
          let sum = 0
          let disagree = 0
          for (let i = 0; i < other.length; i++) {
            const d = Math.abs(other[i]!.probability - predictions[i]!.probability)
            maxAbs = Math.max(maxAbs, d)
            sum += d
            if (other[i]!.label !== predictions[i]!.label) disagree++
          }
          rec.divergence = { maxAbs, meanAbs: sum / other.length, labelDisagreements: disagree, instances: other.length }
          metrics.shadowDisagreements.inc({ model: name, production: version, shadow: shadow.model.version }, disagree)
        } catch (err) {
          rec.shadow.error = errorMessage(err)
        }
        metrics.shadow.inc({ model: name, production: version, shadow: shadow.model.version })
        record(rec)
      }).catch((err) => log(`${name}: shadow scoring failed: ${errorMessage(err)}`))
      pendingShadow.add(done)
      void done.finally(() => pendingShadow.delete(done))
    }
  }

  type Route = 'predict' | 'models' | 'healthz' | 'metrics' | 'none'
  const PREDICT = /^\/v1\/models\/([^/]+)\/predict\/?$/

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint()
    const url = (req.url ?? '/').split('?')[0]!
    const m = PREDICT.exec(url)
    const route: Route = m ? 'predict' : url === '/v1/models' || url === '/v1/models/' ? 'models' : url === '/healthz' ? 'healthz' : url === '/metrics' ? 'metrics' : 'none'
    let modelName: string | undefined
    try {
      if (!models.started) throw new HttpError(503, 'starting', 'The server is still loading its models: retry in a moment.', undefined, { 'retry-after': '1' })
      if (m) {
        modelName = decodeSegment(m[1]!, url)
        if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', `Use POST ${url}.`, undefined, { allow: 'POST' })
        await predict(req, res, modelName, t0)
      } else if (route === 'models') {
        send(res, 200, { models: models.loaded() })
      } else if (route === 'healthz') {
        const missing = [...served.values()].filter((s) => !s.slots.has('production')).map((s) => s.name)
        send(res, missing.length ? 503 : 200, { status: missing.length ? 'degraded' : 'ok', models: served.size, ...(missing.length ? { unavailable: missing } : {}) })
      } else if (route === 'metrics') {
        const text = metrics.render()
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) })
        res.end(text)
      } else {
        throw new HttpError(404, 'not_found', `No route ${req.method} ${url}. Try POST /v1/models/NAME/predict, GET /v1/models, /healthz, /metrics.`)
      }
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', `Internal error while handling ${req.method} ${url} (logged; the server keeps serving): ${errorMessage(err)}`)
      if (!(err instanceof HttpError)) log(`internal error on ${req.method} ${url}: ${err instanceof Error ? err.stack : errorMessage(err)}`)
      if (!res.headersSent) send(res, e.status, errorJson(e), e.headers)
      else res.end()
      metrics.httpErrors.inc({ route, status: e.status, code: e.code })
      if (m) {
        // Names come from the URL: unknown ones share one label value, so a client cannot grow the metrics.
        const model = modelName !== undefined && served.has(modelName) ? modelName : '(unknown)'
        metrics.requests.inc({ model, version: '', stage: '', code: e.status })
        metrics.errors.inc({ model, code: e.code })
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // Only reachable if answering the error failed itself: drop this response, keep the server.
      metrics.httpErrors.inc({ route: 'none', status: 500, code: 'internal' })
      log(`internal error answering ${req.method} ${req.url}: ${err instanceof Error ? err.stack : errorMessage(err)}`)
      res.destroy()
    })
  })
  answerOutsideRoutes(server, (status, code) => metrics.httpErrors.inc({ route: 'none', status, code }))
  const fault = (origin: string, err: unknown) => {
    metrics.uncaught.inc({ origin })
    log(`internal error outside any request (${origin}), still serving: ${err instanceof Error ? err.stack : errorMessage(err)}`)
  }
  server.keepAliveTimeout = 30_000

  // Bind before loading: a taken port or a bad host fails at once, not after loading every model.
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1')
  // After the bind, a server error (e.g. accept failing with EMFILE under a connection flood) is not fatal.
  server.on('error', (err) => fault('server', err))
  try {
    await models.start()
  } catch (err) {
    await new Promise((resolve) => {
      server.close(resolve)
      server.closeAllConnections()
    })
    models.retireAll()
    throw err
  }
  const timer = setInterval(() => void models.refresh().catch(() => {}), pollMs)
  timer.unref()
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    refresh: models.refresh,
    loaded: models.loaded,
    fault,
    flush: async () => {
      await Promise.all(pendingShadow)
      await shadowWrites
    },
    close: async () => {
      clearInterval(timer)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await models.settled()
      await Promise.all(pendingShadow)
      await shadowWrites
      models.retireAll()
    },
  }
}
