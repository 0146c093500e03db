/**
 * Shadow and canary comparison: what `strata serve --shadow` / `--canary`
 * logged, compared per model pair and joined to what really happened.
 *
 *   serving/logs                  observed source: `<home>/serving/shadow.jsonl`
 *                                 and `<home>/serving/predictions.jsonl` (written
 *                                 by the server); data version = sha256 of both
 *                                 files' content, so a grown log makes the
 *                                 comparison stale on the next `materialize --stale`
 *   monitoring/shadow_comparison  per pair (production version vs shadow or canary
 *                                 version): requests, instances, label agreement,
 *                                 mean/max probability divergence (shadow: both
 *                                 versions scored the same instances), and the
 *                                 realized accuracy/AUC of each side on the flights'
 *                                 actual outcomes (raw/flights over the monitoring
 *                                 period, matched on origin, destination and
 *                                 departure time) with their difference
 *                                 (candidate − production); a non-blocking check
 *                                 warns when a shadow pair's agreement is below
 *                                 `monitoring.min_agreement`
 *
 * Canary pairs are not paired answers (each request got one version), so they
 * have no agreement or divergence: only each side's realized metrics on its
 * own traffic. With no logs the comparison succeeds with zero counts and says
 * so. The pure parts (`parseServingLogs`, `outcomeIndex`, `compareServingLogs`,
 * `agreementCheck`) are what the tests drive.
 */
import { createHash } from 'node:crypto'
import type { Table } from 'apache-arrow'
import { asset, check, output, type AssetContext, type AssetDefinition, type CheckFnResult, type ServingContext } from 'strata-engine'
import type { PredictionRecord, ShadowRecord } from 'strata-engine/engine'
import type { TrainingConfig } from './config.js'
import { keyRangeMapping } from './mappings.js'
import { accuracy, auc } from './metrics.js'
import type { MonitoringConfig } from './monitoring.js'
import { labels } from './features.js'
import { parseFlight } from './serving.js'
import { flightColumns } from './tables.js'

/** Where `strata serve` writes, relative to the home (engine/serving/server.ts). */
export const SHADOW_LOG_FILE = 'serving/shadow.jsonl'
export const PREDICTIONS_LOG_FILE = 'serving/predictions.jsonl'

// ---------------------------------------------------------------- config

/** Label agreement (share of instances) below which a shadow pair warns: `monitoring.min_agreement`. */
export function minAgreementOf(config: TrainingConfig & { monitoring?: unknown }, file = '(training config)'): number {
  const v = (config.monitoring as Record<string, unknown> | undefined)?.min_agreement ?? 0.9
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new Error(`Training config ${file}: monitoring.min_agreement must be a number in [0, 1] (got ${JSON.stringify(v)}).`)
  return v
}

// ---------------------------------------------------------------- the logs

/** The value of `serving/logs`: the parsed lines of both logs. */
export interface ServingLogs {
  sha256: string
  files: Record<'shadow' | 'predictions', { path: string; exists: boolean; bytes: number; lines: number; malformed: number }>
  shadow: ShadowRecord[]
  predictions: PredictionRecord[]
}

function parseLines<T>(text: string, valid: (x: any) => boolean): { records: T[]; lines: number; malformed: number } {
  const records: T[] = []
  let lines = 0
  let malformed = 0
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    lines++
    try {
      const x = JSON.parse(line)
      if (valid(x)) records.push(x as T)
      else malformed++
    } catch {
      malformed++ // e.g. a line cut short by a crash while appending
    }
  }
  return { records, lines, malformed }
}

const isShadow = (x: any) => typeof x?.model === 'string' && Array.isArray(x.instances) && Array.isArray(x.production?.predictions) && typeof x.shadow?.version === 'number'
const isPrediction = (x: any) => typeof x?.model === 'string' && Array.isArray(x.instances) && Array.isArray(x.predictions) && typeof x.version === 'number' && (x.role === 'production' || x.role === 'canary')

/** Parses the two logs' text (either may be absent: `undefined`). */
export function parseServingLogs(shadowText: string | undefined, predictionsText: string | undefined, paths = { shadow: SHADOW_LOG_FILE, predictions: PREDICTIONS_LOG_FILE }): ServingLogs {
  const h = createHash('sha256')
  h.update('shadow\0').update(shadowText ?? '').update('\0predictions\0').update(predictionsText ?? '')
  const s = parseLines<ShadowRecord>(shadowText ?? '', isShadow)
  const p = parseLines<PredictionRecord>(predictionsText ?? '', isPrediction)
  return {
    sha256: h.digest('hex'),
    files: {
      shadow: { path: paths.shadow, exists: shadowText !== undefined, bytes: Buffer.byteLength(shadowText ?? ''), lines: s.lines, malformed: s.malformed },
      predictions: { path: paths.predictions, exists: predictionsText !== undefined, bytes: Buffer.byteLength(predictionsText ?? ''), lines: p.lines, malformed: p.malformed },
    },
    shadow: s.records,
    predictions: p.records,
  }
}

