import { StrataError } from '../../../assets/errors.js'
import { MODEL_STAGES, type ModelStage, type ModelVersion } from '../../../assets/registry.js'
import {
  checkStage,
  getModel,
  getModelHistory,
  lineageTree,
  listModels,
  modelMaterialization,
  openStorage,
  promoteModel,
  resolveCommandStorageUrl,
  resolveDefsPath,
  resolveHome,
  rollbackModel,
  type Storage,
} from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, formatAge, formatTime, printJson, table } from '../output.js'
import { partitionKeyJson } from '../json.js'
import { didYouMean } from '../suggest.js'
import { printLineage } from './lineage.js'

export const help = `strata models — the model registry

Usage:
  strata models list [NAME]                  versions (newest first) with stage, gate and metrics
  strata models show NAME VERSION            config, metrics, gate, lineage, code version, stage history
  strata models lineage NAME VERSION         the materialization that produced the version and, recursively,
                                             the upstream materializations it consumed (as strata lineage),
                                             even after newer versions were trained
  strata models promote NAME VERSION STAGE   move a version to ${MODEL_STAGES.join(' | ')}
                                             (production archives the current production version;
                                             staging and production need a gate that passed)
  strata models rollback NAME                restore the previous production version; archive the current one

Versions are registered by assets through ctx.registry.register(...) or with registerModel() from 'strata-engine/engine'.
The registry lives in the home's database: --home DIR, else $STRATA_HOME, else .strata/ beside the
definitions file (which is not loaded).

Options:
      --reason TEXT   recorded in the stage history (promote, rollback)
${GLOBAL_HELP}

Exit codes: 0 done, 1 a version registered without a materialization (no lineage), 2 bad usage, unknown model,
version or stage, a gate that did not pass, nothing to roll back.`

const usage = (message: string) => new StrataError('STRATA_USAGE', `${message} See strata models --help.`)

/** Opens only the storage (the definitions are loaded only to find their `storage` when neither --storage nor $STRATA_STORAGE_URL is given). */
async function withRegistry(values: { defs?: string; home?: string; storage?: string }, fn: (storage: Storage) => Promise<number>): Promise<number> {
  const explicitHome = Boolean(values.home || process.env.STRATA_HOME)
  // With --home (or $STRATA_HOME) and no -f, no definitions file is needed at all.
  const defsPath = explicitHome && !values.defs ? undefined : resolveDefsPath(values.defs)
  const home = explicitHome ? resolveHome('', values.home) : resolveHome(defsPath!)
  const url = await resolveCommandStorageUrl({ flag: values.storage, defsPath })
  const storage = await openStorage(home, { url })
  try {
    return await fn(storage)
  } finally {
    await storage.close()
  }
}

function versionArg(name: string, text: string | undefined): number {
  if (text === undefined) throw usage(`Give the version of ${name}, e.g. strata models show ${name} 3.`)
  const v = Number(text.replace(/^v/i, ''))
  if (!Number.isInteger(v) || v < 1) throw usage(`"${text}" is not a model version (a whole number ≥ 1).`)
  return v
}

const paintStage = (stage: ModelStage) =>
  stage === 'production' ? color.green(stage) : stage === 'staging' ? color.blue(stage) : stage === 'archived' ? color.grey(stage) : color.yellow(stage)

