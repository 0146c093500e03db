import { StrataError } from '../../../assets/errors.js'
import { MODEL_STAGES, type ModelStage } from '../../../assets/registry.js'
import { checkStage, SHADOW_LOG, startServer } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, errColor, printJsonLine } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata serve — online predictions from the registry's production models

Usage: strata serve [--port N] [--host ADDR] [--shadow STAGE] [--canary STAGE:PCT] [--strict-features]

Serves every model declared in defineDefinitions({ serving: { NAME: servedModel(...) } }),
loading its production version (exit 2 if one has none: strata models promote NAME VERSION production).

  POST /v1/models/NAME/predict   {"instances": [...]} → {"model": {"name","version","stage"}, "predictions": [{"probability","label","warnings"}]}
  GET  /v1/models                loaded versions (name, version, stage, role, loadedAt)
  GET  /healthz                  liveness
  GET  /metrics                  Prometheus text: requests, errors, latency histogram per model version,
                                 prediction warnings by model and kind

Promotions and rollbacks are picked up within about a second (the registry is polled), or at once on SIGHUP.

Options:
      --port N            port (default 8080; 0 picks a free one)
      --host ADDR         address to listen on (default 127.0.0.1)
      --shadow STAGE      also score every request with STAGE's version (e.g. staging); answer with
                          production's; both answers and their divergence go to <home>/${SHADOW_LOG}
      --canary STAGE:PCT  answer about PCT% of requests with STAGE's version, chosen by a hash of the
                          X-Request-Id header (else of the instances): the same key, the same version
      --strict-features   refuse (422 features_unavailable) a request with an instance whose features
                          the online store does not hold (e.g. a date outside its window), instead of
                          scoring it with a warning in the prediction's "warnings"
      --poll-ms N         registry poll interval (default 1000)
${GLOBAL_HELP}

Predict bodies must be sent with Content-Type: application/json (415 otherwise).
With --json, prints one line {"url", "models": [...]} on stdout once listening (schemas/serve.schema.json); operational
lines (loads, swaps, errors) go to stderr. Exit 2 with one coded line if the port is in use
(STRATA_PORT_IN_USE) or the host is not an address of this machine (STRATA_HOST_UNAVAILABLE).`

const usage = (message: string) => new StrataError('STRATA_USAGE', `${message} See strata serve --help.`)

function parseCanary(text: string | undefined): { stage: ModelStage; percent: number } | undefined {
  if (text === undefined) return undefined
  const m = /^([a-z]+):(\d+(?:\.\d+)?)%?$/.exec(text)
  if (!m) throw usage(`--canary takes STAGE:PCT, e.g. staging:5 (got "${text}").`)
  const percent = Number(m[2])
  if (percent > 100) throw usage(`--canary share ${percent} is over 100.`)
  return { stage: stageArg('--canary', m[1]!), percent }
}

/** Digits only: Number() would also take "", " 80", "0x50" and "1e3". */
function portArg(text: string | undefined): number {
  if (text === undefined) return 8080
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN
  if (!(port <= 65535)) throw usage(`--port must be a whole number from 0 to 65535 (got "${text}"); 0 picks a free port.`)
  return port
}

function stageArg(flag: string, text: string): ModelStage {
  try {
    return checkStage(text as ModelStage)
  } catch {
    throw usage(`${flag}: "${text}" is not a stage (${MODEL_STAGES.join(', ')}).`)
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    shadow: { type: 'string' },
    canary: { type: 'string' },
    'poll-ms': { type: 'string' },
    'strict-features': { type: 'boolean' },
  })
  if (positionals.length) throw usage(`Unexpected argument "${positionals[0]}".`)
  const port = portArg(values.port)
  const host = values.host ?? '127.0.0.1'
  if (host.trim() === '') throw usage('--host needs an address, e.g. 127.0.0.1 (loopback only) or 0.0.0.0 (all interfaces).')
  const pollMs = values['poll-ms'] === undefined ? 1000 : Number(values['poll-ms'])
  if (!Number.isInteger(pollMs) || pollMs < 50) throw usage(`--poll-ms must be a whole number ≥ 50.`)
  const shadow = values.shadow === undefined ? undefined : stageArg('--shadow', values.shadow)
  const canary = parseCanary(values.canary)
  if (shadow === 'production' || canary?.stage === 'production') throw usage('--shadow and --canary name another stage than production (e.g. staging).')
  return withWorkspace(values, async (ws) => {
    // Operational lines go to stderr even with --json, which only shapes stdout: a fault must never go unseen.
    const log = (line: string) => console.error(`${errColor.dim(new Date().toISOString())} ${line}`)
    const strictFeatures = values['strict-features'] === true
    const server = await startServer({ defs: ws.defs, home: ws.home, storage: ws.storage, objects: ws.objects, port, host, shadow, canary, pollMs, strictFeatures, log })
    if (values.json) printJsonLine({ url: server.url, models: server.loaded() })
    else if (!values.quiet) {
      console.log(`Serving on ${color.bold(server.url)}`)
      for (const m of server.loaded()) console.log(`  ${m.name} v${m.version} (${m.stage})${m.role !== 'production' ? ` as ${m.role}${m.role === 'canary' ? ` for ${canary!.percent}%` : ''}` : ''}  POST ${server.url}/v1/models/${m.name}/predict`)
      if (shadow) console.log(color.dim(`  shadow log: ${ws.home}/${SHADOW_LOG}`))
      if (strictFeatures) console.log(color.dim('  --strict-features: instances whose features the store does not hold are refused (422)'))
      console.log(color.dim('  Ctrl-C to stop; SIGHUP re-reads the registry now.'))
    }
    const onHup = () => void server.refresh()
    // Every request's errors are answered inside the server; what still escapes
    // (a callback a model's code scheduled, a promise nobody awaited) is logged
    // and counted, and the server keeps serving (see the README, Serving).
    const onException = (err: unknown) => server.fault('uncaughtException', err)
    const onRejection = (err: unknown) => server.fault('unhandledRejection', err)
    process.on('SIGHUP', onHup)
    process.on('uncaughtException', onException)
    process.on('unhandledRejection', onRejection)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    process.off('SIGHUP', onHup)
    await server.close()
    process.off('uncaughtException', onException)
    process.off('unhandledRejection', onRejection)
    return 0
  })
}
