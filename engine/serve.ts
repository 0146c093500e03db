/**
 * Online serving as `strata-engine/engine` offers it. The server and its
 * model set (node:http among them) load on the first `startServer` call, so
 * that importing the engine, as every command and script does, never pays
 * for them.
 */
import type { ServeOptions, ServingServer } from './serving/server.js'

export type { ServeOptions, ServingServer, ShadowRecord, PredictionRecord, LoadedInfo, ServingRole } from './serving/server.js'
export { SHADOW_LOG, PREDICTIONS_LOG } from './serving/log-reader.js'

/**
 * Starts serving the definitions' served models over HTTP (what `strata
 * serve` runs): `POST /v1/models/NAME/predict`, `GET /v1/models`, `GET
 * /healthz` and `GET /metrics`. Resolves once the port is bound and every
 * served model's production version is loaded; newer versions promoted later
 * are swapped in as the registry is polled. Throws STRATA_NOT_SERVABLE when
 * there is nothing to serve or a served model cannot be loaded (no production
 * version, features never materialized), STRATA_PORT_IN_USE,
 * STRATA_HOST_UNAVAILABLE or STRATA_LISTEN_FAILED when the address cannot be
 * bound, STRATA_USAGE for a canary share outside 0–100.
 */
export async function startServer(opts: ServeOptions): Promise<ServingServer> {
  const server = await import('./serving/server.js')
  return server.startServer(opts)
}
