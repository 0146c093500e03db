import { StrataError } from '../../../assets/errors.js'
import { normalizeKey } from '../../../assets/keys.js'
import { automationOverview, explainAutomation, suggestKeys, type AutomationOverview, type EvaluationView, type RequestView, type TickView } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { automationWhyJson } from '../automation-json.js'
import { partitionList } from '../partition-list.js'
import { color, escapeForTerminal, formatTime, printJson, table } from '../output.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata automation list | why KEY — what the daemon automates, and why an asset did or did not run

  list             conditions (with their last evaluation), schedules (next and last tick),
                   sensors (next evaluation, last result), the daemon holding the home and
                   recent run requests
  why KEY          the asset's condition evaluated now, its last evaluations in words (what
                   was requested and why, or why not: "upstream raw/flights[2001-06-30]
                   missing", "in progress in run 4f1c…"), and the schedules and sensors
                   that target it

Options:
      --partition P   why: one partition of a partitioned asset
      --limit N       why: how many stored evaluations (default 5)
${GLOBAL_HELP}`

const e = (s: string) => escapeForTerminal(s)
const at = (iso: string | null) => (iso ? formatTime(Date.parse(iso)) : '—')

function tickText(t: TickView | null): string {
  if (!t) return color.dim('never')
  const status = t.status === 'FAILED' ? color.red(t.status) : t.status === 'REQUESTED' ? color.green(t.status) : t.status
  return `${at(t.at)} ${status}${t.message ? ` ${e(t.message)}` : ''}`
}

function requestLine(r: RequestView): string {
  const run = r.runStatus ? `${r.runStatus}` : r.status
  return `#${r.requestId} ${at(r.createdAt)} ${e(r.source)}: ${e(r.selection)}${r.partitionKeys?.length ? ` [${e(partitionList(r.partitionKeys))}]` : ''} → run ${r.runId.slice(0, 8)}… ${run}`
}

function printList(o: AutomationOverview): void {
  const d = o.daemon
  console.log(d && d.live ? `Daemon: pid ${d.pid} on ${e(d.host)}, since ${at(d.since)} (last heartbeat ${at(d.heartbeat)})` : color.dim('Daemon: none running on this home (start one with: strata daemon)'))
  console.log(`Runs at once: ${o.maxConcurrentRuns}`)
  console.log(color.bold('\nConditions'))
  if (!o.conditions.length) console.log(color.dim('  none (asset({ automation: eager() }) declares one)'))
  for (const c of o.conditions) {
    console.log(`  ${color.bold(e(c.key))}  ${e(c.condition)}`)
    console.log(`    ${c.lastEvaluation ? `${at(c.lastEvaluation.at)} ${e(c.lastEvaluation.summary)}` : color.dim('not evaluated yet')}`)
  }
  console.log(color.bold('\nSchedules'))
  if (!o.schedules.length) console.log(color.dim('  none'))
  else {
    const rows = [['NAME', 'CRON', 'TARGET', 'NEXT TICK', 'LAST TICK'].map((h) => color.dim(h))]
    for (const s of o.schedules) rows.push([e(s.name), `${e(s.cron)}${s.timezone !== 'UTC' ? ` ${e(s.timezone)}` : ''}`, e(s.target), at(s.nextTick), tickText(s.lastTick)])
    console.log(table(rows).replace(/^/gm, '  '))
  }
  console.log(color.bold('\nSensors'))
  if (!o.sensors.length) console.log(color.dim('  none'))
  else {
    const rows = [['NAME', 'KIND', 'TARGET', 'EVERY', 'NEXT', 'LAST RESULT'].map((h) => color.dim(h))]
    for (const s of o.sensors) rows.push([e(s.name), s.kind, e(s.target), `${s.intervalSeconds} s`, at(s.nextEvaluation), `${tickText(s.lastTick)}${s.failures ? color.red(` (${s.failures} failure(s) in a row)`) : ''}`])
    console.log(table(rows).replace(/^/gm, '  '))
  }
  console.log(color.bold('\nRecent run requests'))
  if (!o.requests.length) console.log(color.dim('  none yet'))
  for (const r of o.requests) console.log(`  ${requestLine(r)}`)
}

