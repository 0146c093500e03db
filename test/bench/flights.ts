// Bench 'flights': the flights example (181 days, 3M rows) run twice:
//
//   plain   the same computation as a plain script, without the engine: every
//           asset's compute function and checks called directly in one thread,
//           values kept in memory (no workers, serialization, storage, lineage);
//   engine  `npm start` (examples/flights/run.ts) in a fresh home: cold, then warm.
//
// Prints the wall times, the engine's overhead ratio (cold npm start / plain;
// target ≤ 1.2×) and the stage breakdown of the plain run. Each side runs in
// its own process so both pay the same start-up.
//
//   npm run bench -- flights
//   node --import ./engine/loader/auto.mjs test/bench/flights.ts --plain   (the plain side alone, JSON)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const SELF = fileURLToPath(import.meta.url)
const LOADER = './engine/loader/auto.mjs'

interface PlainResult {
  wallMs: number
  stagesMs: Record<string, number>
  auc: number | null
  baselineAuc: number | null
  modelSha256: string
}

/** The whole pipeline without the engine: computes and checks in topological order, in memory. */
async function plainPipeline(): Promise<PlainResult> {
  const started = performance.now()
  const stagesMs: Record<string, number> = {}
  let t = performance.now()
  const lap = (stage: string) => {
    const now = performance.now()
    stagesMs[stage] = (stagesMs[stage] ?? 0) + (now - t)
    t = now
  }
  const { isOutput } = await import('strata-engine')
  // The contract validator is a library function: the same one the engine's check calls.
  const { loadContractFile, validateContract } = await import('strata-engine/engine')
  const defs = await import('../../examples/flights/definitions.js')
  lap('imports')

  type AnyAsset = { key: string; codeVersion: string; partitions?: { keys(): string[]; window(key: string): { start: Date; end: Date } }; checks: readonly { name: string; contract?: { kind: string; url?: string }; fn(ctx: never, value: unknown): unknown }[]; compute(ctx: unknown, inputs: Record<string, unknown>): unknown }
  const noop = () => {}
  const ctxFor = (a: AnyAsset, partitionKey?: string) => ({
    runId: 'plain',
    assetKey: a.key,
    attempt: 1,
    codeVersion: a.codeVersion,
    log: { debug: noop, info: noop, warn: noop, error: noop },
    resources: {},
    partitionKey,
    partitionWindow: partitionKey ? a.partitions!.window(partitionKey) : undefined,
    registry: { register: noop, promote: noop, get: async () => undefined, production: async () => undefined, list: async () => [], loadArtifact: async () => undefined },
  })
  const contracts = new Map<string, ReturnType<typeof loadContractFile>>()
  async function run(a: AnyAsset, inputs: Record<string, unknown>, partitionKey?: string): Promise<unknown> {
    const ctx = ctxFor(a, partitionKey)
    const result = await a.compute(ctx, inputs)
    const value = isOutput(result) ? result.value : result
    for (const check of a.checks) {
      let passed: boolean
      if (check.contract?.url) {
        let c = contracts.get(check.contract.url)
        if (!c) contracts.set(check.contract.url, (c = loadContractFile(check.contract.url)))
        passed = validateContract(c, value).passed
      } else {
        const r = (await check.fn({ ...ctx, checkName: check.name } as never, value)) as boolean | { passed: boolean }
        passed = typeof r === 'boolean' ? r : r.passed
      }
      if (!passed && (check as { blocking?: boolean }).blocking !== false) throw new Error(`${a.key}${partitionKey ? `[${partitionKey}]` : ''}: check ${check.name} failed`)
    }
    return value
  }

  const file = await run(defs.flightsFile as unknown as AnyAsset, {})
  lap('source/flights_file')
  const landed = await run(defs.landing as unknown as AnyAsset, { file })
  lap('landing/flights')
  const rawAsset = defs.rawFlights as unknown as AnyAsset
  const days = rawAsset.partitions!.keys()
  const raw = new Map<string, unknown>()
  for (const day of days) raw.set(day, await run(rawAsset, { landed }, day))
  lap('raw/flights (181 days + contract)')
  const featAsset = defs.features as unknown as AnyAsset
  const features = new Map<string, unknown>()
  for (let i = 0; i < days.length; i++) {
    const history = new Map(days.slice(Math.max(0, i - 7), i).map((k) => [k, raw.get(k)]))
    features.set(days[i]!, await run(featAsset, { today: raw.get(days[i]!), history }, days[i]))
  }
  lap('features/flights (181 days + checks)')
  const pick = (range: { from: string; to: string }) => new Map(days.filter((d) => d >= range.from && d <= range.to).map((d) => [d, features.get(d)]))
  const dataset = await run(defs.trainingDataset as unknown as AnyAsset, { features: pick(defs.config.training) })
  lap('training/dataset')
  const model = (await run(defs.trainedModel as unknown as AnyAsset, { dataset })) as { modelSha256: string }
  lap('training/model')
  const report = (await run(defs.evaluationReport as unknown as AnyAsset, { model, training: dataset, validation: pick(defs.config.validation) })) as { overall: { model: { auc: number | null }; baseline: { auc: number | null } } }
  lap('evaluation/report')
  await run(defs.modelPackage as unknown as AnyAsset, { model, report })
  lap('models/flight_delay')
  return { wallMs: performance.now() - started, stagesMs, auc: report.overall.model.auc, baselineAuc: report.overall.baseline.auc, modelSha256: model.modelSha256 }
}