/** Reads what `strata serve` logged, through the compute context (`ctx.serving`). */
export async function readServingLogs(serving: ServingContext): Promise<ServingLogs> {
  const { shadow, predictions } = await serving.logs()
  return parseServingLogs(shadow.text, predictions.text, { shadow: shadow.path, predictions: predictions.path })
}

// ---------------------------------------------------------------- outcomes

/** Flight → delayed (1) or not (0), keyed by origin, destination and departure time (ms, wall clock as UTC). */
export type OutcomeIndex = Map<string, 0 | 1>

const flightKey = (origin: string, destination: string, dateMs: number) => `${origin}|${destination}|${dateMs}`

/** The outcomes of raw/flights days. Two flights on the same route at the same minute: the first one counts. */
export function outcomeIndex(days: Iterable<Table>): OutcomeIndex {
  const index: OutcomeIndex = new Map()
  for (const t of days) {
    const rows = flightColumns(t)
    const y = labels(rows)
    for (let i = 0; i < rows.n; i++) {
      const k = flightKey(rows.origin[i]!, rows.destination[i]!, rows.dateMs[i]!)
      if (!index.has(k)) index.set(k, y[i] as 0 | 1)
    }
  }
  return index
}

/** The outcome of a served instance (the request's JSON), if the flight is in the index. */
export function outcomeOf(index: OutcomeIndex, instance: unknown): 0 | 1 | undefined {
  try {
    const f = parseFlight(instance)
    return index.get(flightKey(f.origin, f.destination, f.dateMs))
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- comparison (pure)

export interface Realized {
  /** Instances with a known outcome. */
  instances: number
  auc: number | null
  accuracy: number | null
}

/** One model pair: production vs a shadow or canary version. */
export interface PairComparison {
  model: string
  kind: 'shadow' | 'canary'
  production: number
  candidate: number
  /** Requests in the comparison (shadow: scored by both; canary: answered by either while both were loaded). */
  requests: { production: number; candidate: number; failed: number }
  instances: { production: number; candidate: number }
  /** Shadow only (paired answers): share of instances with the same label; null for canary pairs. */
  agreement: number | null
  labelDisagreements: number | null
  /** Shadow only: absolute probability difference per instance. */
  divergence: { mean: number; max: number } | null
  meanProbability: { production: number | null; candidate: number | null }
  /** Instances matched to an actual outcome, and not (a flight outside the monitoring period, or unknown). */
  outcomes: { matched: number; unmatched: number }
  realized: { production: Realized; candidate: Realized; difference: { auc: number | null; accuracy: number | null } }
}

export interface ShadowComparison {
  minAgreement: number
  /** Requests read from each log. */
  logged: { shadow: number; predictions: number; malformedLines: number }
  pairs: PairComparison[]
  /** Shadow pairs whose agreement is below minAgreement. */
  belowThreshold: string[]
  note: string | null
}

const r4 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(4)) : null)

export const pairLabel = (p: Pick<PairComparison, 'model' | 'kind' | 'production' | 'candidate'>) => `${p.model} v${p.production} vs v${p.candidate} (${p.kind})`

class Side {
  requests = 0
  instances = 0
  probSum = 0
  scores: number[] = []
  outcomes: number[] = []
  add(probabilities: number[], outcomes: Array<0 | 1 | undefined>) {
    this.requests++
    this.instances += probabilities.length
    probabilities.forEach((p, i) => {
      this.probSum += p
      const y = outcomes[i]
      if (y !== undefined) {
        this.scores.push(p)
        this.outcomes.push(y)
      }
    })
  }
  /** Unrounded: differences are taken before rounding. */
  raw() {
    return { auc: auc(this.scores, this.outcomes), accuracy: accuracy(this.scores, this.outcomes) }
  }
  realized(): Realized {
    const m = this.raw()
    return { instances: this.scores.length, auc: r4(m.auc), accuracy: r4(m.accuracy) }
  }
  meanProbability() {
    return this.instances ? r4(this.probSum / this.instances) : null
  }
}

interface Acc {
  model: string
  kind: 'shadow' | 'canary'
  production: number
  candidate: number
  prod: Side
  cand: Side
  failed: number
  agree: number
  disagree: number
  absSum: number
  absMax: number
  matched: number
  unmatched: number
}