function printEvaluation(v: EvaluationView): void {
  console.log(`  ${at(v.at)} ${e(v.summary)}`)
  if (v.request) console.log(color.dim(`    request #${v.request.requestId} → run ${v.request.runId} ${v.request.runStatus ?? v.request.status}`))
  for (const p of v.partitions.slice(0, 10)) console.log(`    ${p.requested ? color.green('requested') : 'not requested'}${p.key ? ` ${e(p.key)}` : ''}: ${e(p.text)}`)
  if (v.partitions.length > 10) console.log(color.dim(`    … ${v.partitions.length - 10} more partitions`))
}

async function why(values: Record<string, any>, key: string, now: Date | undefined): Promise<number> {
  return withWorkspace(values, async (ws) => {
    const k = normalizeKey(key)
    if (!ws.graph.has(k)) {
      const near = suggestKeys(k, ws.graph.keys())
      throw new StrataError('STRATA_UNKNOWN_ASSET', `No asset "${k}".${near.length ? ` Did you mean ${near.map((x) => `"${x}"`).join(', ')}?` : ''}`)
    }
    const asset = ws.defs.byKey.get(k)!
    if (values.partition !== undefined) {
      if (!asset.partitions) throw new StrataError('STRATA_USAGE', `"${k}" is not partitioned; drop --partition.`)
      asset.partitions.validateKey(values.partition, { dynamicKeys: await ws.storage.getDynamicPartitions() })
    }
    const limit = values.limit === undefined ? undefined : Number(values.limit)
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new StrataError('STRATA_USAGE', `--limit must be a whole number ≥ 1 (got "${values.limit}").`)
    const x = await explainAutomation(ws, k, { partition: values.partition, limit, now })
    if (values.json) {
      printJson(automationWhyJson(x))
      return 0
    }
    const label = values.partition !== undefined ? `${k}[${values.partition}]` : k
    if (!x.condition) {
      console.log(`${color.bold(e(label))} has no automation condition.`)
    } else {
      console.log(`${color.bold(e(label))} ${e(x.condition)}`)
      if (x.now) {
        console.log(`  now: ${e(x.now.summary)}`)
        for (const p of x.now.partitions.slice(0, 10)) console.log(`    ${p.requested ? color.green('would request') : 'would not request'}${p.key ? ` ${e(p.key)}` : ''}: ${e(p.text)}`)
      }
      console.log(color.bold(`\nLast evaluations by the daemon${x.lastTickAt ? ` (last tick ${at(x.lastTickAt)})` : ''}`))
      if (!x.evaluations.length) console.log(color.dim('  none yet: start the daemon with strata daemon'))
      for (const v of x.evaluations) printEvaluation(v)
    }
    if (x.targetedBy.length) console.log(`\nAlso targeted by: ${x.targetedBy.map((t) => `${t.kind} ${e(t.name)}`).join(', ')} (strata automation list)`)
    return 0
  })
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('automation', argv, { partition: { type: 'string' }, limit: { type: 'string' }, now: { type: 'string' } })
  // Hidden, as for strata daemon: evaluate "now" at another instant (tests of a daemon run with --now).
  const nowText = values.now ?? process.env.STRATA_NOW
  const now = nowText === undefined ? undefined : new Date(Date.parse(nowText))
  if (now && Number.isNaN(now.getTime())) throw new StrataError('STRATA_USAGE', `--now takes an ISO date and time, e.g. 2024-01-02T00:05:00Z (got "${nowText}").`)
  const [sub, ...rest] = positionals
  if (sub === 'list') {
    if (rest.length) throw new StrataError('STRATA_USAGE', 'strata automation list takes no arguments.')
    return withWorkspace(values, async (ws) => {
      const o = await automationOverview(ws, { now })
      if (values.json) printJson(o)
      else printList(o)
      return 0
    })
  }
  if (sub === 'why') {
    if (rest.length !== 1) throw new StrataError('STRATA_USAGE', 'strata automation why takes exactly one asset key, e.g. strata automation why features/daily.')
    return why(values, rest[0]!, now)
  }
  throw new StrataError('STRATA_USAGE', `strata automation: ${sub === undefined ? 'say list or why KEY' : `unknown subcommand "${sub}"; the subcommands are list and why`}. See strata automation --help.`)
}
