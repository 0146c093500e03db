/**
 * The detail pane's automation lines: the asset's freshness (ok, or a
 * warning with its lag) and its automation condition with what the daemon
 * last decided, in the words `strata automation why` uses (the engine's
 * explanation; nothing is judged here).
 */
import { Text } from 'ink'
import type { ReactNode } from 'react'
import { freshnessOf, type EvaluationView } from '../../engine/index.js'
import { escapeForTerminal } from '../cli/output.js'
import type { AssetAutomation, FreshnessCheck } from './model.js'
import { age, clip, shortId } from './theme.js'

const PARTITIONS_SHOWN = 3
const esc = (s: string) => escapeForTerminal(s)

const FRESHNESS_LABEL = { fresh: '✓ ok', late: '! late', never: '! missing' } as const

/** `Freshness ✓ ok · last updated 10 min ago, allowed 2 h`, or a yellow warning when late or never materialized. */
export function freshnessLine(check: FreshnessCheck, width: number, now: number): ReactNode {
  const f = freshnessOf(check.policy, check.lastUpdated, check.partitionKey, now)
  const ok = f.state === 'fresh'
  const label = FRESHNESS_LABEL[f.state]
  const reason = esc(f.reason)
  return (
    <Text wrap="truncate">
      <Text bold>Freshness </Text>
      <Text color={ok ? 'green' : 'yellow'}>{label}</Text>
      <Text dimColor>{clip(` · ${reason}`, Math.max(0, width - 10 - label.length))}</Text>
    </Text>
  )
}

/** The Automation section: condition, what it says now, the daemon's last evaluation and what it requested, who else targets the asset. */
export function automationLines(a: AssetAutomation, width: number, now: number): ReactNode[] {
  const x = a.explanation
  const out: ReactNode[] = [
    <Text wrap="truncate">
      <Text bold>Automation </Text>
      {a.condition ? clip(esc(a.condition), Math.max(1, width - 11)) : <Text dimColor>no condition</Text>}
      {x || a.error ? null : <Text dimColor>  loading…</Text>}
    </Text>,
  ]
  if (a.error) out.push(<Text color="red">{clip(`  could not read it: ${esc(a.error)}`, width)}</Text>)
  if (!x) return out
  if (x.now) {
    out.push(<Text wrap="truncate">{clip(`  now: ${esc(x.now.summary)}`, width)}</Text>)
    out.push(...partitionLines(x.now.partitions, x.now.summary, 'would request', 'would not request', width))
  }
  if (a.condition) {
    const last = x.evaluations[0]
    if (last) out.push(...evaluationLines(last, width, now))
    else out.push(<Text dimColor>{clip(x.lastTickAt ? '  not evaluated by the daemon yet' : '  daemon has not run yet: start it with `strata daemon`', width)}</Text>)
  }
  if (x.targetedBy.length) out.push(<Text dimColor>{clip(`  targeted by ${x.targetedBy.map((t) => `${t.kind} ${esc(t.name)}`).join(', ')}`, width)}</Text>)
  return out
}

function evaluationLines(v: EvaluationView, width: number, now: number): ReactNode[] {
  const at = Date.parse(v.at)
  const out: ReactNode[] = [
    <Text wrap="truncate">
      <Text dimColor>{`  last evaluated ${age(at, now)}: `}</Text>
      {clip(esc(v.summary), Math.max(1, width - 26))}
    </Text>,
  ]
  if (v.request) out.push(<Text dimColor>{clip(`    request #${v.request.requestId} → run ${shortId(v.request.runId)} ${v.request.runStatus ?? v.request.status}`, width)}</Text>)
  out.push(...partitionLines(v.partitions, v.summary, 'requested', 'not requested', width))
  return out
}

/** Per-partition lines under a summary; one partition whose words the summary already says is not repeated. */
function partitionLines(lines: EvaluationView['partitions'], summary: string, yes: string, no: string, width: number): ReactNode[] {
  if (lines.length === 1 && summary.endsWith(lines[0]!.text)) return []
  const out: ReactNode[] = lines.slice(0, PARTITIONS_SHOWN).map((p) => (
    <Text wrap="truncate">
      {'    '}
      <Text color={p.requested ? 'green' : undefined}>{p.requested ? yes : no}</Text>
      {clip(`${p.key ? ` ${esc(p.key)}` : ''}: ${esc(p.text)}`, Math.max(1, width - 4 - (p.requested ? yes : no).length))}
    </Text>
  ))
  if (lines.length > PARTITIONS_SHOWN) out.push(<Text dimColor>{clip(`    … ${lines.length - PARTITIONS_SHOWN} more (strata automation why)`, width)}</Text>)
  return out
}