function metricsText(metrics: Record<string, unknown>, max = 4): string {
  const entries = Object.entries(metrics)
  const shown = entries.slice(0, max).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`)
  return shown.join(' ') + (entries.length > max ? ` …+${entries.length - max}` : '')
}

const brief = (m: ModelVersion) => ({ name: m.name, version: m.version, stage: m.stage })

/** The recorded lineage, with what the engine filled in as null where it does not apply (anything the asset gave is kept as it is). */
function lineageJson(l: ModelVersion['lineage']) {
  if (!Array.isArray(l.inputs)) return l
  return { ...l, inputs: l.inputs.map((i) => ({ ...i, partitionKey: partitionKeyJson(i.partitionKey), input: i.input ?? null })) }
}

function modelJson(m: ModelVersion) {
  return {
    name: m.name,
    version: m.version,
    stage: m.stage,
    metrics: m.metrics,
    config: m.config,
    gate: m.gate,
    lineage: lineageJson(m.lineage),
    codeVersion: m.codeVersion,
    artifact: m.artifact,
    description: m.description ?? null,
    createdAt: new Date(m.createdAt).toISOString(),
    stageChangedAt: new Date(m.stageChangedAt).toISOString(),
  }
}

async function list(storage: Storage, name: string | undefined, json: boolean): Promise<number> {
  const models = await listModels(storage, name)
  if (name !== undefined && models.length === 0) return unknown(storage, name)
  if (json) {
    printJson({
      models: models.map((m) => ({
        name: m.name,
        version: m.version,
        stage: m.stage,
        metrics: m.metrics,
        gatePassed: m.gate.passed,
        codeVersion: m.codeVersion,
        createdAt: new Date(m.createdAt).toISOString(),
      })),
    })
    return 0
  }
  if (models.length === 0) {
    console.log('No models registered yet. Assets register them with ctx.registry.register({ name, metrics, gate }).')
    return 0
  }
  const rows = [['MODEL', 'VERSION', 'STAGE', 'GATE', 'CREATED', 'METRICS'].map((h) => color.dim(h))]
  for (const m of models) {
    rows.push([m.name, String(m.version), paintStage(m.stage), m.gate.passed ? color.green('passed') : color.red('failed'), formatAge(m.createdAt), metricsText(m.metrics)])
  }
  console.log(table(rows))
  return 0
}

async function show(storage: Storage, name: string, version: number, json: boolean): Promise<number> {
  const m = await getModel(storage, name, version)
  if (!m) return unknown(storage, name, version)
  const history = await getModelHistory(storage, name, version)
  if (json) {
    printJson({ ...modelJson(m), history: history.map((h) => ({ from: h.from, to: h.to, kind: h.kind, reason: h.reason ?? null, at: new Date(h.at).toISOString() })) })
    return 0
  }
  console.log(`${color.bold(`${m.name} v${m.version}`)}  ${paintStage(m.stage)}${m.description ? `  ${m.description}` : ''}`)
  console.log(`  registered    ${formatTime(m.createdAt)}  code ${m.codeVersion}`)
  console.log(`  artifact      ${m.artifact}`)
  console.log(`  gate          ${m.gate.passed ? color.green('passed') : color.red('failed')}${m.gate.reasons.length ? '' : color.dim(' (no reasons given)')}`)
  for (const r of m.gate.reasons) console.log(`                  • ${r}`)
  const block = (title: string, value: Record<string, unknown>) => {
    const entries = Object.entries(value)
    console.log(`  ${title.padEnd(13)} ${entries.length ? '' : color.dim('(none)')}`)
    for (const [k, v] of entries) console.log(`    ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  }
  block('metrics', m.metrics)
  block('config', m.config)
  const { inputs, ...lineage } = m.lineage
  block('lineage', lineage)
  if (Array.isArray(inputs) && inputs.length) {
    console.log('    trained on:')
    for (const i of inputs) console.log(`      ${i.assetKey}${i.partitionKey ? `[${i.partitionKey}]` : ''}  data ${String(i.dataVersion).slice(0, 12)}  materialization ${i.materializationId}`)
  }
  console.log('  stage history')
  for (const h of history) {
    console.log(`    ${formatTime(h.at)}  ${h.from ?? '—'} → ${h.to}  ${color.dim(h.kind)}${h.reason ? `  ${h.reason}` : ''}`)
  }
  return 0
}

