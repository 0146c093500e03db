/**
 * Conditions and evaluation notes in words, as `strata automation why` and
 * `list` print them: `eager()`, `onCron("0 4 * * *").and(not(inProgress()))`,
 * `upstream raw/flights[2001-06-30] missing`, `in progress in run 4f1c…`.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import type { Note } from './context.js'

const q = (s: string) => JSON.stringify(s)

function options(o: Record<string, unknown>): string {
  const set = Object.entries(o).filter(([, v]) => v !== undefined && v !== false)
  return set.length ? `{ ${set.map(([k, v]) => `${k}: ${typeof v === 'string' ? q(v) : String(v)}`).join(', ')} }` : ''
}

const labels = new WeakMap<ConditionSpec, string>()

/** The condition as it would be written in code (specs are frozen data: computed once per spec). */
export function conditionLabel(spec: ConditionSpec): string {
  let label = labels.get(spec)
  if (label === undefined) labels.set(spec, (label = labelOf(spec)))
  return label
}

function labelOf(spec: ConditionSpec): string {
  switch (spec.kind) {
    case 'eager':
      return `eager(${options({ lookback: spec.lookback, backfillHistory: spec.backfillHistory })})`
    case 'onMissing':
      return `onMissing(${options({ backfillHistory: spec.backfillHistory })})`
    case 'onCron': {
      const o = options({ timezone: spec.timezone, backfillHistory: spec.backfillHistory })
      return `onCron(${q(spec.cron)}${o ? `, ${o}` : ''})`
    }
    case 'cronTickPassed':
      return `cronTickPassed(${q(spec.cron)}${spec.timezone ? `, { timezone: ${q(spec.timezone)} }` : ''})`
    case 'newlyUpdated':
      return `newlyUpdated(${spec.upstream ? q(spec.upstream) : ''})`
    case 'and':
    case 'or':
      return `${spec.kind}(${spec.of.map(conditionLabel).join(', ')})`
    case 'not':
      return `not(${conditionLabel(spec.of)})`
    default:
      return `${spec.kind}()`
  }
}

export const shortRun = (runId: string) => `${runId.slice(0, 8)}…`
const at = (t: number) => new Date(t).toISOString().replace(/:00\.000Z$/, 'Z').replace('.000Z', 'Z')

function inProgress(who: string, n: { runId?: string; requestId?: number; queued?: boolean }): string {
  if (n.queued) return `${who} already requested (request ${n.requestId}, queued for run ${shortRun(n.runId!)})`
  return n.runId ? `${who} in progress in run ${shortRun(n.runId)}` : `${who} in progress`
}

const HISTORY: Record<Extract<Note, { kind: 'history' }>['what'], string> = {
  missing: 'missing since before automation started',
  stale: 'stale since before automation started',
  updated: 'its upstream data changed before automation started',
  tick: 'the last cron tick came before automation started',
}

/** One note in words, e.g. `upstream raw/flights[2001-06-30] missing`. */
export function describeNote(note: Note): string {
  switch (note.kind) {
    case 'missing':
      return 'missing'
    case 'upstream-updated':
      return `upstream ${note.dep} has new data (materialized ${at(note.at)})`
    case 'cron-tick':
      return `cron tick ${at(note.tick)} passed and every upstream was updated since`
    case 'condition-true':
      return note.parts.length ? `condition true (${note.parts.join(', ')})` : 'condition true'
    case 'condition-false':
      return `${note.label} is false here (${describeNote(note.despite)})`
    case 'in-progress':
      return inProgress('', note).trim()
    case 'upstream-in-progress':
      return inProgress(`upstream ${note.label}`, note)
    case 'upstream-missing':
      return `upstream ${note.label} missing`
    case 'upstream-failed':
      return `upstream ${note.label} failed${note.runId ? ` in run ${shortRun(note.runId)}` : ''}`
    case 'upstream-nonexistent':
      return `upstream partition ${note.label} does not exist`
    case 'upstream-not-updated-since-tick':
      return `waiting for upstream ${note.label} to be updated since the cron tick ${at(note.tick)}`
    case 'history':
      return `${HISTORY[note.what]} (${at(note.since)}); { backfillHistory: true } requests history`
    case 'handled':
      return `already requested at ${at(note.at)}; waiting for something new`
    case 'failed':
      return `its last attempt failed${note.runId ? ` in run ${shortRun(note.runId)}` : ''}; requested again when an upstream has new data`
    case 'no-new-data':
      return 'no upstream has new data since it was materialized'
    case 'no-tick-yet':
      return 'no cron tick yet'
    case 'merged':
      return note.queued ? `already requested (request ${note.requestId}, queued)` : `already running in run ${shortRun(note.runId)}`
  }
}