export function compareServingLogs(logs: Pick<ServingLogs, 'shadow' | 'predictions'> & Partial<Pick<ServingLogs, 'files'>>, outcome: (instance: unknown) => 0 | 1 | undefined, minAgreement: number): ShadowComparison {
  const acc = new Map<string, Acc>()
  const get = (model: string, kind: Acc['kind'], production: number, candidate: number): Acc => {
    const k = `${model}\0${kind}\0${production}\0${candidate}`
    let a = acc.get(k)
    if (!a) acc.set(k, (a = { model, kind, production, candidate, prod: new Side(), cand: new Side(), failed: 0, agree: 0, disagree: 0, absSum: 0, absMax: 0, matched: 0, unmatched: 0 }))
    return a
  }
  const outcomesOf = (a: Acc, instances: unknown[]) =>
    instances.map((x) => {
      const y = outcome(x)
      if (y === undefined) a.unmatched++
      else a.matched++
      return y
    })

  for (const r of logs.shadow) {
    const a = get(r.model, 'shadow', r.production.version, r.shadow.version)
    const theirs = r.shadow.predictions
    if (!theirs || theirs.length !== r.production.predictions.length) {
      a.failed++ // the shadow version failed on this request: nothing to compare
      continue
    }
    const ys = outcomesOf(a, r.instances)
    const ours = r.production.predictions
    a.prod.add(
      ours.map((p) => p.probability),
      ys,
    )
    a.cand.add(
      theirs.map((p) => p.probability),
      ys,
    )
    for (let i = 0; i < ours.length; i++) {
      if (ours[i]!.label === theirs[i]!.label) a.agree++
      else a.disagree++
      const d = Math.abs(ours[i]!.probability - theirs[i]!.probability)
      a.absSum += d
      a.absMax = Math.max(a.absMax, d)
    }
  }

  for (const r of logs.predictions) {
    // A production answer counts against the canary version loaded at the time; none loaded → no pair.
    const production = r.role === 'production' ? r.version : r.versions?.production
    const candidate = r.role === 'canary' ? r.version : r.versions?.canary
    if (typeof production !== 'number' || typeof candidate !== 'number') continue
    const a = get(r.model, 'canary', production, candidate)
    const ys = outcomesOf(a, r.instances)
    ;(r.role === 'canary' ? a.cand : a.prod).add(
      r.predictions.map((p) => p.probability),
      ys,
    )
  }

  const pairs: PairComparison[] = [...acc.values()]
    .sort((x, y) => x.model.localeCompare(y.model) || x.kind.localeCompare(y.kind) || x.production - y.production || x.candidate - y.candidate)
    .map((a) => {
      const paired = a.kind === 'shadow'
      const compared = a.agree + a.disagree
      const production = a.prod.realized()
      const candidate = a.cand.realized()
      return {
        model: a.model,
        kind: a.kind,
        production: a.production,
        candidate: a.candidate,
        requests: { production: a.prod.requests, candidate: a.cand.requests, failed: a.failed },
        instances: { production: a.prod.instances, candidate: a.cand.instances },
        agreement: paired && compared ? r4(a.agree / compared) : null,
        labelDisagreements: paired ? a.disagree : null,
        divergence: paired && compared ? { mean: r4(a.absSum / compared)!, max: r4(a.absMax)! } : null,
        meanProbability: { production: a.prod.meanProbability(), candidate: a.cand.meanProbability() },
        outcomes: { matched: a.matched, unmatched: a.unmatched },
        realized: { production, candidate, difference: { auc: r4(a.cand.raw().auc - a.prod.raw().auc), accuracy: r4(a.cand.raw().accuracy - a.prod.raw().accuracy) } },
      }
    })
  const belowThreshold = pairs.filter((p) => p.agreement !== null && p.agreement < minAgreement).map(pairLabel)
  const malformedLines = (logs.files?.shadow.malformed ?? 0) + (logs.files?.predictions.malformed ?? 0)
  const nothing = logs.shadow.length === 0 && logs.predictions.length === 0
  return {
    minAgreement,
    logged: { shadow: logs.shadow.length, predictions: logs.predictions.length, malformedLines },
    pairs,
    belowThreshold,
    note: nothing ? 'no serving logs yet (run strata serve --shadow STAGE or --canary STAGE:PCT): nothing compared' : pairs.length === 0 ? 'no comparable requests in the logs (no canary version was loaded)' : null,
  }
}