/** The version's own materialization and what it consumed, recursively; `--json` is `strata lineage --json` plus `model`. */
async function lineage(storage: Storage, name: string, version: number, json: boolean): Promise<number> {
  const m = await getModel(storage, name, version)
  if (!m) return unknown(storage, name, version)
  const tree = await lineageTree(storage, await modelMaterialization(storage, m))
  if (json) {
    printJson({ ...tree, model: { name: m.name, version: m.version } })
    return 0
  }
  const partitions = m.lineage.partitionKeys?.length ? ` [${m.lineage.partitionKeys.join(', ')}]` : ''
  console.log(`${color.bold(`${m.name} v${m.version}`)}  ${paintStage(m.stage)}  registered ${formatTime(m.createdAt)} by ${tree.key}${partitions} #${tree.materializationId}`)
  printLineage(tree)
  return 0
}

/** STRATA_UNKNOWN_MODEL for a name or version, listing what exists. */
async function unknown(storage: Storage, name: string, version?: number): Promise<never> {
  const versions = (await listModels(storage, name)).map((m) => m.version).sort((a, b) => a - b)
  if (versions.length) throw new StrataError('STRATA_UNKNOWN_MODEL', `Model "${name}" has no version ${version}; its versions are ${versions.join(', ')}.`, { name, version })
  const names = [...new Set((await listModels(storage)).map((m) => m.name))]
  throw new StrataError(
    'STRATA_UNKNOWN_MODEL',
    `No model named "${name}".${didYouMean(name, names)}${names.length ? ` Registered models: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}.` : ' No model is registered yet.'}`,
    { name },
  )
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('models', argv, { reason: { type: 'string' } })
  const [sub, ...args] = positionals
  const json = values.json === true
  switch (sub) {
    case 'list':
    case undefined: {
      if (args.length > 1) throw usage('strata models list takes at most one model name.')
      return withRegistry(values, (s) => list(s, args[0], json))
    }
    case 'show': {
      if (args.length !== 2) throw usage('strata models show takes a model name and a version, e.g. strata models show delay 3.')
      const version = versionArg(args[0]!, args[1])
      return withRegistry(values, (s) => show(s, args[0]!, version, json))
    }
    case 'lineage': {
      if (args.length !== 2) throw usage('strata models lineage takes a model name and a version, e.g. strata models lineage delay 3.')
      const version = versionArg(args[0]!, args[1])
      return withRegistry(values, (s) => lineage(s, args[0]!, version, json))
    }
    case 'promote': {
      if (args.length !== 3) throw usage(`strata models promote takes NAME VERSION STAGE, e.g. strata models promote delay 3 production (stages: ${MODEL_STAGES.join(', ')}).`)
      const [name, versionText, stageText] = args as [string, string, string]
      const version = versionArg(name, versionText)
      const stage = checkStage(stageText)
      return withRegistry(values, async (s) => {
        const r = await promoteModel(s, name, version, stage, { reason: values.reason })
        if (json) {
          printJson({ model: brief(r.model), replaced: r.replaced ? brief(r.replaced) : null, changed: r.changed })
          return 0
        }
        if (values.quiet) return 0
        if (!r.changed) console.log(`${name} v${version} is already in ${paintStage(stage)}; nothing changed.`)
        else console.log(`${name} v${version} → ${paintStage(stage)}${r.replaced ? color.dim(` (v${r.replaced.version} was in production; now archived)`) : ''}`)
        return 0
      })
    }
    case 'rollback': {
      if (args.length !== 1) throw usage('strata models rollback takes a model name, e.g. strata models rollback delay.')
      const name = args[0]!
      return withRegistry(values, async (s) => {
        const r = await rollbackModel(s, name, { reason: values.reason })
        if (json) {
          printJson({ name, production: brief(r.restored), archived: brief(r.archived) })
          return 0
        }
        if (values.quiet) return 0
        console.log(`Rolled back ${name}: v${r.restored.version} is in ${paintStage('production')} again (v${r.archived.version} archived).`)
        console.log(color.dim(`  metrics ${metricsText(r.restored.metrics) || '(none)'}; registered ${formatTime(r.restored.createdAt)}`))
        return 0
      })
    }
    default:
      throw usage(`Unknown subcommand "${sub}".${didYouMean(sub, ['list', 'show', 'lineage', 'promote', 'rollback'])} Use list, show, lineage, promote or rollback.`)
  }
}