function node(args: string[]): { ms: number; stdout: string } {
  const t = performance.now()
  const r = spawnSync(process.execPath, ['--import', LOADER, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  return { ms, stdout: r.stdout }
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)

export async function run(): Promise<void> {
  console.log('## Flights example (181 days, 3,000,000 flights)')
  const plain = node([SELF, '--plain'])
  const p = JSON.parse(plain.stdout) as PlainResult
  const home = mkdtempSync(join(tmpdir(), 'strata-bench-flights-'))
  const same = mkdtempSync(join(tmpdir(), 'strata-bench-flights-same-'))
  try {
    // The same computation as the plain script (source → model registration), through the engine's CLI.
    const engine = node(['ui-terminal/bin/strata.js', 'materialize', '*models/flight_delay', '--stale', '--json', '-f', 'examples/flights/definitions.ts', '--home', same])
    const cold = node(['examples/flights/run.ts', '--home', home, '--json'])
    const warm = node(['examples/flights/run.ts', '--home', home, '--json'])
    const summary = JSON.parse(cold.stdout) as { status: string; metrics: { model: { auc: number }; baseline: { auc: number } } }
    const warmSummary = JSON.parse(warm.stdout) as { runId: string | null }
    console.log(`plain script (no engine, 1 thread, in memory): ${fmt(plain.ms)} wall (compute ${fmt(p.wallMs)}); auc ${p.auc} vs baseline ${p.baselineAuc}`)
    for (const [stage, ms] of Object.entries(p.stagesMs)) console.log(`  ${stage.padEnd(38)} ${fmt(ms)}`)
    console.log(`npm start, cold (fresh home, pool of ${(await import('node:os')).availableParallelism()} workers): ${fmt(cold.ms)}  [target ≤ 3 min]; status ${summary.status}; auc ${summary.metrics.model.auc} vs baseline ${summary.metrics.baseline.auc}`)
    console.log(`npm start, warm (nothing changed): ${fmt(warm.ms)}${warmSummary.runId === null ? ', no run' : `, ran ${warmSummary.runId}`}  [target: seconds]`)
    console.log(`engine, same computation (strata materialize "*models/flight_delay", fresh home, pool): ${fmt(engine.ms)}`)
    console.log(`engine overhead ratio (same computation / plain script): ${(engine.ms / plain.ms).toFixed(2)}×  [target ≤ 1.2×]`)
    console.log(`(npm start also builds monitoring and the online feature store: ${(cold.ms / plain.ms).toFixed(2)}× the plain script)`)
  } finally {
    rmSync(home, { recursive: true, force: true })
    rmSync(same, { recursive: true, force: true })
  }
}

if (process.argv.includes('--plain')) {
  const result = await plainPipeline()
  process.stdout.write(JSON.stringify(result) + '\n')
}