/** Non-blocking: every shadow pair's label agreement ≥ minAgreement. */
export function agreementCheck(c: ShadowComparison): CheckFnResult {
  const shadow = c.pairs.filter((p) => p.agreement !== null)
  if (shadow.length === 0) return { passed: true, message: c.note ?? 'no shadow comparisons: agreement not measured', metadata: { minAgreement: c.minAgreement, pairs: 0 } }
  const worst = shadow.reduce((a, b) => (b.agreement! < a.agreement! ? b : a))
  const passed = c.belowThreshold.length === 0
  const all = shadow.map((p) => `${pairLabel(p)} ${p.agreement}`).join('; ')
  return {
    passed,
    message: passed
      ? `label agreement ≥ ${c.minAgreement} for every shadow pair (lowest ${worst.agreement}: ${pairLabel(worst)})`
      : `label agreement below ${c.minAgreement}: ${shadow.filter((p) => p.agreement! < c.minAgreement).map((p) => `${pairLabel(p)} ${p.agreement} (${p.labelDisagreements} of ${p.instances.production} instances disagree)`).join('; ')}`,
    metadata: { minAgreement: c.minAgreement, lowest: worst.agreement, pairs: all, below: c.belowThreshold },
  }
}

// ---------------------------------------------------------------- assets

export interface ShadowComparisonOptions {
  config: TrainingConfig
  monitoring: MonitoringConfig
  /** raw/flights (daily): the actual outcomes. */
  rawFlights: AssetDefinition<Table>
}

export function shadowComparisonAssets(o: ShadowComparisonOptions) {
  const minAgreement = minAgreementOf(o.config)
  const period = o.monitoring.period

  const observeLogs = async (ctx: AssetContext) => {
    const logs = await readServingLogs(ctx.serving)
    const f = logs.files
    return output(logs, {
      dataVersion: logs.sha256,
      metadata: { shadowRequests: logs.shadow.length, predictionRequests: logs.predictions.length, shadowBytes: f.shadow.bytes, predictionsBytes: f.predictions.bytes, malformedLines: f.shadow.malformed + f.predictions.malformed, sha256: logs.sha256 },
    })
  }

  /**
   * What strata serve logged in this home. `observe: true`: every
   * `materialize --stale` (and `npm start`) reads the files again; unchanged
   * content keeps the data version, a grown log makes the comparison stale.
   */
  const servingLogs = asset({
    key: 'serving/logs',
    group: 'serving',
    description: `strata serve's ${SHADOW_LOG_FILE} (--shadow) and ${PREDICTIONS_LOG_FILE} (--canary) in the home, observed by content hash.`,
    tags: { kind: 'source' },
    observe: true,
    compute: observeLogs,
  })

  const compare = (ctx: AssetContext, inputs: { logs: ServingLogs; outcomes: unknown }) => {
    const index = outcomeIndex((inputs.outcomes as Map<string, Table>).values())
    const c = compareServingLogs(inputs.logs, (x) => outcomeOf(index, x), minAgreement)
    if (c.note) ctx.log.info(c.note)
    for (const p of c.pairs) {
      ctx.log.info(
        `${pairLabel(p)}: ${p.requests.production + p.requests.candidate} requests${p.agreement !== null ? `, agreement ${p.agreement}, divergence mean ${p.divergence?.mean} max ${p.divergence?.max}` : ''}; realized auc ${p.realized.production.auc ?? '–'} vs ${p.realized.candidate.auc ?? '–'} on ${p.outcomes.matched} outcomes (${p.outcomes.unmatched} without)`,
      )
    }
    return output(c, {
      metadata: {
        pairs: c.pairs.length,
        shadowRequests: c.logged.shadow,
        predictionRequests: c.logged.predictions,
        comparedInstances: c.pairs.reduce((s, p) => s + (p.kind === 'shadow' ? p.instances.production : p.instances.production + p.instances.candidate), 0),
        lowestAgreement: c.pairs.reduce<number | null>((m, p) => (p.agreement === null ? m : m === null ? p.agreement : Math.min(m, p.agreement)), null),
        minAgreement,
        belowThreshold: c.belowThreshold,
        note: c.note,
      },
    })
  }

  const shadowComparison = asset({
    key: 'monitoring/shadow_comparison',
    group: 'monitoring',
    description: `Per model pair (production vs shadow/canary version): agreement, probability divergence, realized AUC/accuracy of each side on raw/flights outcomes ${period.from}..${period.to}; warns below ${minAgreement} agreement.`,
    ins: { logs: servingLogs, outcomes: { asset: o.rawFlights, mapping: keyRangeMapping(period, 'monitoring period') } },
    checks: [check<ShadowComparison>({ name: 'agreement', blocking: false, description: `label agreement of every shadow pair ≥ ${minAgreement}`, fn: (_ctx, c) => agreementCheck(c) })],
    versionInputs: { min_agreement: minAgreement, period },
    compute: compare,
  })

  return { servingLogs, shadowComparison }
}
